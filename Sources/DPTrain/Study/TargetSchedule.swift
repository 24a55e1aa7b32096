/// When a study target is checked next: denser as the metric approaches the target, so that
/// the two checks around the crossing are at most `resolution` of its step apart.
///
/// After a check at step s that measured v, with distance d to the target (d = target − v
/// for accuracies, v − target for losses; d ≤ 0 means reached):
///
///     interval(s, v) = max(1, ⌊r·s⌋)   with r = resolution  when d ≤ near
///                                          r = far         otherwise
///     next check      = s + interval(s, v)
///
/// The first check is after step 1 (s = 0 gives an interval of 1). Checks therefore grow
/// geometrically, about ln(S/s₀)/ln(1 + r) of them to reach step S, so a whole run costs a
/// few dozen subset evaluations. Once the metric is near, consecutive checks s₀ < s₁ satisfy
/// s₁ − s₀ ≤ resolution·s₀ (or 1 step), and a crossing between them lies within that fraction
/// of its own step. A jump from farther than `near` straight past the target in one `far`
/// interval is the one case without that guarantee: the `target` record keeps both checks, so
/// the width of every crossing's interval can be read back.
public enum TargetSchedule {
    /// Steps from a check at `step` that measured `value` to the next check of `target`.
    public static func interval(afterStep step: Int, value: Double, target: Study.Target) -> Int {
        let distance = target.higherIsBetter ? target.value - value : value - target.value
        // NaN (a diverging loss) is far from the target.
        let fraction = distance <= target.near ? target.resolution : target.far
        // The tolerance keeps r·s from landing just below a whole number (0.29·100 = 28.999…).
        return max(1, Int((fraction * Double(step) + 1e-9).rounded(.down)))
    }

    /// The step of the check after one at `step` that measured `value`.
    public static func nextCheck(afterStep step: Int, value: Double, target: Study.Target) -> Int {
        step + interval(afterStep: step, value: value, target: target)
    }
}
