/// Where the adaptive batch rule is (part of ``TrainingState``, so a checkpoint holds it and a
/// resumed run takes the same decisions at the same points; DESIGN §3.10).
public struct AdaptiveBatchState: Codable, Equatable, Sendable {
    /// The current global batch B (B₀ = `batch.global` until the first decision).
    public var batch: Int
    /// Data progress t (epochs) at which the next decision is due.
    public var nextDecision: Double
    /// t − τ ≥ 0 in epochs: how far the schedule's scale-invariant clock τ is behind the data
    /// progress t (``AdaptiveBatchPolicy/advanceClock(_:samples:sampleCount:gain:)``; always 0
    /// unless `batch.adaptive.lr` is `adascale`).
    public var scheduleLag: Double

    /// The state of a run that starts at B₀ = `batch`, first deciding at t = `firstDecision`.
    public init(batch: Int, nextDecision firstDecision: Double, scheduleLag: Double = 0) {
        self.batch = batch
        self.nextDecision = firstDecision
        self.scheduleLag = scheduleLag
    }
}
