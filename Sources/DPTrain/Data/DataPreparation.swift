/// Turns `data:` into ready datasets: map the prepared sample store of data read from files
/// (``StoreCache``, preparing it first if needed) or generate the synthetic sets
/// (``DataSource/load(_:seed:budget:)``), then split off validation samples, normalise with
/// training statistics only, and set up augmentation (``DataSource/prepare``).
public enum DataPreparation {
    /// The prepared training, validation and test sets of `config` for a run seeded with `seed`.
    ///
    /// - Parameters:
    ///   - classCount: the model's number of classes when known: labels must lie in
    ///     `0 ..< classCount` (see ``DataSource/load(_:seed:classCount:sampleSize:budget:)``;
    ///     a store holds the classes its labels imply, so it does not depend on the model).
    ///   - sampleSize: values per sample the model takes, when known (names the file at fault).
    ///   - cacheDirectory: where sample stores live (``StoreCache/directory(data:output:)``);
    ///     nil reads data files into memory as Float32 instead (no store).
    public static func load(_ config: DataConfig, seed: UInt64, classCount: Int? = nil, sampleSize: Int? = nil,
                            cacheDirectory: String? = nil) throws -> TrainingData {
        let budget = MemoryBudget(maxBytes: config.maxBytes)
        var store: SampleStore?
        let train: Dataset, test: Dataset?
        if let cacheDirectory, let outcome = try StoreCache.open(config.dataset, directory: cacheDirectory, budget: budget,
                                                                 classCount: classCount, sampleSize: sampleSize) {
            if let classCount, outcome.store.header.classCount > classCount {
                // A label outside the model's classes: the readers name its file, index and fix.
                _ = try DataSource.load(config.dataset, seed: seed, classCount: classCount, sampleSize: sampleSize,
                                        budget: budget)
            }
            store = outcome.store
            train = outcome.store.dataset("train", classCount: classCount)!
            test = outcome.store.dataset("test", classCount: classCount)
        } else {
            (train, test) = try DataSource.load(config.dataset, seed: seed, classCount: classCount, sampleSize: sampleSize,
                                                budget: budget)
            store = train.stored?.store
        }
        let prepared = try DataSource.prepare(train: train, test: test, validationCount: config.validation, seed: seed,
                                              normalization: config.normalize,
                                              shift: config.augmentShift, flip: config.augmentFlip,
                                              noise: Float(config.augmentNoise))
        return TrainingData(train: prepared.train, validation: prepared.validation, test: prepared.test,
                            augmentation: prepared.augmentation, normalizationSummary: prepared.normalizer.summary,
                            store: store)
    }
}
