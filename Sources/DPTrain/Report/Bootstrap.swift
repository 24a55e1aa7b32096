/// The percentile bootstrap over seeds that gives every statistic of a study report its 90%
/// interval (Efron & Tibshirani 1993, "An Introduction to the Bootstrap", ch. 13).
///
/// Procedure, fixed so a report is deterministic and can be recomputed by a short script:
/// 1. A study has n seeds (index 0 … n−1). Resample r = 0 … R−1 draws n seed indices with
///    replacement from one ``SplitMix64`` stream seeded with ``seed``, in order:
///    index = next() mod n (the modulo bias, n/2⁶⁴, is negligible).
/// 2. Each statistic is recomputed on each resample as on the real seeds: a variant's mean
///    takes the runs of the drawn seeds (a seed drawn twice counts twice; seeds whose run is
///    missing, diverged or has no value drop out); fits (best LR ∝ B^k, S = S_min(1 + B_noise/B))
///    redo the selection of the best LR per batch size and the least-squares fit.
/// 3. The interval is the ``lowerQuantile`` and ``upperQuantile`` percentiles of the resampled
///    values (resamples where the statistic is undefined — no run, a fit with S_min ≤ 0 — are
///    left out), each by linear interpolation between order statistics x₍₀₎ ≤ … ≤ x₍ₘ₋₁₎:
///    h = (m − 1)·p, q = x₍⌊h⌋₎ + (h − ⌊h⌋)·(x₍⌊h⌋₊₁₎ − x₍⌊h⌋₎) (NumPy's default).
/// With one seed (or one run behind a mean) there is nothing to resample: no interval.
public struct Bootstrap: Equatable, Sendable {
    /// R, resamples drawn (default 2,000).
    public var resamples: Int
    /// Seed of the resampling stream (default 1).
    public var seed: UInt64
    /// Coverage of the interval (default 0.9: the 5th and 95th percentiles).
    public var level: Double

    /// The report's bootstrap: `resamples` draws from stream `seed`, a `level` interval.
    public init(resamples: Int = 2000, seed: UInt64 = 1, level: Double = 0.9) {
        precondition(resamples > 0 && level > 0 && level < 1, "Bootstrap: resamples > 0 and 0 < level < 1")
        self.resamples = resamples
        self.seed = seed
        self.level = level
    }

    /// p of the lower end: (1 − level)/2 (0.05).
    public var lowerQuantile: Double { (1 - level) / 2 }
    /// p of the upper end: (1 + level)/2 (0.95).
    public var upperQuantile: Double { (1 + level) / 2 }

    /// The R resamples of n seed indices, `[r][j]` ∈ 0 ..< n (step 1 above); empty for n = 0.
    public func draws(seedCount n: Int) -> [[Int]] {
        guard n > 0 else { return [] }
        var generator = SplitMix64(seed: seed)
        return (0..<resamples).map { _ in (0..<n).map { _ in Int(generator.next() % UInt64(n)) } }
    }

    /// The p-quantile of ascending `sorted` values, interpolated linearly (step 3 above).
    public static func percentile(sorted: [Double], _ p: Double) -> Double {
        precondition(!sorted.isEmpty, "percentile of no values")
        let h = Double(sorted.count - 1) * p
        let index = Int(h.rounded(.down))
        guard index + 1 < sorted.count else { return sorted[sorted.count - 1] }
        return sorted[index] + (h - Double(index)) * (sorted[index + 1] - sorted[index])
    }

    /// A statistic's ``Estimate``: `value` on the real seeds, and the interval of
    /// `resampled` (its values on the resamples, nil where undefined) when `seeds` ≥ 2.
    public func estimate(_ value: Double, seeds: Int, resampled: [Double?]) -> Estimate {
        let values = resampled.compactMap { $0 }.filter(\.isFinite).sorted()
        guard seeds >= 2, !values.isEmpty else { return Estimate(value: value, seeds: seeds) }
        return Estimate(value: value, low: Bootstrap.percentile(sorted: values, lowerQuantile),
                        high: Bootstrap.percentile(sorted: values, upperQuantile), seeds: seeds, resamples: values.count)
    }
}
