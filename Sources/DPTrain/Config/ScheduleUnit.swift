/// `lr_schedule.unit`: what the schedule's progress values count (DESIGN §3.5).
public enum ScheduleUnit: String, ConfigChoice, Equatable {
    /// Epochs of progress, t = samples seen / N, fractional (the default).
    case epochs
    /// Optimizer updates taken so far.
    case updates
}
