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
    /// - Returns: the raw (unnormalised) sets; `test` is nil when no test file was given.
    ///   A test file uses the training set's class count.
    /// - Throws: ``DataError``.
    public static func load(_ dataset: DatasetKind, seed: UInt64,
                            budget: MemoryBudget = MemoryBudget.host()) throws -> (train: Dataset, test: Dataset?) {
        switch dataset {
        case let .fashionMNIST(directory):
            let sets = try FashionMNIST.load(directory: directory, budget: budget)
            return (sets.train, sets.test)
        case let .idx(directory):
            let sets = try IDXReader.loadDirectory(directory, classCount: nil,
                                                   installHint: "put train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], " +
                                                       "t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz] in data.path",
                                                   budget: budget)
            return (sets.train, sets.test)
        case let .npy(trainFile, testFile):
            return try loadPair(train: trainFile, test: testFile) { file, classes in
                try NPYReader.load(path: file, classCount: classes, budget: budget)
            }
        case let .csv(trainFile, testFile, labelColumn):
            return try loadPair(train: trainFile, test: testFile) { file, classes in
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

    /// Reads `train`, then `test` (if any) with the training set's class count, and checks
    /// that they fit together.
    private static func loadPair(train trainFile: String, test testFile: String?,
                                 read: (String, Int?) throws -> Dataset) throws -> (train: Dataset, test: Dataset?) {
        let train = try read(trainFile, nil)
        guard let testFile else { return (train, nil) }
        let test = try read(testFile, train.classCount)
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
