/// Turns `data:` into ready datasets: read (or generate), split off validation samples,
/// normalise with training statistics only, and set up augmentation.
public enum DataPreparation {
    public static func load(_ config: DataConfig, seed: UInt64) throws -> TrainingData {
        var train: Dataset
        var test: Dataset?
        switch config.dataset {
        case "fashion-mnist":
            (train, test) = try FashionMNIST.load(directory: config.path, classCount: 10)
        case "idx":
            (train, test) = try FashionMNIST.load(directory: config.path, classCount: nil)
        case "npy":
            train = try NPYReader.load(path: config.trainFile!)
            test = try config.testFile.map { try NPYReader.load(path: $0, classCount: train.classCount) }
        case "csv":
            train = try CSVReader.load(path: config.trainFile!, labelColumn: config.labelColumn)
            test = try config.testFile.map {
                try CSVReader.load(path: $0, labelColumn: config.labelColumn, classCount: train.classCount)
            }
        case "spirals":
            train = SyntheticData.spirals(count: config.syntheticSamples, noise: config.syntheticNoise, seed: seed, stream: 1)
            test = SyntheticData.spirals(count: config.syntheticTestSamples, noise: config.syntheticNoise, seed: seed, stream: 2)
        default:  // linear_regression
            train = SyntheticData.linearRegression(count: config.syntheticSamples, features: config.syntheticFeatures,
                                                   noise: config.syntheticNoise, seed: seed, stream: 1)
            test = SyntheticData.linearRegression(count: config.syntheticTestSamples, features: config.syntheticFeatures,
                                                  noise: config.syntheticNoise, seed: seed, stream: 2)
        }
        let split = try ValidationSplit.split(train, validationCount: config.validation, seed: seed)
        train = split.train
        let validation = split.validation
        var summary = "none"
        var fill: Float = 0
        if let method = Normalizer.Method(rawValue: config.normalize), method.rawValue != "none" {
            let normalizer = Normalizer(method: method, fittingTo: train)
            normalizer.apply(to: train)
            if let validation { normalizer.apply(to: validation) }
            if let test { normalizer.apply(to: test) }
            summary = normalizer.summary
            fill = normalizer.normalizedValue(of: 0)
        }
        let augmentation = Augmentation(shift: config.augmentShift, flip: config.augmentFlip,
                                        noise: Float(config.augmentNoise), fillValue: fill)
        if augmentation.isEnabled { try augmentation.validate(sampleShape: train.sampleShape) }
        return TrainingData(train: train, validation: validation, test: test,
                            augmentation: augmentation.isEnabled ? augmentation : nil,
                            normalizationSummary: summary)
    }
}
