import Foundation

/// Step decay: the rate is multiplied by γ every `stepSize` units of progress —
/// `torch.optim.lr_scheduler.StepLR` on progress t.
///
///     η(t) = η₀ · γ^⌊t / stepSize⌋
///
/// Piecewise constant; the boundary is inclusive: at t = k·stepSize the rate is already
/// η₀·γᵏ (see ``ScheduleBoundary`` for the rounding tolerance).
public struct StepDecay: LearningRateSchedule, Sendable, Equatable {
    /// η₀.
    public var baseLearningRate: Double
    /// Width of each constant piece (epochs or updates), > 0.
    public var stepSize: Double
    /// Multiplicative factor per piece, default 0.1 (torch's default).
    public var gamma: Double

    /// - Parameters:
    ///   - baseLearningRate: η₀.
    ///   - stepSize: > 0.
    ///   - gamma: default 0.1.
    public init(baseLearningRate: Double, stepSize: Double, gamma: Double = 0.1) {
        precondition(stepSize > 0, "Invalid step_size value: \(stepSize)")
        self.baseLearningRate = baseLearningRate
        self.stepSize = stepSize
        self.gamma = gamma
    }

    /// η₀ · γ^⌊t / stepSize⌋ (t < 0 is treated as 0).
    public func learningRate(at progress: Double) -> Double {
        let k = ScheduleBoundary.completedIntervals(max(progress, 0), width: stepSize)
        return baseLearningRate * pow(gamma, k)
    }
}

extension StepDecay {
    /// `lr_schedule: {name: step, step_size, gamma}`: the options of a step-decay schedule.
    public struct Options: Equatable, Sendable {
        /// `step_size` (required, > 0): width of each constant piece.
        public var stepSize: Double
        /// `gamma` (default 0.1, > 0): factor per piece.
        public var gamma: Double

        init(_ reader: ConfigReader) throws {
            stepSize = try reader.double("step_size", allowed: "a length > 0", where: ScheduleOptionRange.positive)
            gamma = try reader.double("gamma", default: 0.1, allowed: "a factor > 0", where: ScheduleOptionRange.positive)
        }

        /// φ(t) = γ^⌊t / step_size⌋.
        public func multiplier() -> StepDecay { StepDecay(baseLearningRate: 1, stepSize: stepSize, gamma: gamma) }
    }
}
