/// Online estimate of the gradient noise scale B_simple = tr(Σ)/|G|² (McCandlish et al.
/// 2018, "An Empirical Model of Large-Batch Training", appendix A.1), where G = G_N is the mean
/// gradient over the N training samples and Σ the per-sample gradient covariance: the same
/// quantities `dptrain noise-scale` computes exactly at fixed weights (``ExactNoiseScale``).
///
/// **One measurement** (``Measurement``, a step of B samples cut into M micro-batches): see
/// ``Measurement/init(microBatchNormSquaredSum:microBatchCount:bigNormSquared:bigBatch:trainingSamples:samples:)``.
/// It depends only on B and the micro-batch size, never on how the micro-batches are spread
/// over W ranks × K accumulation steps (DESIGN §3.3).
///
/// **The window.** B_simple is the ratio of the two terms' means over the measurements of the
/// last `windowSamples` training samples (`train.noise_window` epochs × N; the newest is always
/// kept):
///
///     B_simple = mean(tr(Σ)_i) / mean(|G|²_i)
///
/// A ratio of means, not a mean of ratios: one step's |G|² estimate is very noisy and can be
/// negative (McCandlish et al., A.1). A finite window instead of the exponential average of
/// earlier versions: |G|² falls by orders of magnitude early in training, and an EMA's tail
/// kept those early values in the average long after (measured on the Fashion-MNIST MLP: the
/// EMA read 3× too low at epoch 2). The window's length is the trade-off between that lag and
/// the estimate's noise; README "Gradient noise scale" gives the measurements behind the default.
public struct NoiseScaleEstimator: Equatable, Sendable, Codable {
    /// One step's estimates of |G|² and tr(Σ).
    public struct Measurement: Equatable, Sendable, Codable {
        /// The |G_N|² estimate.
        public var gradientSquared: Double
        /// The tr(Σ) estimate.
        public var trace: Double
        /// Training samples seen when it was taken (``TrainingState/samples`` after the step):
        /// its position for the window.
        public var samples: Int

        /// A measurement from its two estimates.
        public init(gradientSquared: Double, trace: Double, samples: Int) {
            (self.gradientSquared, self.trace, self.samples) = (gradientSquared, trace, samples)
        }

        /// A step's measurement from its M micro-batch gradients g_i (n_i samples each, Σ n_i = B)
        /// and its mean gradient G_B, drawn without replacement from N training samples. With
        /// S = Σ_i n_i·|g_i|² / B and b = B/M, sampling theory gives E|g_b|² = |G_N|² + tr(Σ)(1/b − 1/N),
        /// so the unbiased estimates are
        ///
        ///     tr(Σ)  ≈ (S − |G_B|²) / (1/b − 1/B)
        ///     |G_N|² ≈ (B·|G_B|² − b·S) / (B − b) + tr(Σ)/N
        ///
        /// (the last term: the micro-batches of a step are disjoint, which makes the first term
        /// estimate |G_N|² − tr(Σ)/N). Nil unless M > 1 and both norms are finite.
        /// - Parameters:
        ///   - microBatchNormSquaredSum: Σ_i n_i·|g_i|² over every micro-batch of the step (all ranks).
        ///   - microBatchCount: M.
        ///   - bigNormSquared: |G_B|².
        ///   - bigBatch: B.
        ///   - trainingSamples: N.
        ///   - samples: the position, as ``samples``.
        public init?(microBatchNormSquaredSum: Double, microBatchCount: Int, bigNormSquared: Double,
                     bigBatch: Int, trainingSamples: Int, samples: Int) {
            guard microBatchCount > 1, bigBatch > 0, trainingSamples > 0,
                  microBatchNormSquaredSum.isFinite, bigNormSquared.isFinite else { return nil }
            let big = Double(bigBatch), small = big / Double(microBatchCount)
            let smallNormSquared = microBatchNormSquaredSum / big
            let trace = (smallNormSquared - bigNormSquared) / (1 / small - 1 / big)
            let gradientSquared = (big * bigNormSquared - small * smallNormSquared) / (big - small)
                + trace / Double(trainingSamples)
            self.init(gradientSquared: gradientSquared, trace: trace, samples: samples)
        }
    }

    /// The window's length in training samples (`train.noise_window` × N).
    public var windowSamples: Int
    /// The measurements in the window, oldest first.
    public private(set) var window: [Measurement] = []

    /// An estimator with no measurement yet.
    public init(windowSamples: Int) { self.windowSamples = max(windowSamples, 1) }

    /// Adds a measurement and drops those that left the window: every one taken at or before
    /// `measurement.samples − windowSamples`, except the newest.
    public mutating func add(_ measurement: Measurement) {
        window.append(measurement)
        let start = measurement.samples - windowSamples
        if let keep = window.firstIndex(where: { $0.samples > start }), keep > 0 {
            window.removeFirst(keep)
        }
    }

    /// Mean |G_N|² estimate over the window (nil before the first measurement).
    public var gradientSquared: Double? {
        window.isEmpty ? nil : window.reduce(0) { $0 + $1.gradientSquared } / Double(window.count)
    }

    /// Mean tr(Σ) estimate over the window (nil before the first measurement).
    public var trace: Double? {
        window.isEmpty ? nil : window.reduce(0) { $0 + $1.trace } / Double(window.count)
    }

    /// tr(Σ)/|G|² from the window's means (nil before the first measurement or when |G|² ≤ 0).
    public var bSimple: Double? {
        guard let g = gradientSquared, let s = trace, g > 0 else { return nil }
        return s / g
    }

    private enum CodingKeys: String, CodingKey { case windowSamples, window, smoothing, gradientSquaredEMA, traceEMA }

    /// Decodes the window, or a checkpoint written before it (an exponential average: its two
    /// values become one measurement, which the first new measurement replaces).
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        windowSamples = try container.decodeIfPresent(Int.self, forKey: .windowSamples) ?? 1
        window = try container.decodeIfPresent([Measurement].self, forKey: .window) ?? []
        if !container.contains(.windowSamples),
           let gradientSquared = try container.decodeIfPresent(Double.self, forKey: .gradientSquaredEMA),
           let trace = try container.decodeIfPresent(Double.self, forKey: .traceEMA) {
            window = [Measurement(gradientSquared: gradientSquared, trace: trace, samples: Int.min / 2)]
        }
    }

    /// Encodes the window (``init(from:)``).
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(windowSamples, forKey: .windowSamples)
        try container.encode(window, forKey: .window)
    }
}
