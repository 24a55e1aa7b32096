import Foundation

/// Where a run is in checking its study target: part of ``TrainingState``, so it is in every
/// checkpoint and a resumed run makes exactly the checks the uninterrupted run would have
/// made. Every field is computed from all-reduced values, so it is the same on every rank.
public struct TargetProgress: Codable, Equatable, Sendable {
    /// The step after which the next check is due (``TargetSchedule``; every step for
    /// `train_loss_ema`).
    public var nextCheck = 1
    /// The latest check (the one before a crossing, once the target is reached).
    public var previous: TargetCrossing.Check?
    /// m = (1 − β)·Σᵢ β^(n−i)·ℓᵢ over the n training losses averaged so far (`train_loss_ema`).
    public var average = 0.0
    /// n, the steps in ``average``.
    public var averagedSteps = 0
    /// The step of the check that reached the target, once one has (nil before). A run whose
    /// target does not stop it (`target.stop: false`) trains on with no further checks.
    public var reachedAtStep: Int?

    /// Progress before any check.
    public init() {}

    /// Adds the all-reduced training loss ℓ of one step: m ← β·m + (1 − β)·ℓ.
    public mutating func addLoss(_ loss: Double, smoothing beta: Double) {
        average = beta * average + (1 - beta) * loss
        averagedSteps += 1
    }

    /// The bias-corrected average m / (1 − βⁿ) (Adam's correction: the mean of the losses
    /// weighted β^(n−i), with no pull towards the initial 0).
    public func smoothedLoss(smoothing beta: Double) -> Double {
        averagedSteps == 0 ? .nan : average / (1 - pow(beta, Double(averagedSteps)))
    }
}
