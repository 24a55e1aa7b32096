/// Entry points that map the config's `data:` section onto the readers and preparation steps.
///
///     data: {dataset: fashion-mnist | idx | npy | csv, path, train, test, label_column,
///            normalize: standardize | minmax | none, validation: N,
///            augment: {shift: k, flip: bool, noise: σ}}
///
/// ``load(dataset:path:trainFile:testFile:labelColumn:)`` reads the files;
/// ``prepare(train:test:validationCount:seed:normalization:shift:flip:noise:)`` splits off the
/// validation set, fits the normalizer on the remaining training samples, normalises all three
/// sets in place and builds the augmentation.
public enum DataSource {
    /// The dataset kinds of `data.dataset` that are read from files.
    public enum Kind: String, Sendable, CaseIterable {
        /// IDX files in `path` (default `/usr/share/datasets/fashion-mnist`), 10 classes.
        case fashionMNIST = "fashion-mnist"
        /// Any IDX files in `path` in the MNIST layout; classes inferred from the training labels.
        case idx
        /// `.npz` archives `train` and (optionally) `test`, keys `x`/`features`, `y`/`labels`.
        case npy
        /// CSV files `train` and (optionally) `test`, header row, label column `label_column`.
        case csv
    }

    /// Reads the training and test sets.
    ///
    /// - Parameters:
    ///   - dataset: the `data.dataset` name (see ``Kind``).
    ///   - path: directory of the IDX files (`fashion-mnist`, `idx`).
    ///   - trainFile, testFile: the files for `npy` and `csv` (test optional).
    ///   - labelColumn: CSV label column (default `label`).
    /// - Returns: the raw (unnormalised) sets; `test` is nil when no test file was given.
    ///   The test set uses the training set's class count.
    /// - Throws: ``DataError``.
    public static func load(dataset: String, path: String, trainFile: String? = nil, testFile: String? = nil,
                            labelColumn: String = "label") throws -> (train: Dataset, test: Dataset?) {
        guard let kind = Kind(rawValue: dataset) else {
            throw DataError(.configuration, file: "", problem: "unknown data.dataset",
                            expected: Kind.allCases.map(\.rawValue).joined(separator: ", "), found: "'\(dataset)'",
                            hint: "set data.dataset to one of these")
        }
        switch kind {
        case .fashionMNIST:
            let sets = try FashionMNIST.load(directory: path)
            return (sets.train, sets.test)
        case .idx:
            let sets = try IDXReader.loadDirectory(path, classCount: nil,
                                                   installHint: "put train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], " +
                                                       "t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz] in data.path")
            return (sets.train, sets.test)
        case .npy, .csv:
            guard let trainFile else {
                throw DataError(.configuration, file: "", problem: "data.train is not set",
                                expected: "the path of the training \(kind == .npy ? ".npz" : ".csv") file", found: "nothing",
                                hint: "add data.train (and data.test) to the config")
            }
            let read: (String, Int?) throws -> Dataset = { file, classes in
                kind == .npy ? try NPYReader.load(path: file, classCount: classes)
                             : try CSVReader.load(path: file, labelColumn: labelColumn, classCount: classes)
            }
            let train = try read(trainFile, nil)
            guard let testFile else { return (train, nil) }
            let test = try read(testFile, train.classCount)
            try FashionMNIST.checkCompatible(train: train, test: test, file: testFile)
            return (train, test)
        }
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
        // A split returns copies; without one `trainPart` is `train` itself (normalised in place).
        normalizer.apply(to: trainPart)
        if let validation { normalizer.apply(to: validation) }
        if let test { normalizer.apply(to: test) }
        var augmentation: Augmentation? = nil
        let candidate = Augmentation(shift: shift, flip: flip, noise: noise, fillValue: normalizer.normalizedValue(of: 0))
        if candidate.isEnabled {
            try candidate.validate(sampleShape: train.sampleShape)
            augmentation = candidate
        }
        return Prepared(train: trainPart, validation: validation, test: test, normalizer: normalizer,
                        augmentation: augmentation)
    }
}
