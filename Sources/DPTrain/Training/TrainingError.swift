/// Why training stopped with an error.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    /// `max_bad_steps` non-finite gradients in a row.
    case diverged(step: Int, learningRate: Double, badSteps: Int, lastCheckpoint: String?)
    /// The model's output does not fit the data (classes, target width).
    case modelDataMismatch(String)

    /// The message, with what to change.
    public var description: String {
        switch self {
        case let .diverged(step, learningRate, badSteps, lastCheckpoint):
            return "training diverged: \(badSteps) non-finite gradients in a row, the last at step \(step) "
                + "with learning rate \(learningRate). Lower optimizer.lr, add warmup (lr_schedule.warmup.epochs) "
                + "or gradient clipping (train.clip_norm). "
                + (lastCheckpoint.map { "Last good checkpoint: \($0)." } ?? "No checkpoint was written yet.")
        case let .modelDataMismatch(message):
            return message
        }
    }
}
