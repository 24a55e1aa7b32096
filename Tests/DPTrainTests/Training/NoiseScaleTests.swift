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
    /// the window averages many steps: the last 2 epochs' 256 of the 1024 steps here (seed 3's
    /// analytic value is 9.255; with N = 65,536 the training set's G_N is within 0.1% of G).
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
            train: {epochs: 8, eval_every: 0, log_every: 1000, noise_every: 1, noise_window: 2}
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

    @Test("a measurement: tr(Σ) = m × the micro-batches' unbiased variance, |G_N|² = |G_B|² − tr(Σ)/B + tr(Σ)/N")
    func microBatchMeasurement() throws {
        // M = 3 micro-batches of m = 2 (B = 6) whose mean gradients are the scalars 1, 2, 6,
        // drawn from N = 600 samples: G_B = 3, Σ n_i·g_i² = 2·(1 + 4 + 36) = 82. Unbiased
        // variance ((−2)² + (−1)² + 3²)/2 = 7, so tr(Σ) = 2·7 = 14 and
        // |G_N|² = 9 − 14/6 + 14/600 = 2007/300 (= 6.69).
        let measurement = try #require(NoiseScaleEstimator.Measurement(
            microBatchNormSquaredSum: 82, microBatchCount: 3, bigNormSquared: 9, bigBatch: 6,
            trainingSamples: 600, samples: 6))
        #expect(abs(measurement.trace - 14) < 1e-12)
        #expect(abs(measurement.gradientSquared - 2007.0 / 300) < 1e-12)
        var estimator = NoiseScaleEstimator(windowSamples: 100)
        #expect(estimator.bSimple == nil)
        estimator.add(measurement)
        #expect(abs(try #require(estimator.bSimple) - 14 / (2007.0 / 300)) < 1e-12)
        // One micro-batch is the whole step, or a norm is not finite: nothing to measure.
        #expect(NoiseScaleEstimator.Measurement(microBatchNormSquaredSum: 24, microBatchCount: 1, bigNormSquared: 4,
                                                bigBatch: 6, trainingSamples: 600, samples: 6) == nil)
        #expect(NoiseScaleEstimator.Measurement(microBatchNormSquaredSum: .infinity, microBatchCount: 3,
                                                bigNormSquared: 4, bigBatch: 6, trainingSamples: 600, samples: 6) == nil)
    }

    @Test("the window: B_simple = mean tr(Σ) / mean |G|² over the measurements of the last windowSamples samples")
    func window() {
        // Measurements (|G|², tr) = (1, 10), (3, 50), (2, 30) after 100, 200 and 300 samples; a
        // window of 150 samples keeps those taken after 300 − 150 = 150: the last two, so
        // B_simple = mean(50, 30)/mean(3, 2) = 40/2.5 = 16 (with the first: 30/2 = 15).
        var estimator = NoiseScaleEstimator(windowSamples: 150)
        estimator.add(.init(gradientSquared: 1, trace: 10, samples: 100))
        #expect(estimator.bSimple == 10)
        estimator.add(.init(gradientSquared: 3, trace: 50, samples: 200))
        #expect(estimator.bSimple == 15)
        estimator.add(.init(gradientSquared: 2, trace: 30, samples: 300))
        #expect(estimator.window.map(\.samples) == [200, 300])
        #expect(estimator.trace == 40 && estimator.gradientSquared == 2.5 && estimator.bSimple == 16)
        // A window shorter than a step keeps the newest measurement only.
        var newest = NoiseScaleEstimator(windowSamples: 1)
        newest.add(.init(gradientSquared: 1, trace: 10, samples: 100))
        newest.add(.init(gradientSquared: 4, trace: 10, samples: 101))
        #expect(newest.window.count == 1 && newest.bSimple == 2.5)
        // |G|² ≤ 0 in the mean: not defined.
        newest.add(.init(gradientSquared: -1, trace: 10, samples: 200))
        #expect(newest.bSimple == nil)
    }

    @Test("train.noise_smoothing is refused, naming train.noise_window")
    func retiredSmoothing() {
        do {
            _ = try TrainingTestSupport.config("""
                name: retired
                data: {dataset: spirals, samples: 64, test_samples: 16}
                model: {input: [2], layers: [{dense: 2}]}
                loss: softmax_cross_entropy
                optimizer: {name: sgd, lr: 0.1}
                batch: {global: 16, micro: 8}
                train: {epochs: 1, noise_smoothing: 0.9}
                """)
            Issue.record("a config with train.noise_smoothing was accepted")
        } catch {
            #expect("\(error)".contains("noise_smoothing") && "\(error)".contains("train.noise_window"), "\(error)")
        }
    }

    @Test("checkpoints: the window round-trips; an older checkpoint's EMA state starts it")
    func checkpointCoding() throws {
        // The header JSON of a checkpoint written with the exponential average.
        let old = Data(#"{"smoothing":0.9,"gradientSquaredEMA":0.25,"traceEMA":500}"#.utf8)
        var decoded = try JSONDecoder().decode(NoiseScaleEstimator.self, from: old)
        #expect(decoded.gradientSquared == 0.25 && decoded.trace == 500 && decoded.bSimple == 2000)
        // The first new measurement replaces it.
        decoded.windowSamples = 1000
        decoded.add(.init(gradientSquared: 1, trace: 100, samples: 64))
        #expect(decoded.window.count == 1 && decoded.bSimple == 100)
        let fresh = try JSONDecoder().decode(NoiseScaleEstimator.self, from: Data(#"{"smoothing":0.9}"#.utf8))
        #expect(fresh.bSimple == nil)
        var estimator = NoiseScaleEstimator(windowSamples: 500)
        estimator.add(.init(gradientSquared: 1, trace: 100, samples: 64))
        estimator.add(.init(gradientSquared: 2, trace: 50, samples: 128))
        #expect(try JSONDecoder().decode(NoiseScaleEstimator.self, from: JSONEncoder().encode(estimator)) == estimator)
    }
}
