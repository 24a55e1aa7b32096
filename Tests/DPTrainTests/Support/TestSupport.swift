import DPTrain
import Foundation
import Testing

// MARK: - Owned matrices for tests

/// A `rows × columns` matrix that owns its floats (tests only; the library uses FloatBuffer).
final class TestMatrix {
    let buffer: FloatBuffer
    let matrix: Matrix

    init(rows: Int, columns: Int, values: [Float]? = nil) {
        buffer = FloatBuffer(capacity: rows * columns)
        matrix = buffer.matrix(rows: rows, columns: columns)
        if let values {
            precondition(values.count == rows * columns)
            for i in 0..<values.count { matrix.base[i] = values[i] }
        }
    }

    var array: [Float] { matrix.toArray() }
    var doubles: [Double] { matrix.toArray().map(Double.init) }
}

/// Deterministic random test data (SplitMix64 from the library is only the bit source).
struct TestRandom {
    var generator: SplitMix64
    init(seed: UInt64) { generator = SplitMix64(seed: seed) }

    /// `count` floats uniform in [low, high).
    mutating func floats(_ count: Int, low: Float = -1, high: Float = 1) -> [Float] {
        (0..<count).map { _ in low + (high - low) * generator.nextFloat() }
    }

    /// `count` labels in 0 ..< classes.
    mutating func labels(_ count: Int, classes: Int) -> [Int32] {
        (0..<count).map { _ in Int32(generator.nextInt(below: classes)) }
    }
}

// MARK: - Comparisons

/// Records an issue unless every |actual − expected| ≤ absolute + relative·|expected|.
/// Reports the count and the first few mismatches with their indices.
func assertClose(_ actual: [Double], _ expected: [Double], relative: Double = 1e-5,
                 absolute: Double = 1e-6, _ what: String = "",
                 sourceLocation: SourceLocation = #_sourceLocation) {
    guard actual.count == expected.count else {
        Issue.record("\(what): count \(actual.count) ≠ expected \(expected.count)", sourceLocation: sourceLocation)
        return
    }
    var failures: [String] = []
    var failureCount = 0
    for i in 0..<actual.count {
        let a = actual[i], e = expected[i]
        let ok = a.isFinite && e.isFinite && abs(a - e) <= absolute + relative * abs(e)
        if !ok {
            failureCount += 1
            if failures.count < 5 { failures.append("[\(i)] \(a) vs \(e)") }
        }
    }
    if failureCount > 0 {
        Issue.record("\(what): \(failureCount) of \(actual.count) differ: \(failures.joined(separator: ", "))",
                     sourceLocation: sourceLocation)
    }
}

/// Float overload.
func assertClose(_ actual: [Float], _ expected: [Double], relative: Double = 1e-5,
                 absolute: Double = 1e-6, _ what: String = "",
                 sourceLocation: SourceLocation = #_sourceLocation) {
    assertClose(actual.map(Double.init), expected, relative: relative, absolute: absolute, what,
                sourceLocation: sourceLocation)
}

/// Scalar overload.
func assertClose(_ actual: Double, _ expected: Double, relative: Double = 1e-5,
                 absolute: Double = 1e-6, _ what: String = "",
                 sourceLocation: SourceLocation = #_sourceLocation) {
    assertClose([actual], [expected], relative: relative, absolute: absolute, what,
                sourceLocation: sourceLocation)
}

// MARK: - Finite differences

/// Central finite differences of a scalar function f: ℝᵏ → ℝ at `point`, in Double:
/// (f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h for each i.
func centralDifferences(at point: [Double], step h: Double = 1e-6, _ f: ([Double]) -> Double) -> [Double] {
    var x = point
    var result = [Double](repeating: 0, count: point.count)
    for i in 0..<point.count {
        let original = x[i]
        x[i] = original + h
        let plus = f(x)
        x[i] = original - h
        let minus = f(x)
        x[i] = original
        result[i] = (plus - minus) / (2 * h)
    }
    return result
}
