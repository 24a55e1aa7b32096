import Foundation
import Testing
import DPTrain

/// `NoiseScaleMeasurement` (the exact B_simple of `dptrain noise-scale`) against the formulas
/// of ``ExactNoiseScale`` evaluated by hand on a model whose per-sample gradients are known.
@Suite("Exact noise scale")
struct NoiseScaleMeasurementTests {
    /// Linear regression at θ = 0 (zero init, no bias): with MSE the per-sample gradient is
    /// ∂(θ·x − y)²/∂θ = −2·y·x, which the test computes from the dataset itself.
    static func config(samples: Int, micro: Int) throws -> TrainingConfig {
        try TrainingTestSupport.config("""
            name: exact-noise
            seed: 5
            data: {dataset: linear_regression, samples: \(samples), test_samples: 10, features: 6, noise: 0.5}
            model: {input: [6], layers: [{dense: 1, init: zeros, bias: false}]}
            loss: mse
            optimizer: {name: sgd, lr: 0.1}
            batch: {global: 40, micro: \(micro)}
            """)
    }

    /// tr(Σ), |G|²_full and |G|² from the per-sample gradients −2·y·x, in Double, with the
    /// batches π_e[j·b ..< (j+1)·b] of the sampler's order.
    static func reference(_ builder: RunBuilder, batch: Int, epoch: Int)
        -> (trace: Double, full: Double, gradientSquared: Double, batches: Int) {
        let data = builder.data.train
        let order = EpochSampler.permutation(count: data.count, seed: builder.config.seed, epoch: epoch, shuffle: true)
        let n = data.count / batch
        var means: [[Double]] = []
        for j in 0..<n {
            var g = [Double](repeating: 0, count: data.featureCount)
            for position in (j * batch)..<((j + 1) * batch) {
                let index = Int(order[position])
                let y = Double(data.targetRow(index)[0])
                for f in 0..<data.featureCount { g[f] += -2 * y * Double(data.row(index)[f]) / Double(batch) }
            }
            means.append(g)
        }
        let mean = (0..<data.featureCount).map { f in means.reduce(0) { $0 + $1[f] } / Double(n) }
        let full = mean.reduce(0) { $0 + $1 * $1 }
        let deviations = means.reduce(0) { sum, g in sum + zip(g, mean).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } }
        let trace = Double(batch) * deviations / Double(n - 1)
        return (trace, full, full - trace / Double(n * batch), n)
    }

    @Test("tr(Σ), |G|² and B_simple match the hand computation; a short tail is dropped",
          arguments: [(samples: 1000, micro: 20), (samples: 1013, micro: 40), (samples: 1000, micro: 8)])
    func matchesReference(samples: Int, micro: Int) throws {
        let builder = try RunBuilder(config: Self.config(samples: samples, micro: micro), communicator: LocalCommunicator())
        let result = try NoiseScaleMeasurement.measure(builder, batch: 40, epoch: 3)
        let expected = Self.reference(builder, batch: 40, epoch: 3)
        #expect(result.batchCount == 25 && result.samples == 1000 && result.trainingSamples == samples)
        #expect(abs(result.trace - expected.trace) <= 1e-5 * expected.trace, "tr(Σ) \(result.trace) vs \(expected.trace)")
        #expect(abs(result.gradientSquared - expected.full) <= 1e-5 * expected.full)
        #expect(abs(result.populationGradientSquared - expected.gradientSquared) <= 1e-5 * expected.gradientSquared)
        let bSimple = expected.trace / expected.full
        #expect(abs(result.bSimple - bSimple) <= 1e-4 * bSimple, "B_simple \(result.bSimple) vs \(bSimple)")
        // The parameters are left as they were.
        #expect(Array(builder.model.store.values).allSatisfy { $0 == 0 })
    }

    @Test("a batch that is not a whole number of micro-batches, or leaves < 2 batches, is refused with advice")
    func badBatches() throws {
        let builder = try RunBuilder(config: Self.config(samples: 1000, micro: 20), communicator: LocalCommunicator())
        #expect(throws: NoiseScaleError.batchNotMultipleOfMicro(batch: 50, micro: 20, suggestions: [40, 60])) {
            try NoiseScaleMeasurement.measure(builder, batch: 50, epoch: 0)
        }
        #expect(throws: NoiseScaleError.tooFewBatches(batch: 600, samples: 1000)) {
            try NoiseScaleMeasurement.measure(builder, batch: 600, epoch: 0)
        }
        #expect(throws: NoiseScaleError.self) { try NoiseScaleMeasurement.measure(builder, batch: 0, epoch: 0) }
        let message = String(describing: NoiseScaleError.batchNotMultipleOfMicro(batch: 50, micro: 20, suggestions: [40, 60]))
        #expect(message.contains("--batch 50") && message.contains("40 or 60") && message.contains("batch.micro"))
    }
}
