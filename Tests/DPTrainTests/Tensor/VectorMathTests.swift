import DPTrain
import Testing

/// The blocked reductions agree with plain Double sums (lengths around the 16-lane and
/// 4096-element block boundaries included).
@Suite("Vector reductions")
struct VectorMathTests {
    static let lengths = [0, 1, 15, 16, 17, 196, 784, 4095, 4096, 4097, 10_003]

    @Test("sum, squared deviations and sum-and-dot match Double references", arguments: lengths)
    func reductions(count: Int) {
        var random = TestRandom(seed: UInt64(count) + 3)
        // One spare element so that count 0 still has a valid pointer; it is never read.
        let x = random.floats(count + 1).map { $0 * 3 + 1.5 }, y = random.floats(count + 1)
        let xs = x.prefix(count), ys = y.prefix(count)
        let sum = xs.reduce(0.0) { $0 + Double($1) }
        let mean = count > 0 ? sum / Double(count) : 0
        let deviations = xs.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) }
        let dot = zip(xs, ys).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let squares = xs.reduce(0.0) { $0 + Double($1) * Double($1) }
        x.withUnsafeBufferPointer { xBuffer in
            y.withUnsafeBufferPointer { yBuffer in
                let xp = xBuffer.baseAddress!, yp = yBuffer.baseAddress!
                let tolerance = { (expected: Double) in 1e-6 * max(abs(expected), 1) }
                #expect(abs(VectorMath.sum(xp, count: count) - sum) <= tolerance(sum))
                #expect(abs(VectorMath.sumOfSquaredDeviations(xp, count: count, from: mean) - deviations) <= tolerance(deviations))
                #expect(abs(VectorMath.sumOfSquares(xp, count: count) - squares) <= tolerance(squares))
                let (s, d) = VectorMath.sumAndDot(xp, yp, count: count)
                #expect(abs(s - sum) <= tolerance(sum))
                #expect(abs(d - dot) <= tolerance(dot))
                // Centred and scaled: Σ g·(x − μ)·a, as batch norm's backward asks for it. These
                // sums nearly cancel, so the bound is relative to the sum of magnitudes.
                let a: Float = 0.37
                let terms = zip(ys, xs).map { Double($0) * Double((Float($1) - Float(mean)) * a) }
                let (s2, d2) = VectorMath.sumAndDot(yp, xp, count: count, centre: Float(mean), scale: a)
                #expect(abs(s2 - ys.reduce(0.0) { $0 + Double($1) }) <= tolerance(ys.reduce(0.0) { $0 + Double(abs($1)) }))
                #expect(abs(d2 - terms.reduce(0, +)) <= tolerance(terms.reduce(0.0) { $0 + abs($1) }))
            }
        }
    }

    @Test("a non-finite element makes every reduction non-finite")
    func nonFinite() {
        var x = [Float](repeating: 1, count: 100)
        x[57] = .nan
        x.withUnsafeBufferPointer { xs in
            #expect(!VectorMath.sum(xs.baseAddress!, count: 100).isFinite)
            #expect(!VectorMath.sumOfSquaredDeviations(xs.baseAddress!, count: 100, from: 1).isFinite)
            #expect(!VectorMath.sumAndDot(xs.baseAddress!, xs.baseAddress!, count: 100).sum.isFinite)
        }
    }
}
