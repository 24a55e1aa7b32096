/// Where a run's metric first reaches a study target, at step resolution: the crossing is
/// interpolated linearly between the last check that missed the target (value v₀ at step s₀)
/// and the first that reached it (v₁ at s₁):
///
///     f = (target − v₀) / (v₁ − v₀)  ∈ (0, 1]
///     step = s₀ + f·(s₁ − s₀)        (samples, epoch and wall seconds alike)
///
/// "Reached" is ≥ for accuracies and ≤ for losses (``Study/Target/isReached(by:)``), so for a
/// loss v₀ > target ≥ v₁ and f is still in (0, 1]. When the first check already reaches the
/// target there is nothing before it to interpolate from: the crossing is that check (f = 1,
/// no earlier check). A study run checks its target between steps (``TargetSchedule``); the
/// report can also place a crossing between a run's evaluations.
public struct TargetCrossing: Equatable, Sendable {
    /// One check of the target's metric and where in the run it happened.
    public struct Check: Codable, Equatable, Sendable {
        /// Parameter updates before the check.
        public var step: Double
        /// Training samples consumed before the check.
        public var samples: Double
        /// Epochs completed before the check.
        public var epoch: Double
        /// Seconds since the run started.
        public var wallSeconds: Double
        /// The metric's value.
        public var value: Double
        /// A check of `value` at that position.
        public init(step: Double, samples: Double, epoch: Double = 0, wallSeconds: Double = 0, value: Double) {
            self.step = step
            self.samples = samples
            self.epoch = epoch
            self.wallSeconds = wallSeconds
            self.value = value
        }
    }

    /// The interpolated updates to the target.
    public var step: Double
    /// The interpolated samples to the target.
    public var samples: Double
    /// The interpolated epochs to the target.
    public var epoch: Double
    /// The interpolated wall seconds to the target.
    public var wallSeconds: Double
    /// The check before the crossing (nil when the first check reached the target).
    public var before: Check?
    /// The first check that reached the target.
    public var after: Check

    /// The first crossing of `target` in `checks` (in run order), or nil when no check reaches it.
    public static func find(_ target: Study.Target, in checks: [Check]) -> TargetCrossing? {
        guard let index = checks.firstIndex(where: { target.isReached(by: $0.value) }) else { return nil }
        let after = checks[index]
        guard index > 0 else {
            return TargetCrossing(step: after.step, samples: after.samples, epoch: after.epoch,
                                  wallSeconds: after.wallSeconds, before: nil, after: after)
        }
        let before = checks[index - 1]
        // before missed and after reached, so the values differ and f ∈ (0, 1].
        let fraction = (target.value - before.value) / (after.value - before.value)
        func between(_ a: Double, _ b: Double) -> Double { a + fraction * (b - a) }
        return TargetCrossing(step: between(before.step, after.step), samples: between(before.samples, after.samples),
                              epoch: between(before.epoch, after.epoch),
                              wallSeconds: between(before.wallSeconds, after.wallSeconds), before: before, after: after)
    }
}
