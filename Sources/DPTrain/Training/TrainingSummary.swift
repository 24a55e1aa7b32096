/// What a finished run reports (the `summary` line of metrics.jsonl, and the CLI's last lines).
public struct TrainingSummary: Equatable, Sendable {
    /// Optimizer updates (including skipped non-finite ones).
    public var steps: Int
    /// Samples used by those updates.
    public var samples: Int
    /// Progress at the end, in epochs.
    public var epochs: Double
    /// Updates skipped because the reduced gradient was not finite.
    public var skippedSteps: Int
    /// Training wall seconds, over every resumed segment.
    public var wallSeconds: Double
    /// Metrics of the final weights (the best ones after early stopping).
    public var evaluation: EvaluationResult?
    /// Why training stopped early (nil when it ran to the end).
    public var stopReason: String?
}
