/// `data:` — where samples come from and how they are prepared (README "Configuration").
public struct DataConfig: Equatable, Sendable {
    /// `dataset` (default `fashion-mnist`) with its own options: `path`, `train`/`test`,
    /// `label_column`, or the sizes of generated data.
    public var dataset: DatasetKind
    /// `normalize`: `standardize` (zero mean, unit variance from the training split; the
    /// default), `minmax` ([0, 1]) or `none` (the default for `linear_regression`).
    public var normalize: Normalizer.Method
    /// Samples taken from the training set (deterministically, from the seed) for validation.
    public var validation: Int
    /// Shuffle each epoch (false keeps the file order).
    public var shuffle: Bool
    /// Drop the short final batch of an epoch (true) or train on it (false).
    public var dropLast: Bool
    /// Random shift by up to `shift` pixels in x and y, horizontal flip, Gaussian noise σ.
    public var augmentShift: Int
    public var augmentFlip: Bool
    public var augmentNoise: Double
    /// `max_bytes`: the most memory a dataset file may declare (its samples counted as
    /// float32, plus the source bytes a reader holds), checked before anything is allocated or
    /// decompressed (``MemoryBudget``). Nil (the default) means the host's available memory at
    /// load time; it is then not written to `config.resolved.yaml`, which stays host-independent.
    public var maxBytes: Int?
    /// `cache`: the directory of prepared sample stores (``StoreCache``); nil (the default)
    /// means `data-cache` next to the run directory. Written to `config.resolved.yaml` only
    /// when given (the weights do not depend on it).
    public var cache: String?

    /// Reads the keys in a fixed order (it is the order of `config.resolved.yaml`): dataset,
    /// path, train, test, label_column, normalize, validation, shuffle, drop_last, augment,
    /// max_bytes (only when given), then the sizes of generated data.
    init(_ reader: ConfigReader) throws {
        let kind = try reader.string("dataset", default: "fashion-mnist", choices: DatasetKind.spellings)
        let directory = try reader.string("path", default: "/usr/share/datasets/fashion-mnist")
        var train = "", test: String?
        if kind == "npy" || kind == "csv" {
            train = try reader.string("train")
            test = reader.raw("test") == nil ? nil : try reader.string("test")
        }
        let labelColumn = kind == "csv" ? try reader.string("label_column", default: "label") : "label"
        normalize = try reader.choice("normalize", default: kind == "linear_regression" ? .none : .standardize)
        validation = try reader.int("validation", default: 0, allowed: "a count ≥ 0", where: { $0 >= 0 })
        shuffle = try reader.bool("shuffle", default: true)
        dropLast = try reader.bool("drop_last", default: true)
        let augment = try reader.section("augment")
        augmentShift = try augment.int("shift", default: 0, allowed: "pixels in 0...8", where: { (0...8).contains($0) })
        augmentFlip = try augment.bool("flip", default: false)
        augmentNoise = try augment.double("noise", default: 0, allowed: "a standard deviation ≥ 0", where: { $0 >= 0 })
        maxBytes = reader.contains("max_bytes")
            ? try reader.int("max_bytes", allowed: "a byte count ≥ 1 (for example 8_000_000_000)", where: { $0 >= 1 })
            : nil
        cache = reader.contains("cache") ? try reader.string("cache") : nil

        func samples(default count: Int) throws -> (train: Int, test: Int) {
            (try reader.int("samples", default: count, allowed: "a count ≥ 2", where: { $0 >= 2 }),
             try reader.int("test_samples", default: 1000, allowed: "a count ≥ 1", where: { $0 >= 1 }))
        }
        func noise(default sigma: Double) throws -> Double {
            try reader.double("noise", default: sigma, allowed: "a standard deviation ≥ 0", where: { $0 >= 0 })
        }
        switch kind {
        case "idx":
            dataset = .idx(directory: directory)
        case "store":
            dataset = .store(path: directory)
        case "npy":
            dataset = .npy(train: train, test: test)
        case "csv":
            dataset = .csv(train: train, test: test, labelColumn: labelColumn)
        case "spirals":
            let count = try samples(default: 2000)
            dataset = .spirals(samples: count.train, testSamples: count.test, noise: try noise(default: 0.05))
        case "linear_regression":
            let count = try samples(default: 4096)
            let features = try reader.int("features", default: 16, allowed: "a count ≥ 1", where: { $0 >= 1 })
            dataset = .linearRegression(samples: count.train, testSamples: count.test, features: features,
                                        noise: try noise(default: 1.0))
        default:
            dataset = .fashionMNIST(directory: directory)
        }
    }
}
