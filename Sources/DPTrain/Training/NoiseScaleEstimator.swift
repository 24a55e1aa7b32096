/// Online estimate of the gradient noise scale B_simple = tr(Σ)/|G|² (McCandlish et al.
/// 2018, "An Empirical Model of Large-Batch Training", appendix A.1), where G is the expected
/// gradient and Σ the per-sample gradient covariance.
///
/// **One measurement** (a step of B samples, cut into M micro-batches of m samples): g_i is
/// the mean gradient of micro-batch i (n_i samples, Σ n_i = B) and G_B that of the whole
/// step. Since E|g_i|² = |G|² + tr(Σ)/n_i and E|G_B|² = |G|² + tr(Σ)/B, the sample-weighted
/// mean S = Σ_i n_i·|g_i|² / B has E[S] = |G|² + M·tr(Σ)/B; with b = B/M (= m when every
/// micro-batch is full) the unbiased estimates are
///
///     tr(Σ) ≈ (S − |G_B|²) / (1/b − 1/B)              (= m × the unbiased variance of the g_i)
///     |G|²  ≈ (B·|G_B|² − b·S) / (B − b)
///
/// ``add(smallNormSquared:smallBatch:bigNormSquared:bigBatch:)`` is this formula for any
/// "small" (b, S) and "big" (B, |G_B|²) pair; ``add(microBatchNormSquaredSum:microBatchCount:bigNormSquared:bigBatch:)``
/// feeds it all M micro-batches of a step. The set of micro-batches of a step depends only on
/// B and m, never on how they are spread over W ranks × K accumulation steps (DESIGN §3.3), so
/// the measurement is the same for every W×K split, up to float rounding.
///
/// **Smoothing.** Each term has its own exponential moving average (weight `smoothing` on the
/// old value; the first measurement starts it), and B_simple is the ratio of the two EMAs:
/// one step's |G|² estimate is very noisy (it can be negative), and a ratio of averages is far
/// less biased than an average of ratios (McCandlish et al., A.1).
public struct NoiseScaleEstimator: Equatable, Sendable, Codable {
    /// EMA weight of the old value (`train.noise_smoothing`, default 0.9).
    public var smoothing: Double
    /// Smoothed |G|² estimate (nil before the first measurement).
    public private(set) var gradientSquaredEMA: Double?
    /// Smoothed tr(Σ) estimate (nil before the first measurement).
    public private(set) var traceEMA: Double?

    /// An estimator with no measurement yet.
    public init(smoothing: Double) { self.smoothing = smoothing }

    /// Adds one step's measurement from its M micro-batch gradients and returns the current
    /// B_simple (nil until defined).
    /// - Parameters:
    ///   - microBatchNormSquaredSum: Σ_i n_i·|g_i|² over every micro-batch of the step (all
    ///     ranks), g_i the mean gradient of micro-batch i's n_i samples.
    ///   - microBatchCount: M, the number of micro-batches (Σ n_i = B).
    ///   - bigNormSquared: |G_B|², the squared norm of the step's mean gradient.
    ///   - bigBatch: B.
    @discardableResult
    public mutating func add(microBatchNormSquaredSum: Double, microBatchCount: Int,
                             bigNormSquared: Double, bigBatch: Double) -> Double? {
        guard microBatchCount > 1, bigBatch > 0 else { return bSimple }
        return add(smallNormSquared: microBatchNormSquaredSum / bigBatch, smallBatch: bigBatch / Double(microBatchCount),
                   bigNormSquared: bigNormSquared, bigBatch: bigBatch)
    }

    /// Adds one measurement from a squared gradient norm at a small batch b (`smallBatch`,
    /// `smallNormSquared`: E = |G|² + tr(Σ)/b) and at the big batch B; returns the current
    /// B_simple (nil until defined). Ignored unless B > b > 0 and both norms are finite.
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
