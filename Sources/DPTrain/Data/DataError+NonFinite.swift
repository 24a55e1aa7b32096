extension DataError {
    /// Throws for the first NaN or infinite feature of `dataset` (read from `file`), naming the
    /// sample and the feature — so a bad value is reported before training instead of as a
    /// divergence ("lower optimizer.lr") later.
    ///
    ///     index = sample · featureCount + feature
    ///
    /// - Parameters:
    ///   - position: where the features are in the file (an archive member, or none); the
    ///     sample and feature are named in the problem text.
    static func checkFinite(_ dataset: Dataset, file: String, position: Position = .none) throws {
        guard let index = dataset.features.firstIndex(where: { !$0.isFinite }) else { return }
        let width = max(dataset.featureCount, 1)
        let (sample, feature) = (index / width, index % width)
        throw DataError(.notNumeric, file: file, position: position,
                        problem: "feature \(feature) of sample \(sample) (value number \(index)) is not finite",
                        expected: "finite numbers", found: "\(dataset.features[index])",
                        hint: "remove or impute NaN and infinite values before training (numpy.nan_to_num, or drop the rows)")
    }
}
