/// `lr_schedule.name` with exactly the options of that schedule (each schedule's file declares
/// and reads its `Options`; ``ScheduleFactory`` maps the names to them).
///
/// Every schedule is a multiplier φ(t) of the base rate: η(t) = η_base · s(B) · φ(t)
/// (``TrainingPlan``). Printing a kind shows its YAML spelling.
public enum ScheduleKind: Equatable, Sendable, CustomStringConvertible {
    /// φ(t) = 1 (the default).
    case constant
    /// φ(t) = γ^⌊t / step_size⌋ (``StepDecay``).
    case step(StepDecay.Options)
    /// φ(t) = γ^#{mᵢ ≤ t} (``MultiStepDecay``).
    case multistep(MultiStepDecay.Options)
    /// φ(t) = γ^t (``ExponentialDecay``).
    case exponential(ExponentialDecay.Options)
    /// φ(t) = 1 / (1 + γ·t)^p (``InverseTimeDecay``).
    case inverse(InverseTimeDecay.Options)
    /// Polynomial decay to `end_factor` over T (``PolynomialDecay``).
    case polynomial(PolynomialDecay.Options)
    /// Cosine annealing, optionally with warm restarts (``CosineDecay``, Loshchilov & Hutter 2017).
    case cosine(CosineDecay.Options)
    /// Cyclical learning rates with their mode (``CyclicalSchedule``, Smith 2017).
    case cyclical(CyclicalSchedule.Options)
    /// The 1cycle policy (``OneCycleSchedule``, Smith & Topin 2017).
    case oneCycle(OneCycleSchedule.Options)
    /// φ = 1 reduced by ``ReduceOnPlateau`` when the validation loss stops improving.
    case plateau(ReduceOnPlateau.Options)

    /// The YAML spelling of `lr_schedule.name`.
    public var description: String {
        switch self {
        case .constant: return "constant"
        case .step: return "step"
        case .multistep: return "multistep"
        case .exponential: return "exponential"
        case .inverse: return "inverse"
        case .polynomial: return "polynomial"
        case .cosine: return "cosine"
        case .cyclical: return "cyclical"
        case .oneCycle: return "one_cycle"
        case .plateau: return "plateau"
        }
    }

    /// φ(t) without warmup. `runLength` is the run's length in the schedule's unit, the default
    /// T of polynomial, cosine and one-cycle schedules. Plateau's φ is constant here: its
    /// reductions come from ``ReduceOnPlateau``, which ``ScheduleFactory/make(_:length:warmupStart:)``
    /// returns separately.
    public func multiplier(runLength: Double) -> any LearningRateSchedule {
        switch self {
        case .constant, .plateau: return ConstantSchedule(learningRate: 1)
        case .step(let options): return options.multiplier()
        case .multistep(let options): return options.multiplier()
        case .exponential(let options): return options.multiplier()
        case .inverse(let options): return options.multiplier()
        case .polynomial(let options): return options.multiplier(runLength: runLength)
        case .cosine(let options): return options.multiplier(runLength: runLength)
        case .cyclical(let options): return options.multiplier()
        case .oneCycle(let options): return options.multiplier(runLength: runLength)
        }
    }
}
