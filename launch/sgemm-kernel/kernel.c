/* The sgemm of kernel.h, the textbook blocked GEMM of BLIS/GotoBLAS (Goto & van de Geijn 2008,
 * "Anatomy of high-performance matrix multiplication"):
 *
 *   for each block of KC rows of op(B):   pack op(B)[pc.., :] into panels of NR = 48 columns
 *     for each block of MC rows of op(A): pack op(A)[ic.., pc..] into panels of MR = 8 rows
 *       for each MR-row panel, each NR-column panel: the micro-kernel, an 8×48 tile of C held in
 *       24 zmm accumulators, 24 FMAs per step of k (8 broadcasts of A, 3 loads of B)
 *
 * Packing transposes where the stored operand is not already k-major: op(A) = A (forward
 * X·Wᵀ and dX = dZ·W) element by element, op(B) = Bᵀ (the forward's Wᵀ) in 16×16 register
 * transposes. (Reading op(B) = B in place instead of packing it measured no faster and less
 * steady.)
 * avx512_sgemm_prepacked skips the packing of op(B) for a B packed once by avx512_sgemm_pack_b.
 * KC is the largest block ≤ 256 that divides k into equal parts (a multiple of 8), so the
 * summation order depends on the shape alone: results are deterministic. */
#include "kernel.h"
#include <immintrin.h>
#include <stdlib.h>

enum { MR = 8, NV = 3, NR = 16 * NV, KC_MAX = 256, MC_MAX = 256 };

static float *packedA, *packedB;
static size_t packedACount, packedBCount;

/* A 64-byte aligned buffer of at least `need` floats, grown (never shrunk) on demand. */
static float *scratch(float **buffer, size_t *count, size_t need) {
    if (need > *count) {
        free(*buffer);
        *buffer = aligned_alloc(64, (need * sizeof(float) + 63) / 64 * 64);
        *count = need;
    }
    return *buffer;
}

/* C[mr × nr] = alpha · Ap·Bp + beta · C, with Ap kc × MR and Bp kc × NR (k-major, packed). */
static inline __attribute__((always_inline))
void microKernel(int kc, const float *restrict Ap, const float *restrict Bp,
                 float *restrict C, long ldc, float alpha, float beta, int mr, int nr) {
    __m512 c[MR][NV];
    for (int i = 0; i < MR; i++)
        for (int v = 0; v < NV; v++) c[i][v] = _mm512_setzero_ps();
    for (int i = 0; i < MR; i++)
        for (int v = 0; v < NV; v++) _mm_prefetch((const char *)(C + i * ldc + v * 16), _MM_HINT_T0);
    for (int p = 0; p < kc; p++) {
        __m512 b[NV];
        for (int v = 0; v < NV; v++) b[v] = _mm512_load_ps(Bp + v * 16);
        for (int i = 0; i < MR; i++) {
            __m512 a = _mm512_set1_ps(Ap[i]);
            for (int v = 0; v < NV; v++) c[i][v] = _mm512_fmadd_ps(a, b[v], c[i][v]);
        }
        Ap += MR;
        Bp += NR;
    }
    __m512 scaleA = _mm512_set1_ps(alpha), scaleB = _mm512_set1_ps(beta);
    for (int i = 0; i < mr; i++) {
        for (int v = 0; v < NV; v++) {
            int left = nr - v * 16;
            if (left <= 0) break;
            __mmask16 mask = left >= 16 ? 0xFFFF : (__mmask16)((1u << left) - 1);
            float *q = C + i * ldc + v * 16;
            __m512 r = alpha == 1 ? c[i][v] : _mm512_mul_ps(scaleA, c[i][v]);
            if (beta != 0) r = _mm512_fmadd_ps(scaleB, _mm512_maskz_loadu_ps(mask, q), r);
            _mm512_mask_storeu_ps(q, mask, r);
        }
    }
}

