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
