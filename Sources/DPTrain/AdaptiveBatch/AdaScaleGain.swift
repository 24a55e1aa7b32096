/// The AdaScale gain ratio (Johnson et al. 2020, section 3): how many base-batch updates one update
/// at scale S is worth,
///
///     r = (σ² + |G|²) / (σ²/S + |G|²)  ∈ [1, S]
///
/// with S = B/B₀, |G|² the squared norm of the true gradient and σ² = tr(Σ)/B₀ the variance of
/// a gradient averaged over B₀ samples (Σ: the per-sample gradient covariance). dptrain takes
/// |G|² and tr(Σ) from the noise-scale estimator's window means (``NoiseScaleEstimator``); the paper
/// estimates the same two quantities from the S per-worker gradients with moving averages.
///
/// Edge cases, so that r is always in [1, S]: S ≤ 1 gives exactly 1; a non-positive σ² estimate
/// gives 1 (no noise: a bigger batch buys nothing); a non-positive |G|² estimate gives S (all
/// noise: the limit |G|² → 0); no estimate yet gives 1.
///
/// Worked example (the test's): B₀ = 128, B = 512 (S = 4), tr(Σ) = 256, |G|² = 1:
/// σ² = 2, r = (2 + 1)/(0.5 + 1) = 2.
///
/// Reference: Johnson, Agrawal, Gu & Guestrin, "AdaScale SGD: A User-Friendly Algorithm for
/// Distributed Training", ICML 2020, https://arxiv.org/abs/2007.05105
public enum AdaScaleGain {
    /// r for batch B = `batch` against B₀ = `baseBatch`, from the smoothed tr(Σ) = `trace` and
    /// |G|² = `gradientSquared` (nil: not measured yet), as on the type.
    public static func ratio(batch: Int, baseBatch: Int, trace: Double?, gradientSquared: Double?) -> Double {
        let scale = Double(batch) / Double(baseBatch)
        guard scale > 1 else { return 1 }
        guard let trace, let gradientSquared, trace.isFinite, gradientSquared.isFinite else { return 1 }
        let variance = trace / Double(baseBatch)
        guard variance > 0 else { return 1 }
        guard gradientSquared > 0 else { return scale }
        let gain = (variance + gradientSquared) / (variance / scale + gradientSquared)
        return min(max(gain, 1), scale)
    }
}
