/// Requests ``NoiseScaleMeasurement`` cannot carry out.
public enum NoiseScaleError: Error, CustomStringConvertible, Equatable {
    /// b is not a whole number of micro-batches m, so its gradient cannot be accumulated as training does.
    case batchNotMultipleOfMicro(batch: Int, micro: Int, suggestions: [Int])
    /// Fewer than two batches of b fit in the N training samples (no variance).
    case tooFewBatches(batch: Int, samples: Int)
    /// b < 1 or the epoch is negative.
    case invalid(String)

    public var description: String {
        switch self {
        case let .batchNotMultipleOfMicro(batch, micro, suggestions):
            return "--batch \(batch) is not a multiple of the config's micro-batch \(micro) (batch.micro): each batch's "
                + "gradient is accumulated over micro-batches of \(micro) samples as in training; choose a multiple of \(micro) "
                + "such as \(suggestions.map(String.init).joined(separator: " or ")), a --batch of at most \(micro), "
                + "or override batch.micro"
        case let .tooFewBatches(batch, samples):
            return "--batch \(batch) leaves fewer than 2 batches in the \(samples) training samples, so there is no "
                + "variance between batches to measure; choose --batch ≤ \(samples / 2)"
        case let .invalid(message):
            return message
        }
    }
}
