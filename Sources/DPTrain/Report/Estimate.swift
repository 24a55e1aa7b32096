/// A statistic over seeds: its value on all seeds (a mean, or a fit to the means) and its
/// percentile-bootstrap interval (``Bootstrap``), nil when fewer than two seeds lie behind it.
public struct Estimate: Equatable, Sendable {
    /// The statistic on the real seeds.
    public var value: Double
    /// Lower end of the interval (the 5th percentile of the resampled values for 90%).
    public var low: Double?
    /// Upper end of the interval (the 95th percentile for 90%).
    public var high: Double?
    /// Seeds (runs) behind ``value``: for a variant's mean its runs with a value, for a fit the
    /// study's seeds.
    public var seeds: Int
    /// Resamples in which the statistic was defined (0 without an interval).
    public var resamples: Int

    /// An estimate of `value` from `seeds` seeds, with the interval [low, high] when given.
    public init(value: Double, low: Double? = nil, high: Double? = nil, seeds: Int, resamples: Int = 0) {
        self.value = value
        self.low = low
        self.high = high
        self.seeds = seeds
        self.resamples = resamples
    }

    /// The estimate multiplied by `factor` (> 0), for example a fraction in %.
    public func scaled(_ factor: Double) -> Estimate {
        Estimate(value: value * factor, low: low.map { $0 * factor }, high: high.map { $0 * factor },
                 seeds: seeds, resamples: resamples)
    }

    /// "89.45 [89.30, 89.60]" (value, then the interval), or "89.45 (1 seed: no interval)".
    public func text(_ format: (Double) -> String) -> String {
        guard let low, let high else {
            return format(value) + (seeds < 2 ? " (\(seeds) seed\(seeds == 1 ? "" : "s"): no interval)" : "")
        }
        return "\(format(value)) [\(format(low)), \(format(high))]"
    }
}
