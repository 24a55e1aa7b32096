/// `data:` — where samples come from and how they are prepared (README "Configuration").
public struct DataConfig: Equatable, Sendable {
    /// `fashion-mnist` (IDX files in `path`), `idx` (any MNIST-format files in `path`),
    /// `npy`/`csv` (files `train`/`test`), `spirals`/`linear_regression` (generated).
    public var dataset: String
    /// Directory of IDX files (`fashion-mnist`, `idx`).
    public var path: String
    /// Training and test files for `npy`/`csv`.
    public var trainFile: String?
    public var testFile: String?
    /// CSV label column name.
    public var labelColumn: String
    /// `standardize` (zero mean, unit variance from the training split), `minmax` ([0, 1]) or `none`.
    public var normalize: String
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
    /// Generated datasets: number of training and test samples, features, label noise.
    public var syntheticSamples: Int
    public var syntheticTestSamples: Int
    public var syntheticFeatures: Int
    public var syntheticNoise: Double

    public static let datasets = ["fashion-mnist", "idx", "npy", "csv", "spirals", "linear_regression"]

    init(_ reader: ConfigReader) throws {
        dataset = try reader.string("dataset", default: "fashion-mnist", choices: DataConfig.datasets)
        path = try reader.string("path", default: "/usr/share/datasets/fashion-mnist")
        if dataset == "npy" || dataset == "csv" {
            trainFile = try reader.string("train")
            testFile = reader.raw("test") == nil ? nil : try reader.string("test")
        }
        labelColumn = dataset == "csv" ? try reader.string("label_column", default: "label") : "label"
        normalize = try reader.string("normalize", default: dataset == "linear_regression" ? "none" : "standardize",
                                      choices: ["standardize", "minmax", "none"])
        validation = try reader.int("validation", default: 0, allowed: "a count ≥ 0", where: { $0 >= 0 })
        shuffle = try reader.bool("shuffle", default: true)
        dropLast = try reader.bool("drop_last", default: true)
        let augment = try reader.section("augment")
        augmentShift = try augment.int("shift", default: 0, allowed: "pixels in 0...8", where: { (0...8).contains($0) })
        augmentFlip = try augment.bool("flip", default: false)
        augmentNoise = try augment.double("noise", default: 0, allowed: "a standard deviation ≥ 0", where: { $0 >= 0 })
        if dataset == "spirals" || dataset == "linear_regression" {
            syntheticSamples = try reader.int("samples", default: dataset == "spirals" ? 2000 : 4096,
                                              allowed: "a count ≥ 2", where: { $0 >= 2 })
            syntheticTestSamples = try reader.int("test_samples", default: 1000, allowed: "a count ≥ 1", where: { $0 >= 1 })
            syntheticFeatures = dataset == "linear_regression"
                ? try reader.int("features", default: 16, allowed: "a count ≥ 1", where: { $0 >= 1 }) : 2
            syntheticNoise = try reader.double("noise", default: dataset == "spirals" ? 0.05 : 1.0,
                                               allowed: "a standard deviation ≥ 0", where: { $0 >= 0 })
        } else {
            syntheticSamples = 0
            syntheticTestSamples = 0
            syntheticFeatures = 0
            syntheticNoise = 0
        }
    }
}
