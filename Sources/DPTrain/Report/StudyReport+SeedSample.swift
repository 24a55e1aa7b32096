extension StudyReport {
    /// Every statistic of a report computed on one draw of seeds (``SeedTable/sample(_:)``):
    /// on the real seeds for the values, on each bootstrap resample for the intervals.
    struct SeedSample: Sendable {
        /// Per variant (study order).
        var means: [VariantMeans]
        /// B × LR grids: per batch size (ascending) the best variant: the highest mean final
        /// accuracy, or with a target the fewest mean updates to it (`score`); ties keep the
        /// earlier variant.
        var bestLearningRates: [(batch: Double, learningRate: Double, score: Double, variant: Int)] = []
        /// Best LR = c·B^k, least squares on logs (nil with fewer than two batch sizes).
        var learningRateFit: (exponent: Double, coefficient: Double, rSquared: Double?)?
        /// Target studies: per batch size (ascending) the variant with the fewest mean updates to
        /// the target; ties keep the earlier variant.
        var targetPoints: [(batch: Double, variant: Int)] = []
        /// S = S_min(1 + B_noise/B) fitted to the target points' mean updates (linear in 1/B;
        /// nil with fewer than two points or S_min ≤ 0).
        var targetFit: (minimumSteps: Double, noiseScale: Double, rSquared: Double?)?
    }
}
