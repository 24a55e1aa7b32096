/// A learning rate as a function of training progress t (DESIGN §3.5).
///
/// t is measured in epochs (fractional: samples seen / N) unless a schedule is configured
/// with `unit: updates`; either way t starts at 0. Schedules are values: the same t gives the
/// same rate whatever W, K or B is.
public protocol LearningRateSchedule {
    /// η(t).
    func learningRate(at progress: Double) -> Double
}
