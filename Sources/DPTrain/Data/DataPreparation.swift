/// Turns `data:` into ready datasets: read the files (``DataSource``) or generate the
/// synthetic sets (``SyntheticData``), then split off validation samples, normalise with
/// training statistics only, and set up augmentation (``DataSource/prepare``).
public enum DataPreparation {
    public static func load(_ config: DataConfig, seed: UInt64) throws -> TrainingData {
        let train: Dataset
        let test: Dataset?
        switch config.dataset {
        case "spirals":
            train = SyntheticData.spirals(count: config.syntheticSamples, noise: config.syntheticNoise, seed: seed, stream: 1)
            test = SyntheticData.spirals(count: config.syntheticTestSamples, noise: config.syntheticNoise, seed: seed, stream: 2)
        case "linear_regression":
            train = SyntheticData.linearRegression(count: config.syntheticSamples, features: config.syntheticFeatures,
                                                   noise: config.syntheticNoise, seed: seed, stream: 1)
            test = SyntheticData.linearRegression(count: config.syntheticTestSamples, features: config.syntheticFeatures,
                                                  noise: config.syntheticNoise, seed: seed, stream: 2)
        default:
            (train, test) = try DataSource.load(dataset: config.dataset, path: config.path, trainFile: config.trainFile,
                                                testFile: config.testFile, labelColumn: config.labelColumn)
        }
        let prepared = try DataSource.prepare(train: train, test: test, validationCount: config.validation, seed: seed,
                                              normalization: Normalizer.Method(rawValue: config.normalize) ?? .none,
                                              shift: config.augmentShift, flip: config.augmentFlip,
                                              noise: Float(config.augmentNoise))
        return TrainingData(train: prepared.train, validation: prepared.validation, test: prepared.test,
                            augmentation: prepared.augmentation, normalizationSummary: prepared.normalizer.summary)
    }
}
