/// What a progress display shows after a step (rank 0's local view; not all-reduced).
public struct StepProgress: Equatable, Sendable {
    /// Optimizer updates so far, including this one.
    public var step: Int
    /// Current epoch index and the fraction of it done.
    public var epoch: Int
    public var epochFraction: Double
    /// `train.epochs`.
    public var totalEpochs: Double
    /// Steps done in this epoch, and steps per epoch at this step's B (N / B).
    public var stepInEpoch: Int
    public var stepsPerEpoch: Int
    /// Mean loss of this rank's samples in the step.
    public var loss: Double
    /// η and B = W·K·m of the step (B is shorter for a short final batch).
    public var learningRate: Double
    public var batch: Int
    public var accumulation: Int
    /// Training wall seconds so far.
    public var seconds: Double
}
