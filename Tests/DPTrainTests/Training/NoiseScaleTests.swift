import Foundation
import Testing
import DPTrain

/// DESIGN §3.7: the online B_simple estimate against the analytic noise scale of a problem
/// whose per-sample gradient covariance is known.
@Suite("Gradient noise scale")
struct NoiseScaleTests {
    /// Linear regression y = w·x + ε, x ~ N(0, I_d), ε ~ N(0, σ²), evaluated at θ = 0 (zero
    /// init, learning rate so small that θ stays ≈ 0). Per-sample gradient of (θ·x − y)² at 0:
    /// g = −2yx, so G = −2w and Σ = 4[(|w|²+σ²)I + wwᵀ]: B_simple = (d(|w|²+σ²) + |w|²)/|w|².
    ///
    /// One step's estimate is noisy (its 16 micro-batches of 32 against the batch of 512), so
    /// the EMA averages many steps: 1024 steps with smoothing 0.99 here (seed 3's analytic
    /// value is 9.255).
    @Test("logged B_simple is within 20% of tr(Σ)/|G|²")
    func linearRegression() throws {
        let features = 8, noise = 0.5
        let config = try TrainingTestSupport.config("""
            name: noise
            seed: 3
            data: {dataset: linear_regression, samples: 65536, test_samples: 100, features: \(features), noise: \(noise)}
            model: {input: [\(features)], layers: [{dense: 1, init: zeros, bias: false}]}
            loss: mse
            optimizer: {name: sgd, lr: 0.0000001}
            batch: {global: 512, micro: 32}
            train: {epochs: 8, eval_every: 0, log_every: 1000, noise_every: 1, noise_smoothing: 0.99}
            """)
        let weights = SyntheticData.regressionWeights(features: features, seed: 3)
        let w2 = weights.reduce(0) { $0 + $1 * $1 }
        let analytic = (Double(features) * (w2 + noise * noise) + w2) / w2
        let builder = try RunBuilder(config: config, communicator: LocalCommunicator())
        let trainer = try builder.makeTrainer(writeRunDirectory: false)
        try trainer.run()
        let estimate = try #require(trainer.state.noise.bSimple)
        #expect(abs(estimate - analytic) / analytic < 0.2, "B_simple \(estimate), analytic \(analytic)")
    }

    @Test("estimator: exact inputs give exact outputs")
    func estimatorAlgebra() {
        // With |G|² = 4 and tr(Σ) = 40: |G_b|² = |G|² + tr(Σ)/b for b = 8 and 64.
        var estimator = NoiseScaleEstimator(smoothing: 0)
        let result = estimator.add(smallNormSquared: 4 + 40.0 / 8, smallBatch: 8,
                                   bigNormSquared: 4 + 40.0 / 64, bigBatch: 64)
        #expect(abs((result ?? 0) - 10) < 1e-9)
        // Not defined when the "small" batch is the whole batch.
        var other = NoiseScaleEstimator(smoothing: 0)
        #expect(other.add(smallNormSquared: 1, smallBatch: 64, bigNormSquared: 1, bigBatch: 64) == nil)
    }

    @Test("estimator: all M micro-batches give tr(Σ) = m × their unbiased variance and |G|² = |G_B|² − tr(Σ)/B")
    func microBatchMeasurement() throws {
        // M = 3 micro-batches of m = 2 (B = 6) whose mean gradients are the scalars 1, 2, 6:
        // G_B = 3, Σ n_i·g_i² = 2·(1 + 4 + 36) = 82. Unbiased variance ((−2)² + (−1)² + 3²)/2 = 7,
        // so tr(Σ) = 2·7 = 14, |G|² = 9 − 14/6 = 20/3, B_simple = 14/(20/3) = 2.1.
        var estimator = NoiseScaleEstimator(smoothing: 0)
        let measured = estimator.add(microBatchNormSquaredSum: 82, microBatchCount: 3, bigNormSquared: 9, bigBatch: 6)
        let result = try #require(measured)
        #expect(abs(try #require(estimator.traceEMA) - 14) < 1e-12)
        #expect(abs(try #require(estimator.gradientSquaredEMA) - 20.0 / 3) < 1e-12)
        #expect(abs(result - 2.1) < 1e-12)
        // A second measurement (tr 0, |G|² 4: all g_i = 2) is averaged into each EMA separately:
        // with smoothing ½, tr → 7 and |G|² → (20/3 + 4)/2 = 16/3, B_simple → 7/(16/3) = 1.3125.
        var smoothed = NoiseScaleEstimator(smoothing: 0.5)
        smoothed.add(microBatchNormSquaredSum: 82, microBatchCount: 3, bigNormSquared: 9, bigBatch: 6)
        let secondMeasured = smoothed.add(microBatchNormSquaredSum: 24, microBatchCount: 3, bigNormSquared: 4, bigBatch: 6)
        let second = try #require(secondMeasured)
        #expect(abs(second - 1.3125) < 1e-12)
        // One micro-batch is the whole step: nothing to compare.
        var single = NoiseScaleEstimator(smoothing: 0)
        #expect(single.add(microBatchNormSquaredSum: 24, microBatchCount: 1, bigNormSquared: 4, bigBatch: 6) == nil)
    }

    @Test("checkpoints: the estimator's JSON keeps its field names, so older checkpoints load")
    func checkpointCoding() throws {
        // The header JSON of a checkpoint written before the all-micro-batch estimator.
        let old = Data(#"{"smoothing":0.9,"gradientSquaredEMA":0.25,"traceEMA":500}"#.utf8)
        let decoded = try JSONDecoder().decode(NoiseScaleEstimator.self, from: old)
        #expect(decoded.smoothing == 0.9 && decoded.gradientSquaredEMA == 0.25 && decoded.traceEMA == 500)
        #expect(decoded.bSimple == 2000)
        let fresh = try JSONDecoder().decode(NoiseScaleEstimator.self, from: Data(#"{"smoothing":0.9}"#.utf8))
        #expect(fresh.bSimple == nil)
        var estimator = NoiseScaleEstimator(smoothing: 0.8)
        estimator.add(microBatchNormSquaredSum: 82, microBatchCount: 3, bigNormSquared: 9, bigBatch: 6)
        #expect(try JSONDecoder().decode(NoiseScaleEstimator.self, from: JSONEncoder().encode(estimator)) == estimator)
    }
}
