/// Deterministic hold-out of a validation set from the training set.
///
/// A permutation of `0 ..< count` is drawn by Fisher–Yates from
/// `SplitMix64(keys: seed, RandomStream.validationSplit.rawValue)`; its first `validationCount`
/// entries are the validation samples. Both parts keep the original file order (indices sorted
/// ascending), so `data.shuffle: false` still trains in file order. The split depends only on
/// (seed, count, validationCount), never on the number of ranks.
public enum ValidationSplit {
    /// Splits `dataset` into a training part and a validation part of `validationCount` samples.
    ///
    /// - Parameters:
    ///   - validationCount: samples held out; 0 returns the dataset itself and no validation set.
    ///   - seed: the run's seed.
    /// - Throws: ``DataError`` `.configuration` when `validationCount` is negative or not smaller
    ///   than the number of samples.
    public static func split(_ dataset: Dataset, validationCount: Int, seed: UInt64) throws
        -> (train: Dataset, validation: Dataset?) {
        guard validationCount != 0 else { return (dataset, nil) }
        guard validationCount > 0, validationCount < dataset.count else {
            throw DataError(.configuration, file: dataset.source, problem: "data.validation is too large",
                            expected: "0 ≤ validation < \(dataset.count) (the training samples)",
                            found: "\(validationCount)",
                            hint: "choose fewer validation samples (for Fashion-MNIST, for example 5000)")
        }
        let (trainIndices, validationIndices) = indices(count: dataset.count, validationCount: validationCount, seed: seed)
        return (dataset.subset(indices: trainIndices), dataset.subset(indices: validationIndices))
    }

    /// The (training, validation) sample indices of the split, each sorted ascending.
    public static func indices(count: Int, validationCount: Int, seed: UInt64) -> (train: [Int], validation: [Int]) {
        precondition(validationCount >= 0 && validationCount <= count, "validationCount outside 0...count")
        var order = Array(0..<count)
        var generator = SplitMix64(keys: seed, RandomStream.validationSplit.rawValue)
        if count > 1 {
            for i in stride(from: count - 1, to: 0, by: -1) {
                order.swapAt(i, generator.nextInt(below: i + 1))
            }
        }
        return (order[validationCount...].sorted(), order[..<validationCount].sorted())
    }
}
