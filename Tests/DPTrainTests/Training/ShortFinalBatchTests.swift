import DPTrain
import Foundation
import Testing

/// `data.drop_last: false`: the epoch's short final batch is trained on, its gradient the mean
/// over the samples it really has (DESIGN §3.2: each sample's gradient divided by the real B).
///
/// A linear softmax classifier (2 → 2) trained with plain SGD on 6 samples in file order with
/// B = 4 (m = 2, K = 2) takes two steps: samples 0–3, then 4–5 (with an empty second slot).
/// The expected parameters are computed here in Double from the initial ones by hand:
/// p = softmax(W·x + b), ∂ℓ/∂W = (p − onehot(y))·xᵀ, ∂ℓ/∂b = p − onehot(y), each summed over the
/// step's samples and divided by their count, θ ← θ − η·g.
@Suite("Short final batch (drop_last: false)")
struct ShortFinalBatchTests {
    static let features: [[Double]] = [[1, 2], [-1, 0.5], [0.3, -2], [2, 1], [-0.5, -1], [1.5, -0.5]]
    static let labels = [0, 1, 1, 0, 1, 0]
    static let learningRate = 0.5

    /// One SGD step of the reference on `samples`, dividing the summed gradient by `divisor`.
    static func referenceStep(weights: inout [[Double]], bias: inout [Double], samples: [Int], divisor: Double) {
        var gradientW = [[Double]](repeating: [0, 0], count: 2), gradientB = [0.0, 0.0]
        for index in samples {
            let x = features[index]
            let logits = (0..<2).map { o in weights[o][0] * x[0] + weights[o][1] * x[1] + bias[o] }
            let top = logits.max()!
            let exponentials = logits.map { Foundation.exp($0 - top) }
            let total = exponentials.reduce(0, +)
            for o in 0..<2 {
                let delta = exponentials[o] / total - (labels[index] == o ? 1 : 0)
                gradientB[o] += delta
                for i in 0..<2 { gradientW[o][i] += delta * x[i] }
            }
        }
        for o in 0..<2 {
            bias[o] -= learningRate * gradientB[o] / divisor
            for i in 0..<2 { weights[o][i] -= learningRate * gradientW[o][i] / divisor }
        }
    }

    @Test("the short final batch's gradient is divided by its real count, matching a hand computation")
    func shortBatchGradientUsesRealCount() throws {
        let directory = try CommandRunner.temporaryDirectory("short-batch")
        defer { try? FileManager.default.removeItem(at: directory) }
        let csv = directory.appendingPathComponent("train.csv")
        let rows = zip(Self.features, Self.labels).map { "\($0[0]),\($0[1]),\($1)" }
        try (["a,b,label"] + rows).joined(separator: "\n").appending("\n").write(to: csv, atomically: true, encoding: .utf8)
        let config = try TrainingTestSupport.config("""
            name: short
            seed: 3
            data: {dataset: csv, train: \(csv.path), normalize: none, shuffle: false, drop_last: false}
            model: {input: [2], layers: [{dense: 2}]}
            loss: softmax_cross_entropy
            optimizer: {name: sgd, lr: \(Self.learningRate), momentum: 0}
            batch: {global: 4, micro: 2}
            lr_schedule: {name: constant, scale: {rule: none}}
            train: {epochs: 1, eval_every: 0, log_every: 1000}
            """)
        let builder = try RunBuilder(config: config, communicator: LocalCommunicator())
        let trainer = try builder.makeTrainer(writeRunDirectory: false)
        let store = trainer.model.store
        let weightSlice = try #require(store.slice(named: "dense.0.weight"))
        let biasSlice = try #require(store.slice(named: "dense.0.bias"))
        func read() -> (weights: [[Double]], bias: [Double]) {
            let w = store.values(of: weightSlice), b = store.values(of: biasSlice)
            return ((0..<2).map { o in (0..<2).map { Double(w[o * 2 + $0]) } }, (0..<2).map { Double(b[$0]) })
        }
        var (weights, bias) = read()
        var (wrongWeights, wrongBias) = (weights, bias)

        try trainer.run()
        #expect(trainer.state.step == 2 && trainer.state.samples == 6, "two steps, every sample once: \(trainer.state)")

        Self.referenceStep(weights: &weights, bias: &bias, samples: [0, 1, 2, 3], divisor: 4)
        Self.referenceStep(weights: &weights, bias: &bias, samples: [4, 5], divisor: 2)
        // The mistake this test guards against: dividing the short batch by the nominal B.
        Self.referenceStep(weights: &wrongWeights, bias: &wrongBias, samples: [0, 1, 2, 3], divisor: 4)
        Self.referenceStep(weights: &wrongWeights, bias: &wrongBias, samples: [4, 5], divisor: 4)

        let trained = read()
        let expected = weights.flatMap { $0 } + bias
        let actual = trained.weights.flatMap { $0 } + trained.bias
        let wrong = wrongWeights.flatMap { $0 } + wrongBias
        for (index, (value, reference)) in zip(actual, expected).enumerated() {
            #expect(abs(value - reference) <= 1e-5 * max(1, abs(reference)), "parameter \(index): \(value) vs \(reference)")
        }
        let separation = zip(expected, wrong).map { abs($0 - $1) }.max()!
        #expect(separation > 1e-3, "the data must tell the right divisor from the wrong one (difference \(separation))")
    }
}
