/// The gradient noise scale at fixed weights, measured over every batch of one epoch
/// (``NoiseScaleMeasurement``): the reference the online ``NoiseScaleEstimator`` is checked
/// against (McCandlish et al. 2018, "An Empirical Model of Large-Batch Training", §2.2).
///
/// With the n = ⌊N/b⌋ batches of b samples of epoch e's order (the tail of N − n·b samples is
/// dropped, as training does), g_j the mean gradient of batch j and G_N = (1/n)·Σ_j g_j the
/// mean gradient of the n·b samples:
///
///     tr(Σ) = b · Σ_j |g_j − G_N|² / (n − 1)        (per sample: b × the unbiased variance of the g_j)
///     |G|²  = |G_N|² − tr(Σ)/(n·b)
///     B_simple = tr(Σ) / |G|²
///
/// **No further finite-population correction.** The batches partition the samples, so G_N is
/// their exact mean; over random orders the n − 1 divisor then makes tr(Σ) unbiased for the
/// per-sample covariance trace 1/(N−1)·Σ_s |∇ℓ_s − G_N|² (the batch means' variance carries
/// the factor (N − b)/(N − 1), which the divisor cancels). |G_N|² still holds the sampling
/// noise of a mean over n·b samples, tr(Σ)/(n·b), which |G|² removes: it is the unbiased
/// estimate of the squared expected gradient, and the same quantity the online estimator's
/// |G|² estimates from micro-batches. Both terms are reported.
public struct ExactNoiseScale: Equatable, Sendable {
    /// b, samples per batch.
    public var batch: Int
    /// n, batches of the epoch.
    public var batchCount: Int
    /// The epoch e whose sample order (and dropout masks and augmentation) was used.
    public var epoch: Int
    /// N, the training set's samples (n·b of them were used).
    public var trainingSamples: Int
    /// |G_N|², the squared norm of the mean gradient over the n·b samples.
    public var fullGradientSquared: Double
    /// tr(Σ), the per-sample gradient covariance trace.
    public var trace: Double

    /// Samples used, n·b.
    public var samples: Int { batch * batchCount }
    /// |G|² = |G_N|² − tr(Σ)/(n·b).
    public var gradientSquared: Double { fullGradientSquared - trace / Double(samples) }
    /// B_simple = tr(Σ)/|G|² (infinite or negative when |G|² ≤ 0: the gradient is pure noise).
    public var bSimple: Double { trace / gradientSquared }

    /// The result of a measurement from its sums.
    /// - Parameters:
    ///   - sumOfSquaredNorms: Σ_j |g_j|² over the n batches.
    ///   - meanGradientSquared: |G_N|².
    public init(batch: Int, batchCount: Int, epoch: Int, trainingSamples: Int,
                sumOfSquaredNorms: Double, meanGradientSquared: Double) {
        (self.batch, self.batchCount, self.epoch, self.trainingSamples) = (batch, batchCount, epoch, trainingSamples)
        fullGradientSquared = meanGradientSquared
        // Σ_j |g_j − G_N|² = Σ_j |g_j|² − n·|G_N|².
        let n = Double(batchCount)
        trace = Double(batch) * (sumOfSquaredNorms - n * meanGradientSquared) / (n - 1)
    }
}
