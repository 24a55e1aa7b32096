/// The registry of `lr_schedule.name` values: each name with the reader of its options
/// (declared in the schedule's own file). Adding a schedule is its file, its test, its
/// ``ScheduleKind`` case and one line here.
///
/// Also makes the schedule multiplier φ(t) (see ``TrainingPlan``): every schedule is built
/// with a base rate of 1, so η(t) = η_base · s(B) · φ(t).
public enum ScheduleFactory {
    /// Name → reader of that schedule's options, in the order errors list the names.
    static let registry: [(name: String, read: @Sendable (ConfigReader) throws -> ScheduleKind)] = [
        ("constant", { _ in .constant }),
        ("step", { .step(try StepDecay.Options($0)) }),
        ("multistep", { .multistep(try MultiStepDecay.Options($0)) }),
        ("exponential", { .exponential(try ExponentialDecay.Options($0)) }),
        ("inverse", { .inverse(try InverseTimeDecay.Options($0)) }),
        ("polynomial", { .polynomial(try PolynomialDecay.Options($0)) }),
        ("cosine", { .cosine(try CosineDecay.Options($0)) }),
        ("cyclical", { .cyclical(try CyclicalSchedule.Options($0)) }),
        ("one_cycle", { .oneCycle(try OneCycleSchedule.Options($0)) }),
        ("plateau", { .plateau(try ReduceOnPlateau.Options($0)) }),
    ]

    /// Every valid `lr_schedule.name`.
    public static var names: [String] { registry.map(\.name) }

    /// The schedule `name` (one of ``names``) with its options read from `lr_schedule:`.
    static func kind(named name: String, options reader: ConfigReader) throws -> ScheduleKind {
        try registry.first { $0.name == name }!.read(reader)
    }

    /// φ with its warmup. `length` is the run's length in the schedule's unit (the default T
    /// of cosine, polynomial and one-cycle); `warmupStart` is φ at t = 0 of the warmup.
    /// Returns the plateau scheduler separately: it is driven by evaluations, not by t.
    public static func make(_ config: ScheduleConfig, length: Double, warmupStart: Double)
        -> (schedule: LearningRateSchedule, plateau: ReduceOnPlateau?)
    {
        var schedule = config.kind.multiplier(runLength: length)
        if config.warmup > 0 {
            schedule = LinearWarmup(schedule, duration: config.warmup, startLearningRate: warmupStart)
        }
        guard case let .plateau(options) = config.kind else { return (schedule, nil) }
        return (schedule, options.makeScheduler())
    }
}
