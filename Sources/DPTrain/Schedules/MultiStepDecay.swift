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
