/* Compares kernel.c's avx512_sgemm with OpenBLAS's cblas_sgemm, single-threaded, in one
 * process, at the eight products of the MLP 784-1024-1024-10 at micro-batch m (configs/
 * bench-mlp.yaml: m = 128 on 2 ranks, 256 on 1), and measures this core's FMA peak.
 *
 * Usage: compare [--micro M]... [--reps N] [--beta B]
 *   --micro M  micro-batch rows (repeatable; default 128 and 256)
 *   --reps N   timed runs per product and library, alternated; the best is kept (default 40)
 *   --beta B   β of every product (default 0, what training uses at K = 1: the forward, dX
 *              and the first micro-step's dW all write their output)
 * Per product: best milliseconds and GFLOP/s of each, their ratio, the largest absolute
 * error of each against a Double reference of C = op(A)·op(B) + β·C, and the kernel's time
 * when op(B) was packed once beforehand (avx512_sgemm_prepacked: what a trainer that keeps its
 * weights packed between updates would pay per product; its results must be, and are checked
 * to be, identical to the packing call's). Exit status 2 when the
 * CPU lacks AVX-512F/VL or FMA, or on a bad argument. */
#include "kernel.h"
#include <cblas.h>
#include <immintrin.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

/* One product C[m×n] = op(A)[m×k]·op(B)[k×n], named as in `dptrain bench`. */
typedef struct { const char *label; int transA, transB, m, n, k; } Shape;

/* Best GFLOP/s of 24 independent zmm FMA chains (2 FLOP × 16 lanes each), best of many short
 * runs so that a shared core's interruptions drop out; and the clock, from a chain of
 * dependent integer adds (one per cycle). Compiled for AVX-512 by the caller's flags. */
__attribute__((target("avx512f,fma")))
static void measurePeak(void) {
    __m512 acc[24];
    for (int i = 0; i < 24; i++) acc[i] = _mm512_set1_ps(i * 0.001f);
    __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
    const long iterations = 20000;
    double best = 1e9;
    for (int run = 0; run < 2000; run++) {
        double start = now();
        for (long it = 0; it < iterations; it++) {
#pragma GCC unroll 24
            for (int i = 0; i < 24; i++) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
        }
        double t = now() - start;
        if (t < best) best = t;
    }
    float keep = 0;
    for (int i = 0; i < 24; i++) keep += _mm512_reduce_add_ps(acc[i]);
    double peak = iterations * 24.0 * 32 / best / 1e9;
    long x = 0;
    double bestAdd = 1e9;
    for (int run = 0; run < 2000; run++) {
        double start = now();
        for (long i = 0; i < 200000; i++) __asm__ volatile("add $1, %0" : "+r"(x));
        double t = now() - start;
        if (t < bestAdd) bestAdd = t;
    }
    double ghz = 200000 / bestAdd / 1e9;
    printf("core: AVX-512 FMA peak %.1f GFLOP/s, clock %.2f GHz (dependent adds) -> %.1f FLOP/cycle (%s)\n",
           peak, ghz, peak / ghz, keep == 12345 ? "!" : "best of 2000 runs each");
}

static float uniform(unsigned long long *state) {
    *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (float)((*state >> 40) / 16777216.0) - 0.5f;
}

