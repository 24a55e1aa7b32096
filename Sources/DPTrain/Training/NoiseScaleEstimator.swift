/// Online estimate of the gradient noise scale B_simple = tr(Σ)/|G|² (McCandlish et al.
/// 2018, "An Empirical Model of Large-Batch Training", appendix A.1).
///
/// From the squared norm of gradients averaged over a small batch (|G_small|², B_small
/// samples) and over the big batch (|G_big|², B_big samples), unbiased estimates are
///
///     |G|²   ≈ (B_big·|G_big|² − B_small·|G_small|²) / (B_big − B_small)
///     tr(Σ)  ≈ (|G_small|² − |G_big|²) / (1/B_small − 1/B_big)
///
/// Each is smoothed with an exponential moving average (weight `smoothing` on the old value)
/// before taking the ratio, because the single-step ratio is very noisy. In dptrain the small
/// batch is each rank's first micro-batch (m samples, measured before the all-reduce and
/// averaged over ranks) and the big batch is the whole step (B samples, after it).
public struct NoiseScaleEstimator: Equatable, Sendable, Codable {
    /// EMA weight of the old value (`train.noise_smoothing`, default 0.9).
    public var smoothing: Double
    /// Smoothed |G|² estimate (nil before the first measurement).
    public private(set) var gradientSquaredEMA: Double?
    /// Smoothed tr(Σ) estimate (nil before the first measurement).
    public private(set) var traceEMA: Double?

    /// An estimator with no measurement yet.
    public init(smoothing: Double) { self.smoothing = smoothing }

    /// Adds one measurement; returns the current B_simple (nil until defined).
    @discardableResult
    public mutating func add(smallNormSquared: Double, smallBatch: Double,
                             bigNormSquared: Double, bigBatch: Double) -> Double? {
        guard bigBatch > smallBatch, smallBatch > 0,
              smallNormSquared.isFinite, bigNormSquared.isFinite else { return bSimple }
        let gradientSquared = (bigBatch * bigNormSquared - smallBatch * smallNormSquared) / (bigBatch - smallBatch)
        let trace = (smallNormSquared - bigNormSquared) / (1 / smallBatch - 1 / bigBatch)
        gradientSquaredEMA = gradientSquaredEMA.map { smoothing * $0 + (1 - smoothing) * gradientSquared } ?? gradientSquared
        traceEMA = traceEMA.map { smoothing * $0 + (1 - smoothing) * trace } ?? trace
        return bSimple
    }

    /// tr(Σ)/|G|² from the smoothed estimates (nil before the first measurement or when |G|² ≤ 0).
    public var bSimple: Double? {
        guard let g = gradientSquaredEMA, let s = traceEMA, g > 0 else { return nil }
        return s / g
    }
}
