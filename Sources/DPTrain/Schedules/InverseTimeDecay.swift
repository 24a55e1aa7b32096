import Foundation

/// Inverse-time decay, continuous in t (Keras `InverseTimeDecay` with `staircase = false`,
/// decay_steps = 1, generalised by a power).
///
///     η(t) = η₀ / (1 + γ·t)^p
///
/// p = 1 is the classic 1/t schedule of Robbins & Monro; p = 0.5 gives 1/√t.
public struct InverseTimeDecay: LearningRateSchedule, Sendable, Equatable {
    /// η₀.
    public var baseLearningRate: Double
    /// γ ≥ 0, the decay rate per unit of progress.
    public var gamma: Double
    /// p > 0, default 1.
    public var power: Double

    /// - Parameters:
    ///   - baseLearningRate: η₀.
    ///   - gamma: γ ≥ 0.
    ///   - power: p, default 1.
    public init(baseLearningRate: Double, gamma: Double, power: Double = 1) {
        precondition(gamma >= 0, "Invalid gamma value: \(gamma)")
        precondition(power > 0, "Invalid power value: \(power)")
        self.baseLearningRate = baseLearningRate
        self.gamma = gamma
        self.power = power
    }

    /// η₀ / (1 + γ·max(t, 0))^p.
    public func learningRate(at progress: Double) -> Double {
        baseLearningRate / pow(1 + gamma * max(progress, 0), power)
    }
}

extension InverseTimeDecay {
    /// `lr_schedule: {name: inverse, gamma, power}`: the options of an inverse-time decay.
    public struct Options: Equatable, Sendable {
        /// `gamma` (required, ≥ 0): decay rate per unit of progress.
        public var gamma: Double
        /// `power` (default 1, > 0).
        public var power: Double

        init(_ reader: ConfigReader) throws {
            gamma = try reader.double("gamma", allowed: "a rate ≥ 0", where: { $0 >= 0 })
            power = try reader.double("power", default: 1, allowed: "a power > 0", where: ScheduleOptionRange.positive)
        }

        /// φ(t) = 1 / (1 + γ·t)^p.
        public func multiplier() -> InverseTimeDecay { InverseTimeDecay(baseLearningRate: 1, gamma: gamma, power: power) }
    }
}