static void compare(Shape s, int reps, float beta, double *totalBLAS, double *totalOurs, double *totalPrepacked) {
    long aCount = (long)s.m * s.k, bCount = (long)s.k * s.n, cCount = (long)s.m * s.n;
    float *A = malloc(aCount * 4), *B = malloc(bCount * 4), *C0 = malloc(cCount * 4);
    float *C1 = malloc(cCount * 4), *C2 = malloc(cCount * 4), *C3 = malloc(cCount * 4);
    float *packed = aligned_alloc(64, (avx512_sgemm_packed_count(s.n, s.k) * 4 + 63) / 64 * 64);
    unsigned long long state = 42;
    for (long i = 0; i < aCount; i++) A[i] = uniform(&state);
    for (long i = 0; i < bCount; i++) B[i] = uniform(&state);
    for (long i = 0; i < cCount; i++) C0[i] = uniform(&state);
    long lda = s.transA ? s.m : s.k, ldb = s.transB ? s.k : s.n;
    enum CBLAS_TRANSPOSE ta = s.transA ? CblasTrans : CblasNoTrans, tb = s.transB ? CblasTrans : CblasNoTrans;
    /* Accuracy, from the same C0, against a Double reference. */
    memcpy(C1, C0, cCount * 4);
    memcpy(C2, C0, cCount * 4);
    cblas_sgemm(CblasRowMajor, ta, tb, s.m, s.n, s.k, 1, A, lda, B, ldb, beta, C1, s.n);
    avx512_sgemm(s.transA, s.transB, s.m, s.n, s.k, 1, A, lda, B, ldb, beta, C2, s.n);
    memcpy(C3, C0, cCount * 4);
    avx512_sgemm_pack_b(s.transB, s.n, s.k, B, ldb, packed);
    avx512_sgemm_prepacked(s.transA, s.m, s.n, s.k, 1, A, lda, packed, beta, C3, s.n);
    if (memcmp(C2, C3, cCount * 4) != 0) {
        fprintf(stderr, "compare: %s: the pre-packed product differs from the packing one\n", s.label);
        exit(1);
    }
    double errorBLAS = 0, errorOurs = 0;
    for (int i = 0; i < s.m; i++) {
        for (int j = 0; j < s.n; j++) {
            double sum = beta * (double)C0[(long)i * s.n + j];
            for (int p = 0; p < s.k; p++) {
                double a = s.transA ? A[(long)p * lda + i] : A[(long)i * lda + p];
                double b = s.transB ? B[(long)j * ldb + p] : B[(long)p * ldb + j];
                sum += a * b;
            }
            errorBLAS = fmax(errorBLAS, fabs(C1[(long)i * s.n + j] - sum));
            errorOurs = fmax(errorOurs, fabs(C2[(long)i * s.n + j] - sum));
        }
    }
    /* Speed: the two alternated, best of reps each. */
    double bestBLAS = 1e9, bestOurs = 1e9, bestPrepacked = 1e9;
    for (int run = 0; run < reps; run++) {
        double start = now();
        cblas_sgemm(CblasRowMajor, ta, tb, s.m, s.n, s.k, 1, A, lda, B, ldb, beta, C1, s.n);
        double t = now() - start;
        if (t < bestBLAS) bestBLAS = t;
        start = now();
        avx512_sgemm(s.transA, s.transB, s.m, s.n, s.k, 1, A, lda, B, ldb, beta, C2, s.n);
        t = now() - start;
        if (t < bestOurs) bestOurs = t;
        start = now();
        avx512_sgemm_prepacked(s.transA, s.m, s.n, s.k, 1, A, lda, packed, beta, C3, s.n);
        t = now() - start;
        if (t < bestPrepacked) bestPrepacked = t;
    }
    double flops = 2.0 * s.m * s.n * s.k;
    printf("  %-16s %5d %5d %5d   %8.3f %7.1f   %8.3f %7.1f   %5.2f   %8.3f %7.1f   %5.2f   %.1e / %.1e\n",
           s.label, s.m, s.n, s.k, bestBLAS * 1e3, flops / bestBLAS / 1e9, bestOurs * 1e3, flops / bestOurs / 1e9,
           bestBLAS / bestOurs, bestPrepacked * 1e3, flops / bestPrepacked / 1e9, bestBLAS / bestPrepacked,
           errorBLAS, errorOurs);
    *totalBLAS += bestBLAS;
    *totalOurs += bestOurs;
    *totalPrepacked += bestPrepacked;
    free(A); free(B); free(C0); free(C1); free(C2); free(C3); free(packed);
}

int main(int argc, char **argv) {
    int micros[16], microCount = 0, reps = 40;
    float beta = 0;
    for (int i = 1; i < argc; i++) {
        if (i + 1 < argc && strcmp(argv[i], "--micro") == 0 && microCount < 16 && atoi(argv[i + 1]) > 0) {
            micros[microCount++] = atoi(argv[++i]);
        } else if (i + 1 < argc && strcmp(argv[i], "--reps") == 0 && atoi(argv[i + 1]) > 0) {
            reps = atoi(argv[++i]);
        } else if (i + 1 < argc && strcmp(argv[i], "--beta") == 0) {
            beta = (float)atof(argv[++i]);
        } else {
            fprintf(stderr, "compare: unexpected argument '%s' (usage: compare [--micro M]... [--reps N] [--beta B];"
                            " M and N positive integers)\n", argv[i]);
            return 2;
        }
    }
    if (microCount == 0) { micros[0] = 128; micros[1] = 256; microCount = 2; }
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("avx512vl") || !__builtin_cpu_supports("fma")) {
        fprintf(stderr, "compare: this CPU lacks AVX-512F/VL or FMA, which the kernel needs; nothing to compare\n");
        return 2;
    }
    measurePeak();
    for (int q = 0; q < microCount; q++) {
        int m = micros[q];
        Shape shapes[] = {
            {"dense.1 forward", 0, 1, m, 1024, 784}, {"dense.1 dW", 1, 0, 1024, 784, m},
            {"dense.2 forward", 0, 1, m, 1024, 1024}, {"dense.2 dW", 1, 0, 1024, 1024, m},
            {"dense.2 dX", 0, 0, m, 1024, 1024},
            {"dense.3 forward", 0, 1, m, 10, 1024}, {"dense.3 dW", 1, 0, 10, 1024, m},
            {"dense.3 dX", 0, 0, m, 1024, 10},
        };
        printf("\nmicro-batch m = %d, beta = %g, best of %d alternated runs (1 thread):\n", m, beta, reps);
        printf("  %-16s %5s %5s %5s   %8s %7s   %8s %7s   %5s   %8s %7s   %5s   %s\n", "product", "m", "n", "k",
               "OpenBLAS", "GFLOP/s", "AVX-512", "GFLOP/s", "ratio", "B packed", "GFLOP/s", "ratio",
               "max |error| OpenBLAS / AVX-512");
        double totalBLAS = 0, totalOurs = 0, totalPrepacked = 0, flops = 0;
        for (int i = 0; i < 8; i++) {
            compare(shapes[i], reps, beta, &totalBLAS, &totalOurs, &totalPrepacked);
            flops += 2.0 * shapes[i].m * shapes[i].n * shapes[i].k;
        }
        printf("  %-16s %17s   %8.3f %7.1f   %8.3f %7.1f   %5.2f   %8.3f %7.1f   %5.2f\n", "all eight", "",
               totalBLAS * 1e3, flops / totalBLAS / 1e9, totalOurs * 1e3, flops / totalOurs / 1e9,
               totalBLAS / totalOurs, totalPrepacked * 1e3, flops / totalPrepacked / 1e9, totalBLAS / totalPrepacked);
    }
    return 0;
}
