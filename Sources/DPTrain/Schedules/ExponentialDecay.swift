import Foundation

/// Exponential decay, continuous in t — `torch.optim.lr_scheduler.ExponentialLR` evaluated at
/// fractional progress.
///
///     η(t) = η₀ · γ^t
public struct ExponentialDecay: LearningRateSchedule, Sendable, Equatable {
    /// η₀.
    public var baseLearningRate: Double
    /// Factor per unit of progress, 0 < γ.
    public var gamma: Double

    /// - Parameters:
    ///   - baseLearningRate: η₀.
    ///   - gamma: factor per unit of progress, > 0.
    public init(baseLearningRate: Double, gamma: Double) {
        precondition(gamma > 0, "Invalid gamma value: \(gamma)")
        self.baseLearningRate = baseLearningRate
        self.gamma = gamma
    }

    /// η₀ · γ^max(t, 0).
    public func learningRate(at progress: Double) -> Double {
        baseLearningRate * pow(gamma, max(progress, 0))
    }
}

extension ExponentialDecay {
    /// `lr_schedule: {name: exponential, gamma}`: the options of an exponential decay.
    public struct Options: Equatable, Sendable {
        /// `gamma` (required, > 0): factor per unit of progress.
        public var gamma: Double

        init(_ reader: ConfigReader) throws {
            gamma = try reader.double("gamma", allowed: "a factor per unit of progress > 0", where: ScheduleOptionRange.positive)
        }

        /// φ(t) = γ^t.
        public func multiplier() -> ExponentialDecay { ExponentialDecay(baseLearningRate: 1, gamma: gamma) }
    }
}
