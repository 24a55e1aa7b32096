/// What a progress display shows after a step (rank 0's local view; not all-reduced).
public struct StepProgress: Equatable, Sendable {
    /// Optimizer updates so far, including this one.
    public var step: Int
    /// Current epoch index (0-based).
    public var epoch: Int
    /// The fraction of the current epoch done, c/N.
    public var epochFraction: Double
    /// `train.epochs`.
    public var totalEpochs: Double
    /// Steps done in this epoch (c / B).
    public var stepInEpoch: Int
    /// Steps per epoch at this step's B (N / B).
    public var stepsPerEpoch: Int
    /// Mean loss of this rank's samples in the step.
    public var loss: Double
    /// η of the step.
    public var learningRate: Double
    /// B = W·K·m of the step (less for a short final batch).
    public var batch: Int
    /// K, micro-batches per rank in the step.
    public var accumulation: Int
    /// Training wall seconds so far.
    public var seconds: Double
    /// Samples this rank computed in the step (its share of ``batch``).
    public var rankSamples: Int
}
