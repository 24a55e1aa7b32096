/// `data.dataset` with exactly the options of that kind of data. Printing a kind shows its
/// YAML spelling (`fashion-mnist`, `idx`, `npy`, `csv`, `spirals`, `linear_regression`).
public enum DatasetKind: Equatable, Sendable, CustomStringConvertible {
    /// Fashion-MNIST IDX files in `directory` (`data.path`, default
    /// `/usr/share/datasets/fashion-mnist`), 10 classes (the default kind).
    case fashionMNIST(directory: String)
    /// Any IDX files in the MNIST layout in `directory` (`data.path`); classes inferred from
    /// the training labels.
    case idx(directory: String)
    /// `.npz` archives `data.train` (required) and `data.test` (optional), keys `x`/`features`,
    /// `y`/`labels`.
    case npy(train: String, test: String?)
    /// CSV files `data.train` (required) and `data.test` (optional) with a header row; the
    /// label is the column `data.label_column` (default `label`).
    case csv(train: String, test: String?, labelColumn: String)
    /// Two interleaved spirals in 2-D (``SyntheticData/spirals(count:noise:seed:stream:)``):
    /// `samples` (default 2000, ≥ 2) training and `test_samples` (default 1000, ≥ 1) test
    /// points, Gaussian noise σ = `noise` (default 0.05, ≥ 0).
    case spirals(samples: Int, testSamples: Int, noise: Double)
    /// A noisy linear regression (``SyntheticData/linearRegression(count:features:noise:seed:stream:)``):
    /// `samples` (default 4096, ≥ 2), `test_samples` (default 1000, ≥ 1), `features` (default
    /// 16, ≥ 1) and target noise σ = `noise` (default 1.0, ≥ 0).
    case linearRegression(samples: Int, testSamples: Int, features: Int, noise: Double)
    /// A prepared sample store file `data.path` (``SampleStore``; for example one generated
    /// directly by a script), used as it is: mapped, verified, never rebuilt.
    case store(path: String)

    /// The YAML spellings of `data.dataset`, in the order errors list them.
    public static let spellings = ["fashion-mnist", "idx", "npy", "csv", "spirals", "linear_regression", "store"]

    /// The YAML spelling of `data.dataset`.
    public var description: String {
        switch self {
        case .fashionMNIST: return "fashion-mnist"
        case .idx: return "idx"
        case .npy: return "npy"
        case .csv: return "csv"
        case .spirals: return "spirals"
        case .linearRegression: return "linear_regression"
        case .store: return "store"
        }
    }
}
