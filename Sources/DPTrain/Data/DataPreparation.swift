/// Turns `data:` into ready datasets: read the files or generate the synthetic sets
/// (``DataSource/load(_:seed:)``), then split off validation samples, normalise with training
/// statistics only, and set up augmentation (``DataSource/prepare``).
public enum DataPreparation {
    /// The prepared training, validation and test sets of `config` for a run seeded with `seed`;
    /// `classCount` and `sampleSize` are the model's number of classes and values per sample
    /// when known (see ``DataSource/load(_:seed:classCount:sampleSize:budget:)``).
    public static func load(_ config: DataConfig, seed: UInt64, classCount: Int? = nil,
                            sampleSize: Int? = nil) throws -> TrainingData {
        let (train, test) = try DataSource.load(config.dataset, seed: seed, classCount: classCount, sampleSize: sampleSize,
                                                budget: MemoryBudget(maxBytes: config.maxBytes))
        let prepared = try DataSource.prepare(train: train, test: test, validationCount: config.validation, seed: seed,
                                              normalization: config.normalize,
                                              shift: config.augmentShift, flip: config.augmentFlip,
                                              noise: Float(config.augmentNoise))
        return TrainingData(train: prepared.train, validation: prepared.validation, test: prepared.test,
                            augmentation: prepared.augmentation, normalizationSummary: prepared.normalizer.summary)
    }
}
