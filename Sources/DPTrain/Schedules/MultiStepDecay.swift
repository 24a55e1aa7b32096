import Foundation

/// Multi-step decay: the rate is multiplied by γ at each milestone —
/// `torch.optim.lr_scheduler.MultiStepLR` on progress t.
///
///     η(t) = η₀ · γ^(number of milestones mᵢ ≤ t)
///
/// Piecewise constant; milestones are inclusive: at t = mᵢ the decayed rate already applies
/// (see ``ScheduleBoundary`` for the rounding tolerance). A milestone listed twice counts
/// twice, as in torch.
public struct MultiStepDecay: LearningRateSchedule, Sendable, Equatable {
    /// η₀.
    public var baseLearningRate: Double
    /// Milestones in progress units, sorted ascending by the initialiser.
    public var milestones: [Double]
    /// Factor per milestone, default 0.1 (torch's default).
    public var gamma: Double

    /// - Parameters:
    ///   - baseLearningRate: η₀.
    ///   - milestones: progress values (any order).
    ///   - gamma: default 0.1.
    public init(baseLearningRate: Double, milestones: [Double], gamma: Double = 0.1) {
        self.baseLearningRate = baseLearningRate
        self.milestones = milestones.sorted()
        self.gamma = gamma
    }

    /// η₀ · γ^#{mᵢ ≤ t}.
    public func learningRate(at progress: Double) -> Double {
        var passed = 0
        for milestone in milestones where ScheduleBoundary.reached(progress, milestone) { passed += 1 }
        return baseLearningRate * pow(gamma, Double(passed))
    }
}

extension MultiStepDecay {
    /// `lr_schedule: {name: multistep, milestones, gamma}`: the options of a multi-step decay.
    public struct Options: Equatable, Sendable {
        /// `milestones` (required, strictly increasing, each ≥ 0).
        public var milestones: [Double]
        /// `gamma` (default 0.1, > 0): factor per milestone.
        public var gamma: Double

        init(_ reader: ConfigReader) throws {
            milestones = try reader.doubles("milestones", allowed: "increasing progress values ≥ 0", where: { $0 >= 0 })
            guard zip(milestones, milestones.dropFirst()).allSatisfy({ $0 < $1 }) else {
                throw ConfigError.outOfRange(path: "lr_schedule.milestones", line: nil, value: "\(milestones)",
                                             allowed: "strictly increasing")
            }
            gamma = try reader.double("gamma", default: 0.1, allowed: "a factor > 0", where: ScheduleOptionRange.positive)
        }

        /// φ(t) = γ^#{mᵢ ≤ t}.
        public func multiplier() -> MultiStepDecay {
            MultiStepDecay(baseLearningRate: 1, milestones: milestones, gamma: gamma)
        }
    }
}
