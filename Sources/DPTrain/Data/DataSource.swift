/// Entry points that map the config's `data:` section onto the readers and preparation steps.
///
///     data: {dataset: fashion-mnist | idx | npy | csv | spirals | linear_regression, path,
///            train, test, label_column, samples, test_samples, features, noise,
///            normalize: standardize | minmax | none, validation: N,
///            augment: {shift: k, flip: bool, noise: σ}}
///
/// ``load(_:seed:)`` reads the files or generates the data;
/// ``prepare(train:test:validationCount:seed:normalization:shift:flip:noise:)`` splits off the
/// validation set, fits the normalizer on the remaining training samples, normalises all three
/// sets in place and builds the augmentation.
public enum DataSource {
    /// Reads (or generates) the training and test sets of `dataset`.
    ///
    /// - Parameters:
    ///   - dataset: the `data.dataset` kind with its files or sizes (``DatasetKind``).
    ///   - seed: the run's seed; generated data uses streams 1 (train) and 2 (test) of it.
    ///   - budget: what a file may declare in memory (`data.max_bytes`, default the host's
    ///     available memory; see ``MemoryBudget``), checked before anything is allocated.
    ///   - classCount: the number of classes the model outputs, when known: labels of IDX, NPY/NPZ
    ///     and CSV files must lie in `0 ..< classCount`, and a label outside is reported with its
    ///     file, sample and the valid range. Nil infers it from the training labels (a test file
    ///     then uses the training set's count). Fashion-MNIST always has 10 classes.
    ///   - sampleSize: values per sample the model takes (`model.input`), when known: when the
    ///     training and test samples differ in shape, the file that disagrees with it is blamed.
    /// - Returns: the raw (unnormalised) sets; `test` is nil when no test file was given.
    /// - Throws: ``DataError``, also for a set without samples (naming its file).
    public static func load(_ dataset: DatasetKind, seed: UInt64, classCount: Int? = nil, sampleSize: Int? = nil,
                            budget: MemoryBudget = MemoryBudget.host()) throws -> (train: Dataset, test: Dataset?) {
        let sets = try read(dataset, seed: seed, classCount: classCount, sampleSize: sampleSize, budget: budget)
        for set in [sets.train, sets.test].compactMap({ $0 }) where set.count == 0 {
            let which = set === sets.train ? "training" : "test"
            throw DataError(.countMismatch, file: set.source, problem: "the \(which) set has no samples",
                            expected: "at least one sample", found: "0 samples (an empty array, or a CSV with only its header)",
                            hint: "give a file with samples (or check that data.\(which == "training" ? "train" : "test") names the right file)")
        }
        return sets
    }

    private static func read(_ dataset: DatasetKind, seed: UInt64, classCount: Int?, sampleSize: Int?,
                             budget: MemoryBudget) throws -> (train: Dataset, test: Dataset?) {
        switch dataset {
        case let .fashionMNIST(directory):
            let sets = try FashionMNIST.load(directory: directory, budget: budget)
            return (sets.train, sets.test)
        case let .idx(directory):
            let sets = try IDXReader.loadDirectory(directory, classCount: classCount,
                                                   installHint: "put train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], " +
                                                       "t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz] in data.path",
                                                   budget: budget)
            return (sets.train, sets.test)
        case let .npy(trainFile, testFile):
            return try loadPair(train: trainFile, test: testFile, classCount: classCount, sampleSize: sampleSize) { file, classes in
                try NPYReader.load(path: file, classCount: classes, budget: budget)
            }
        case let .csv(trainFile, testFile, labelColumn):
            return try loadPair(train: trainFile, test: testFile, classCount: classCount, sampleSize: sampleSize) { file, classes in
                try CSVReader.load(path: file, labelColumn: labelColumn, classCount: classes, budget: budget)
            }
        case let .spirals(samples, testSamples, noise):
            return (SyntheticData.spirals(count: samples, noise: noise, seed: seed, stream: 1),
                    SyntheticData.spirals(count: testSamples, noise: noise, seed: seed, stream: 2))
        case let .store(path):
            let store = try SampleStore.open(path: path)
            guard let train = store.dataset("train") else {
                throw DataError(.missingField, file: path, problem: "the sample store has no training split",
                                expected: "a split named train", found: store.header.splits.map(\.name).joined(separator: ", "),
                                hint: SampleStore.rebuildHint)
            }
            return (train, store.dataset("test"))
        case let .linearRegression(samples, testSamples, features, noise):
            return (SyntheticData.linearRegression(count: samples, features: features, noise: noise, seed: seed, stream: 1),
                    SyntheticData.linearRegression(count: testSamples, features: features, noise: noise, seed: seed, stream: 2))
        }
    }

