/// The gradient noise scale at fixed weights, measured over every batch of one epoch
/// (``NoiseScaleMeasurement``): the reference the online ``NoiseScaleEstimator`` is checked
/// against (McCandlish et al. 2018, "An Empirical Model of Large-Batch Training", §2.2).
///
/// With the n = ⌊N/b⌋ batches of b samples of epoch e's order (the tail of N − n·b samples is
/// dropped, as training does), g_j the mean gradient of batch j and G_N = (1/n)·Σ_j g_j the
/// mean gradient of the n·b samples (the full-training-set gradient, up to the tail):
///
///     tr(Σ) = b · Σ_j |g_j − G_N|² / (n − 1)        (per sample: b × the unbiased variance of the g_j)
///     B_simple = tr(Σ) / |G_N|²
///
/// **Why G_N.** A training step's batch is drawn from the N training samples, so its gradient
/// estimates G_N, with noise tr(Σ)(1/B − 1/N): B_simple relative to G_N is the noise scale of
/// the optimisation that actually runs, and stays meaningful when it approaches N. Earlier
/// versions divided by the population estimate |G_N|² − tr(Σ)/(n·b) (``populationGradientSquared``,
/// still reported), which is the small difference of two nearly equal terms late in training
/// and grew past 10⁵ on the Fashion-MNIST MLP.
///
/// **No further finite-population correction.** The batches partition the samples, so G_N is
/// their exact mean; over random orders the n − 1 divisor then makes tr(Σ) unbiased for the
/// per-sample covariance trace 1/(N−1)·Σ_s |∇ℓ_s − G_N|² (the batch means' variance carries
/// the factor (N − b)/(N − 1), which the divisor cancels).
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
    public var gradientSquared: Double
    /// tr(Σ), the per-sample gradient covariance trace.
    public var trace: Double

    /// Samples used, n·b.
    public var samples: Int { batch * batchCount }
    /// |G_N|² − tr(Σ)/(n·b): the unbiased estimate of the squared expected gradient of the data
    /// distribution (the samples' own sampling noise removed).
    public var populationGradientSquared: Double { gradientSquared - trace / Double(samples) }
    /// B_simple = tr(Σ)/|G_N|².
    public var bSimple: Double { trace / gradientSquared }

    /// The result of a measurement from its sums.
    /// - Parameters:
    ///   - sumOfSquaredNorms: Σ_j |g_j|² over the n batches.
    ///   - meanGradientSquared: |G_N|².
    public init(batch: Int, batchCount: Int, epoch: Int, trainingSamples: Int,
                sumOfSquaredNorms: Double, meanGradientSquared: Double) {
        (self.batch, self.batchCount, self.epoch, self.trainingSamples) = (batch, batchCount, epoch, trainingSamples)
        gradientSquared = meanGradientSquared
        // Σ_j |g_j − G_N|² = Σ_j |g_j|² − n·|G_N|².
        let n = Double(batchCount)
        trace = Double(batch) * (sumOfSquaredNorms - n * meanGradientSquared) / (n - 1)
    }

    /// B_simple over several weights (checkpoints of a stretch of training), as the online
    /// window forms it: mean tr(Σ) / mean |G_N|² (nil for none or a non-positive mean).
    public static func bSimple(averagedOver results: [ExactNoiseScale]) -> Double? {
        guard !results.isEmpty else { return nil }
        let count = Double(results.count)
        let trace = results.reduce(0) { $0 + $1.trace } / count
        let gradientSquared = results.reduce(0) { $0 + $1.gradientSquared } / count
        return gradientSquared > 0 ? trace / gradientSquared : nil
    }
}
