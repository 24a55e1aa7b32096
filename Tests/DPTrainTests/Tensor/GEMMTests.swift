import DPTrain
import DPTrainTestSupport
import Testing

struct GEMMCase: Sendable, CustomTestStringConvertible {
    var transposeA: Transpose, transposeB: Transpose
    var m: Int, n: Int, k: Int
    var testDescription: String { "\(transposeA)/\(transposeB) \(m)×\(n)×\(k)" }
}

let gemmCases: [GEMMCase] = Transpose.allCases.flatMap { a in
    Transpose.allCases.flatMap { b in
        [(1, 1, 1), (3, 5, 7), (129, 65, 257)].map { GEMMCase(transposeA: a, transposeB: b, m: $0.0, n: $0.1, k: $0.2) }
    }
}

@Suite("gemm")
struct GEMMTests {
    @Test("gemm matches the naive Double triple loop", arguments: gemmCases)
    func matchesReference(_ c: GEMMCase) {
        var random = TestRandom(seed: 7)
        // Stored shapes: A is m×k (k×m when transposed), B is k×n (n×k when transposed).
        let lda = c.transposeA == .none ? c.k : c.m
        let ldb = c.transposeB == .none ? c.n : c.k
        let a = random.floats(c.m * c.k), b = random.floats(c.k * c.n), c0 = random.floats(c.m * c.n)
        var blas = c0, naive = c0
        let alpha: Float = 0.75, beta: Float = -1.5
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                blas.withUnsafeMutableBufferPointer { out in
                    gemm(transposeA: c.transposeA, transposeB: c.transposeB, m: c.m, n: c.n, k: c.k, alpha: alpha,
                         a: a.baseAddress!, lda: lda, b: b.baseAddress!, ldb: ldb, beta: beta,
                         c: out.baseAddress!, ldc: c.n)
                }
                naive.withUnsafeMutableBufferPointer { out in
                    referenceGemm(transposeA: c.transposeA, transposeB: c.transposeB, m: c.m, n: c.n, k: c.k,
                                  alpha: alpha, a: a.baseAddress!, lda: lda, b: b.baseAddress!, ldb: ldb,
                                  beta: beta, c: out.baseAddress!, ldc: c.n)
                }
            }
        }
        // Float accumulation over k terms of size ≤ 1: absolute error grows like √k·ε.
        assertClose(blas, naive.map(Double.init), relative: 1e-5, absolute: 1e-5, "C")
    }

    @Test("referenceGemm itself: a 2×2 product by hand")
    func referenceByHand() {
        // [1 2; 3 4]·[5 6; 7 8] = [19 22; 43 50]; with alpha 2, beta 1 on C = 1: [39 45; 87 101].
        let a: [Float] = [1, 2, 3, 4], b: [Float] = [5, 6, 7, 8]
        var c: [Float] = [1, 1, 1, 1]
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    referenceGemm(transposeA: .none, transposeB: .none, m: 2, n: 2, k: 2, alpha: 2,
                                  a: a.baseAddress!, lda: 2, b: b.baseAddress!, ldb: 2, beta: 1,
                                  c: c.baseAddress!, ldc: 2)
                }
            }
        }
        #expect(c == [39, 45, 87, 101])
    }
}