/* Packs op(A)[ic ..< ic+mc, pc ..< pc+kc] into panels of MR rows, k-major, rows past mc zero. */
static void packA(int transA, const float *A, long lda, int ic, int mc, int pc, int kc, float *out) {
    for (int panel = 0; panel < mc; panel += MR) {
        int rows = mc - panel < MR ? mc - panel : MR;
        float *dst = out + (long)panel * kc;
        if (transA) {   /* op(A)[i][p] = A[p·lda + i]: MR contiguous floats per p */
            __mmask16 mask = (__mmask16)((1u << rows) - 1);
            for (int p = 0; p < kc; p++) {
                __m512 v = _mm512_maskz_loadu_ps(mask, A + (long)(pc + p) * lda + ic + panel);
                _mm512_mask_storeu_ps(dst + p * MR, (__mmask16)((1u << MR) - 1), v);
            }
        } else {        /* op(A)[i][p] = A[i·lda + p] */
            for (int i = 0; i < MR; i++) {
                const float *src = A + (long)(ic + panel + i) * lda + pc;
                for (int p = 0; p < kc; p++) dst[p * MR + i] = i < rows ? src[p] : 0;
            }
        }
    }
}

/* r[i][j] ← r[j][i] for a 16×16 block held in 16 registers. */
static inline __attribute__((always_inline)) void transpose16(__m512 r[16]) {
    __m512 t[16];
    for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
    }
    for (int i = 0; i < 16; i += 4) {
        __m512d t0 = _mm512_castps_pd(t[i]), t1 = _mm512_castps_pd(t[i + 1]);
        __m512d t2 = _mm512_castps_pd(t[i + 2]), t3 = _mm512_castps_pd(t[i + 3]);
        r[i] = _mm512_castpd_ps(_mm512_unpacklo_pd(t0, t2));
        r[i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(t0, t2));
        r[i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(t1, t3));
        r[i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(t1, t3));
    }
    for (int i = 0; i < 4; i++) {
        t[i] = _mm512_shuffle_f32x4(r[i], r[i + 4], 0x88);
        t[i + 4] = _mm512_shuffle_f32x4(r[i], r[i + 4], 0xdd);
        t[i + 8] = _mm512_shuffle_f32x4(r[i + 8], r[i + 12], 0x88);
        t[i + 12] = _mm512_shuffle_f32x4(r[i + 8], r[i + 12], 0xdd);
    }
    for (int i = 0; i < 4; i++) {
        r[i] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0x88);
        r[i + 4] = _mm512_shuffle_f32x4(t[i + 4], t[i + 12], 0x88);
        r[i + 8] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0xdd);
        r[i + 12] = _mm512_shuffle_f32x4(t[i + 4], t[i + 12], 0xdd);
    }
}

/* Packs op(B)[pc ..< pc+kc, 0 ..< n] into panels of NR columns, k-major, columns past n zero. */
static void packB(int transB, const float *B, long ldb, int n, int pc, int kc, float *out) {
    for (int panel = 0; panel < n; panel += NR) {
        int cols = n - panel < NR ? n - panel : NR;
        float *dst = out + (long)panel * kc;
        for (int v = 0; v < NV; v++) {
            int left = cols - v * 16;
            int valid = left >= 16 ? 16 : left <= 0 ? 0 : left;
            __mmask16 mask = (__mmask16)((1u << valid) - 1);
            float *d = dst + v * 16;
            if (!transB) {  /* op(B)[p][j] = B[p·ldb + j] */
                const float *src = B + (long)pc * ldb + panel + v * 16;
                for (int p = 0; p < kc; p++)
                    _mm512_store_ps(d + (long)p * NR, _mm512_maskz_loadu_ps(mask, src + (long)p * ldb));
            } else {        /* op(B)[p][j] = B[j·ldb + p]: 16×16 blocks transposed in registers */
                const float *src = B + (long)(panel + v * 16) * ldb + pc;
                int p = 0;
                for (; p + 16 <= kc; p += 16) {
                    __m512 r[16];
                    for (int j = 0; j < 16; j++)
                        r[j] = j < valid ? _mm512_loadu_ps(src + (long)j * ldb + p) : _mm512_setzero_ps();
                    transpose16(r);
                    for (int i = 0; i < 16; i++) _mm512_store_ps(d + (long)(p + i) * NR, r[i]);
                }
                for (; p < kc; p++)
                    for (int j = 0; j < 16; j++) d[(long)p * NR + j] = j < valid ? src[(long)j * ldb + p] : 0;
            }
        }
    }
}