    /// Reads `train` with `classCount` (nil: inferred), then `test` (if any) with the training
    /// set's class count, and checks that their samples have the same shape — blaming the
    /// training file when it alone disagrees with the model's `sampleSize`.
    private static func loadPair(train trainFile: String, test testFile: String?, classCount: Int?, sampleSize: Int?,
                                 read: (String, Int?) throws -> Dataset) throws -> (train: Dataset, test: Dataset?) {
        let train = try read(trainFile, classCount)
        guard let testFile else { return (train, nil) }
        let test = try read(testFile, train.classCount)
        if train.sampleShape != test.sampleShape, let sampleSize,
           train.featureCount != sampleSize, test.featureCount == sampleSize {
            throw DataError(.countMismatch, file: trainFile,
                            problem: "training samples have a different shape from the test samples and model.input",
                            expected: "\(test.sampleShape) (as in \(testFile))", found: "\(train.sampleShape)",
                            hint: "save the training features with the same shape as the test features")
        }
        try FashionMNIST.checkCompatible(train: train, test: test, file: testFile)
        return (train, test)
    }

    /// The prepared sets of a run.
    public struct Prepared {
        /// Training samples (after the validation split), normalised.
        public var train: Dataset
        /// Held-out samples, normalised with the training statistics; nil when `validation: 0`.
        public var validation: Dataset?
        /// Test samples, normalised with the training statistics; nil without a test file.
        public var test: Dataset?
        /// Statistics fitted on `train` (after the validation split) and applied to all sets.
        public var normalizer: Normalizer
        /// Nil when no augmentation option is on.
        public var augmentation: Augmentation?
    }

    /// Splits, normalises (in place) and sets up augmentation.
    ///
    /// - Parameters:
    ///   - validationCount: samples held out of `train` (``ValidationSplit``); 0 for none.
    ///   - seed: the run's seed.
    ///   - normalization: `standardize`, `minmax` or `none` (``Normalizer``).
    ///   - shift, flip, noise: ``Augmentation`` options; the fill value is the normalised 0 pixel.
    /// - Throws: ``DataError`` for an impossible split or augmentation.
    public static func prepare(train: Dataset, test: Dataset?, validationCount: Int, seed: UInt64,
                               normalization: Normalizer.Method, shift: Int = 0, flip: Bool = false,
                               noise: Float = 0) throws -> Prepared {
        let (trainPart, validation) = try ValidationSplit.split(train, validationCount: validationCount, seed: seed)
        let normalizer = Normalizer(method: normalization, fittingTo: trainPart)
        // A split returns copies (views of a store); without one `trainPart` is `train` itself
        // (normalised in place in memory; a stored set is normalised on read).
        let trainSet = normalizer.normalizing(trainPart)
        let validationSet = validation.map(normalizer.normalizing)
        let testSet = test.map(normalizer.normalizing)
        var augmentation: Augmentation? = nil
        let candidate = Augmentation(shift: shift, flip: flip, noise: noise, fillValue: normalizer.normalizedValue(of: 0))
        if candidate.isEnabled {
            try candidate.validate(sampleShape: train.sampleShape)
            augmentation = candidate
        }
        return Prepared(train: trainSet, validation: validationSet, test: testSet, normalizer: normalizer,
                        augmentation: augmentation)
    }
}
