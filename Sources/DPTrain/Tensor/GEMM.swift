import COpenBLAS

/// Whether a gemm operand is used as stored or transposed.
public enum Transpose: Sendable, CaseIterable {
    case none
    case transposed
}

/// General matrix product on row-major float matrices, through OpenBLAS's `cblas_sgemm`:
///
///     C = alpha · op(A) · op(B) + beta · C
///
/// with op(A) of shape m×k, op(B) of shape k×n and C of shape m×n. `lda`, `ldb`, `ldc` are the
/// row strides of A, B, C as stored (A is m×k when not transposed, k×m when transposed).
/// `beta = 1` accumulates into C, which is how backward passes add into gradients.
/// This is the only place the library calls BLAS for matrix products (``GEMMClock`` times it
/// for `dptrain bench`). Tests compare it with a naive Double loop (`referenceGemm` in the
/// DPTrainTestSupport target).
@inline(__always)
public func gemm(transposeA: Transpose, transposeB: Transpose,
                 m: Int, n: Int, k: Int,
                 alpha: Float = 1,
                 a: UnsafePointer<Float>, lda: Int,
                 b: UnsafePointer<Float>, ldb: Int,
                 beta: Float,
                 c: UnsafeMutablePointer<Float>, ldc: Int) {
    guard m > 0, n > 0 else { return }
    if k == 0 {
        // BLAS would do this too; spelled out so that k == 0 never reads A or B.
        for row in 0..<m { for column in 0..<n { c[row * ldc + column] *= beta } }
        return
    }
    GEMMClock.measure {
        cblas_sgemm(CblasRowMajor,
                    transposeA == .none ? CblasNoTrans : CblasTrans,
                    transposeB == .none ? CblasNoTrans : CblasTrans,
                    Int32(m), Int32(n), Int32(k), alpha,
                    a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}
