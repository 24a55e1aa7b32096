/// Where a run is: the data cursor and every counter a resumed run must continue from.
///
/// Progress t (epochs) = `epoch` + `cursor`/N: the position in the data stream, the clock of
/// every schedule (DESIGN §3.5).
public struct TrainingState: Codable, Equatable, Sendable {
    /// Current epoch e (its permutation is π_e).
    public var epoch = 0
    /// Samples of π_e already used by earlier steps of this epoch.
    public var cursor = 0
    /// Samples used by all steps so far (dropped tails excluded).
    public var samples = 0
    /// Optimizer steps taken (including skipped non-finite ones).
    public var step = 0
    /// Steps whose reduced gradient was non-finite and was therefore skipped.
    public var skippedSteps = 0
    /// Non-finite steps in a row (reset by a good step).
    public var badStepsInRow = 0
    /// Progress (epochs) at which the next evaluation is due.
    public var nextEvaluation: Double
    /// Progress (epochs) at which the next checkpoint is due.
    public var nextCheckpoint: Double
    /// The smoothed gradient noise scale estimate (DESIGN §3.7).
    public var noise: NoiseScaleEstimator
    /// The early-stopping rule and its best loss so far.
    public var earlyStopping: EarlyStopping
    /// The adaptive batch rule's current B, next decision and schedule clock (nil without
    /// `batch.adaptive`; absent from checkpoints of such runs).
    public var adaptiveBatch: AdaptiveBatchState?
    /// Training wall seconds before this process started (for resumed runs).
    public var previousWallSeconds = 0.0
    /// A study target's checks so far (nil: the run has no target, or no check yet).
    public var target: TargetProgress?

    /// The state at the start of a run: first evaluation and checkpoint after one interval
    /// (never when the interval is 0).
    public init(evalEvery: Double, checkpointEvery: Double, noise: NoiseScaleEstimator, earlyStopping: EarlyStopping) {
        nextEvaluation = evalEvery > 0 ? evalEvery : .infinity
        nextCheckpoint = checkpointEvery > 0 ? checkpointEvery : .infinity
        self.noise = noise
        self.earlyStopping = earlyStopping
    }

    /// t = e + c/N.
    public func progress(sampleCount: Int) -> Double { Double(epoch) + Double(cursor) / Double(sampleCount) }
}
