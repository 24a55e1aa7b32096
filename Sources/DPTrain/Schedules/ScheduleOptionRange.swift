/// The value ranges that several schedules' options share (checked when `lr_schedule:` is read).
enum ScheduleOptionRange {
    /// x > 0 and finite: lengths, step sizes, powers, factors.
    static func positive(_ x: Double) -> Bool { x > 0 && x.isFinite }
    /// x ∈ [0, 1]: factors of the base rate.
    static func unit(_ x: Double) -> Bool { x >= 0 && x <= 1 }
}
