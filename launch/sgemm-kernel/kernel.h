/* A single-threaded AVX-512 sgemm written for the MLP's shapes, kept as a measured comparison
 * with OpenBLAS (see compare.c and launch/bench-sgemm); dptrain itself multiplies through
 * OpenBLAS's cblas_sgemm.
 *
 *     C = alpha · op(A) · op(B) + beta · C
 *
 * Row-major like cblas_sgemm(CblasRowMajor, …): op(A) is m×k, op(B) k×n, C m×n; lda, ldb, ldc
 * are the row strides as stored (A is k×m when transA, B is n×k when transB). beta = 0 never
 * reads C. Needs a CPU with AVX-512F/VL and FMA (the caller checks). */
#ifndef AVX512_SGEMM_KERNEL_H
#define AVX512_SGEMM_KERNEL_H

void avx512_sgemm(int transA, int transB, int m, int n, int k, float alpha,
                  const float *A, long lda, const float *B, long ldb,
                  float beta, float *C, long ldc);

/* Floats of the packed form of an op(B) with k rows and n columns (a weight matrix packed once
 * and reused by many products, as a trainer could keep it between optimizer updates). */
long avx512_sgemm_packed_count(int n, int k);

/* Packs op(B) (k×n; B is n×k when transB) into `packed` (avx512_sgemm_packed_count floats,
 * 64-byte aligned) in the panel order avx512_sgemm_prepacked reads. */
void avx512_sgemm_pack_b(int transB, int n, int k, const float *B, long ldb, float *packed);

/* avx512_sgemm with op(B) already packed by avx512_sgemm_pack_b: the same results, without
 * the per-call packing of op(B). */
void avx512_sgemm_prepacked(int transA, int m, int n, int k, float alpha, const float *A, long lda,
                            const float *packed, float beta, float *C, long ldc);

#endif
