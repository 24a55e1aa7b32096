import DPTrain
import Testing

@Suite("Dropout")
struct DropoutTests {
    /// Runs a training forward of `dropout` on all-ones rows with the given keys; returns rows.
    private func masks(_ dropout: Dropout, keys: [UInt64]) -> [[Float]] {
        let size = dropout.inputSize
        let input = TestMatrix(rows: keys.count, columns: size, values: [Float](repeating: 1, count: keys.count * size))
        let output = keys.withUnsafeBufferPointer { pointer in
            dropout.forward(input.matrix, context: PassContext(training: true, sampleKeys: pointer.baseAddress))
        }
        return (0..<keys.count).map { r in Array(UnsafeBufferPointer(start: output.row(r), count: size)) }
    }

    @Test("A sample's mask depends on its key, not its row or the batch size")
    func maskFollowsTheKey() {
        let dropout = Dropout(name: "dropout.1", rate: 0.5, shape: [64])
        let keys: [UInt64] = (0..<9).map { SampleKeys.key(seed: 1, epoch: 2, sampleIndex: $0) }
        let whole = masks(dropout, keys: keys)
        let reversed = masks(dropout, keys: keys.reversed())
        for r in 0..<keys.count { #expect(whole[r] == reversed[keys.count - 1 - r], "row \(r)") }
        for (r, key) in keys.enumerated() { #expect(masks(dropout, keys: [key])[0] == whole[r], "alone \(r)") }
        // A second model instance (another rank) with the same layer name agrees.
        let other = Dropout(name: "dropout.1", rate: 0.5, shape: [64])
        #expect(masks(other, keys: Array(keys[3..<6])) == Array(whole[3..<6]))
        // Different samples and different layers get different masks.
        #expect(whole[0] != whole[1])
        let otherLayer = Dropout(name: "dropout.3", rate: 0.5, shape: [64])
        #expect(masks(otherLayer, keys: [keys[0]])[0] != whole[0])
    }

    @Test("Keep rate ≈ 1 − p and kept values are scaled by 1/(1 − p)", arguments: [Float(0.1), 0.2, 0.5, 0.8])
    func keepRate(rate: Float) {
        let dropout = Dropout(name: "dropout.0", rate: rate, shape: [100])
        let keys: [UInt64] = (0..<1000).map { SampleKeys.key(seed: 5, epoch: 0, sampleIndex: $0) }
        let values = masks(dropout, keys: keys).flatMap { $0 }
        let kept = values.filter { $0 != 0 }
        let keepRate = Double(kept.count) / Double(values.count)
        // 100 000 Bernoulli draws: standard deviation ≤ 0.0016.
        #expect(abs(keepRate - Double(1 - rate)) < 0.01, "keep rate \(keepRate)")
        let scale = 1 / (1 - Double(rate))
        #expect(kept.allSatisfy { abs(Double($0) - scale) < 1e-6 * scale })
    }

    @Test("Evaluation and p = 0 are the identity (zero-copy)")
    func evaluationIsIdentity() {
        let dropout = Dropout(name: "dropout.0", rate: 0.5, shape: [4])
        let input = TestMatrix(rows: 3, columns: 4, values: (0..<12).map(Float.init))
        let output = dropout.forward(input.matrix, context: .evaluation)
        #expect(output.base == input.matrix.base)
        #expect(output.toArray() == input.array)
        let gradient = TestMatrix(rows: 3, columns: 4, values: (0..<12).map { Float($0) * 2 })
        #expect(dropout.backward(gradient.matrix, context: .evaluation).toArray() == gradient.array)

        let none = Dropout(name: "dropout.0", rate: 0, shape: [4])
        let keys: [UInt64] = [1, 2, 3]
        let same = keys.withUnsafeBufferPointer {
            none.forward(input.matrix, context: PassContext(training: true, sampleKeys: $0.baseAddress))
        }
        #expect(same.toArray() == input.array)
    }
}
