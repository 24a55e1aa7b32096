/// Seconds per phase of the training step on one rank, summed over steps (for `bench`).
///
/// Phases: `data` (zeroing ∇, batch-norm statistics passes, gathering and augmenting samples),
/// `forward` (model and loss), `backward`, `communication` (the gradient all-reduce and any
/// wait for slower ranks in it), `optimizer` (norm, noise estimate, clipping, update). `wall`
/// is each whole step, start to end.
public struct StepTimings: Equatable, Sendable {
    /// Zeroing ∇, batch-norm statistics passes, gathering and augmenting samples.
    public var data = 0.0
    /// Model forward and loss.
    public var forward = 0.0
    /// Model backward (accumulating into ∇).
    public var backward = 0.0
    /// The gradient all-reduce, including waiting for slower ranks.
    public var communication = 0.0
    /// Norm, noise estimate, clipping, gradient noise and the optimizer update.
    public var optimizer = 0.0
    /// Whole steps, start to end (includes everything above).
    public var wall = 0.0
    /// Optimizer steps (skipped non-finite ones excluded).
    public var steps = 0
    /// Samples those steps used.
    public var samples = 0

    /// All zero.
    public init() {}
}

/// Splits a step's wall time into ``StepTimings`` phases: each ``lap(_:into:)`` charges the
/// time since the previous lap to one phase, so a phase is one call instead of a t0/t1 pair.
struct PhaseClock {
    private let clock: () -> Double
    private var last: Double

    /// Starts timing now; `clock` is the communicator's wall time in seconds.
    init(clock: @escaping () -> Double) {
        self.clock = clock
        last = clock()
    }

    /// Adds the seconds since the previous lap (or the start) to `phase` of `timings`.
    mutating func lap(_ phase: WritableKeyPath<StepTimings, Double>, into timings: inout StepTimings) {
        let now = clock()
        timings[keyPath: phase] += now - last
        last = now
    }

    /// Restarts the lap without charging the time since the previous one to any phase.
    mutating func skip() { last = clock() }
}
