/// An adaptive batch configuration that cannot run on this world size or data set (found when
/// the plan is made, before training; the config itself was valid).
public enum AdaptiveBatchError: Error, CustomStringConvertible, Equatable {
    /// `multiple_of` is not a multiple of W·m, so some allowed batches would not split into
    /// W ranks × K micro-steps × m.
    case gridNotDivisible(multipleOf: Int, worldSize: Int, micro: Int)
    /// `max` is larger than the training set.
    case maximumExceedsDataset(maximum: Int, samples: Int)
    /// No allowed batch lies in [`min`, `max`] (max defaulted from a small training set).
    case emptyRange(minimum: Int, maximum: Int, multipleOf: Int, samples: Int)

    /// The message, with how to fix it.
    public var description: String {
        switch self {
        case let .gridNotDivisible(multipleOf, worldSize, micro):
            let perStep = worldSize * micro
            let suggestion = AdaptiveBatchError.leastCommonMultiple(multipleOf, perStep)
            return "batch.adaptive.multiple_of (\(multipleOf), by default batch.global) is not a multiple of "
                + "W × m = \(worldSize) ranks × micro-batch \(micro) = \(perStep), so the batches it allows would not split "
                + "over the ranks; set batch.adaptive.multiple_of to a multiple of \(perStep) (e.g. \(suggestion)), and "
                + "keep it the same for every number of ranks you compare, so that all of them choose the same batches"
        case let .maximumExceedsDataset(maximum, samples):
            return "batch.adaptive.max (\(maximum)) is larger than the training set (\(samples) samples); "
                + "set batch.adaptive.max ≤ \(samples), or leave it out (the default is the largest allowed batch ≤ N)"
        case let .emptyRange(minimum, maximum, multipleOf, samples):
            return "batch.adaptive.min (\(minimum)) is larger than the largest allowed batch (\(maximum): the largest "
                + "multiple of batch.adaptive.multiple_of = \(multipleOf) ≤ batch.adaptive.max or the \(samples) training "
                + "samples); lower batch.adaptive.min or batch.adaptive.multiple_of"
        }
    }

    /// lcm(a, b) for a, b ≥ 1.
    static func leastCommonMultiple(_ a: Int, _ b: Int) -> Int {
        var (x, y) = (a, b)
        while y != 0 { (x, y) = (y, x % y) }
        return a / x * b
    }
}