/* The k-blocking of the product: equal blocks of at most KC_MAX rows, a multiple of 8. */
static int blockRows(int k) {
    int blocks = (k + KC_MAX - 1) / KC_MAX;
    return ((k + blocks - 1) / blocks + 7) & ~7;
}

static int paddedColumns(int n) { return (n + NR - 1) / NR * NR; }

/* The loop nest; op(B) comes from `prepacked` (all k-blocks, as avx512_sgemm_pack_b lays them
 * out) or, when it is NULL, is packed block by block from B. */
static void multiply(int transA, int transB, int m, int n, int k, float alpha, const float *A, long lda,
                     const float *B, long ldb, const float *prepacked, float beta, float *C, long ldc) {
    if (m <= 0 || n <= 0) return;
    if (k <= 0) {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) C[(long)i * ldc + j] = beta == 0 ? 0 : beta * C[(long)i * ldc + j];
        return;
    }
    int kcStep = blockRows(k);
    long nPadded = paddedColumns(n);
    float *Bp = prepacked ? NULL : scratch(&packedB, &packedBCount, (size_t)nPadded * kcStep);
    int mcMax = m < MC_MAX ? m : MC_MAX;
    float *Ap = scratch(&packedA, &packedACount, (size_t)((mcMax + MR - 1) / MR * MR) * kcStep);
    for (int pc = 0; pc < k; pc += kcStep) {
        int kc = k - pc < kcStep ? k - pc : kcStep;
        float blockBeta = pc == 0 ? beta : 1.0f;
        const float *block = prepacked ? prepacked + nPadded * pc : Bp;
        if (!prepacked) packB(transB, B, ldb, n, pc, kc, Bp);
        for (int ic = 0; ic < m; ic += MC_MAX) {
            int mc = m - ic < MC_MAX ? m - ic : MC_MAX;
            packA(transA, A, lda, ic, mc, pc, kc, Ap);
            for (int ir = 0; ir < mc; ir += MR) {
                for (int jr = 0; jr < n; jr += NR) {
                    int mr = mc - ir < MR ? mc - ir : MR, nr = n - jr < NR ? n - jr : NR;
                    microKernel(kc, Ap + (long)ir * kc, block + (long)jr * kc,
                                C + (long)(ic + ir) * ldc + jr, ldc, alpha, blockBeta, mr, nr);
                }
            }
        }
    }
}

void avx512_sgemm(int transA, int transB, int m, int n, int k, float alpha,
                  const float *A, long lda, const float *B, long ldb,
                  float beta, float *C, long ldc) {
    multiply(transA, transB, m, n, k, alpha, A, lda, B, ldb, NULL, beta, C, ldc);
}

long avx512_sgemm_packed_count(int n, int k) { return (long)paddedColumns(n) * (k > 0 ? k : 0); }

void avx512_sgemm_pack_b(int transB, int n, int k, const float *B, long ldb, float *packed) {
    int kcStep = blockRows(k);
    for (int pc = 0; pc < k; pc += kcStep) {
        int kc = k - pc < kcStep ? k - pc : kcStep;
        packB(transB, B, ldb, n, pc, kc, packed + (long)paddedColumns(n) * pc);
    }
}

void avx512_sgemm_prepacked(int transA, int m, int n, int k, float alpha, const float *A, long lda,
                            const float *packed, float beta, float *C, long ldc) {
    multiply(transA, 0, m, n, k, alpha, A, lda, NULL, 0, packed, beta, C, ldc);
}
