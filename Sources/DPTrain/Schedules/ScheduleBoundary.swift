/// How piecewise-constant schedules decide that a boundary has been reached.
///
/// Progress t usually arrives as samples / N, which can land a rounding error below a
/// boundary such as 0.3 = 3 × 0.1. A boundary b counts as reached when t ≥ b − 1e-9·max(1, |b|).
public enum ScheduleBoundary {
    /// Relative tolerance of boundary comparisons.
    public static let tolerance = 1e-9

    /// Whether progress t has reached boundary b (inclusive, with ``tolerance``).
    @inline(__always)
    public static func reached(_ t: Double, _ boundary: Double) -> Bool {
        t >= boundary - tolerance * max(1, abs(boundary))
    }

    /// ⌊t / width⌋, the number of whole intervals of `width` completed at t (with ``tolerance``).
    @inline(__always)
    public static func completedIntervals(_ t: Double, width: Double) -> Double {
        (t / width + tolerance).rounded(.down)
    }
}
