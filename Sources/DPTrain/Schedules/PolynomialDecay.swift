import Foundation

/// Polynomial decay from η₀ to η_end over a duration T, then constant
/// (`torch.optim.lr_scheduler.PolynomialLR` generalised to a non-zero end value).
///
///     η(t) = (η₀ − η_end) · (1 − min(t, T)/T)^p + η_end
///
/// Continuous; clamped to η_end for t ≥ T. p = 1 is linear decay.
public struct PolynomialDecay: LearningRateSchedule, Sendable, Equatable {
    /// η₀.
    public var baseLearningRate: Double
    /// η_end, default 0.
    public var endLearningRate: Double
    /// T > 0 (epochs or updates).
    public var duration: Double
    /// p > 0, default 1 (torch's default).
    public var power: Double

    /// - Parameters:
    ///   - baseLearningRate: η₀.
    ///   - endLearningRate: η_end, default 0.
    ///   - duration: T > 0.
    ///   - power: p, default 1.
    public init(baseLearningRate: Double, endLearningRate: Double = 0, duration: Double,
                power: Double = 1) {
        precondition(duration > 0, "Invalid duration value: \(duration)")
        precondition(power > 0, "Invalid power value: \(power)")
        self.baseLearningRate = baseLearningRate
        self.endLearningRate = endLearningRate
        self.duration = duration
        self.power = power
    }

    /// (η₀ − η_end)·(1 − min(t, T)/T)^p + η_end.
    public func learningRate(at progress: Double) -> Double {
        let fraction = min(max(progress, 0), duration) / duration
        return (baseLearningRate - endLearningRate) * pow(1 - fraction, power) + endLearningRate
    }
}

extension PolynomialDecay {
    /// `lr_schedule: {name: polynomial, power, end_factor, length}`: the options of a
    /// polynomial decay.
    public struct Options: Equatable, Sendable {
        /// `power` (default 1, > 0).
        public var power: Double
        /// `end_factor` (default 0, in [0, 1]): η_end as a factor of the base rate.
        public var endFactor: Double
        /// `length` (> 0): T; nil means the run's length (`train.epochs`, in the schedule's unit).
        public var length: Double?

        init(_ reader: ConfigReader) throws {
            power = try reader.double("power", default: 1, allowed: "a power > 0", where: ScheduleOptionRange.positive)
            endFactor = try reader.double("end_factor", default: 0, allowed: "a factor in [0, 1]", where: ScheduleOptionRange.unit)
            length = try reader.optionalDouble("length", allowed: "a length > 0", where: ScheduleOptionRange.positive)
        }

        /// φ(t) = (1 − end_factor)·(1 − min(t, T)/T)^p + end_factor, T = `length` ?? `runLength`.
        public func multiplier(runLength: Double) -> PolynomialDecay {
            PolynomialDecay(baseLearningRate: 1, endLearningRate: endFactor, duration: length ?? runLength, power: power)
        }
    }
}
