/// Turns `data:` into ready datasets: map the prepared sample store of data read from files
/// (``StoreCache``, preparing it first if needed) or generate the synthetic sets
/// (``DataSource/load(_:seed:budget:)``), then split off validation samples, normalise with
/// training statistics only, and set up augmentation (``DataSource/prepare``).
public enum DataPreparation {
    /// The prepared training, validation and test sets of `config` for a run seeded with `seed`.
    ///
    /// - Parameter cacheDirectory: where sample stores live (``StoreCache/directory(data:output:)``);
    ///   nil reads data files into memory as Float32 instead (no store).
    public static func load(_ config: DataConfig, seed: UInt64, cacheDirectory: String? = nil) throws -> TrainingData {
        let budget = MemoryBudget(maxBytes: config.maxBytes)
        var store: SampleStore?
        let train: Dataset, test: Dataset?
        if let cacheDirectory, let outcome = try StoreCache.open(config.dataset, directory: cacheDirectory, budget: budget) {
            store = outcome.store
            train = outcome.store.dataset("train")!
            test = outcome.store.dataset("test")
        } else {
            (train, test) = try DataSource.load(config.dataset, seed: seed, budget: budget)
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
