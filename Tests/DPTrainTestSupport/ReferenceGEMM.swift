import DPTrain

/// The same product as ``DPTrain/gemm(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``,
/// computed with a naive triple loop in Double: the reference that tests compare BLAS with.
///
///     C = alpha · op(A) · op(B) + beta · C
///
/// op(A) is m×k, op(B) k×n, C m×n; `lda`, `ldb`, `ldc` are the row strides as stored (A is
/// k×m when transposed). Each element is Σ_p A·B in Double, then rounded once to Float;
/// beta = 0 ignores C (so NaN in C does not propagate, as BLAS).
public func referenceGemm(transposeA: Transpose, transposeB: Transpose,
                          m: Int, n: Int, k: Int,
                          alpha: Float = 1,
                          a: UnsafePointer<Float>, lda: Int,
                          b: UnsafePointer<Float>, ldb: Int,
                          beta: Float,
                          c: UnsafeMutablePointer<Float>, ldc: Int) {
    for i in 0..<m {
        for j in 0..<n {
            var sum = 0.0
            for p in 0..<k {
                let aValue = transposeA == .none ? a[i * lda + p] : a[p * lda + i]
                let bValue = transposeB == .none ? b[p * ldb + j] : b[j * ldb + p]
                sum += Double(aValue) * Double(bValue)
            }
            let previous = beta == 0 ? 0 : Double(beta) * Double(c[i * ldc + j])
            c[i * ldc + j] = Float(Double(alpha) * sum + previous)
        }
    }
}
