import Foundation

/// The Fashion-MNIST dataset (Xiao, Rasul & Vollgraf 2017): 28×28 grey-scale images of 10
/// clothing classes, 60000 training and 10000 test samples, stored as IDX files.
///
/// Reference: https://github.com/zalandoresearch/fashion-mnist
public enum FashionMNIST {
    /// Where Debian's `dataset-fashion-mnist` package installs the files.
    public static let defaultDirectory = "/usr/share/datasets/fashion-mnist"
    /// The class names, by label.
    public static let classNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
    /// The advice in missing-file errors.
    public static let installHint = "install the data with `apt-get install dataset-fashion-mnist` " +
        "(or set data.path to a directory holding the four IDX files)"

    /// Loads `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`
    /// and `t10k-labels-idx1-ubyte` (each plain or `.gz`) from `directory`.
    ///
    /// Returns datasets of sample shape `[1, 28, 28]` (any IDX image size is accepted),
    /// pixels as floats in [0, 255], labels in 0..<10.
    /// - Throws: ``DataError`` `.missingFile` naming the path and the apt package when the
    ///   directory or a file is absent; any ``IDXReader`` error for damaged files.
    ///   `budget` bounds what the headers may declare (``MemoryBudget``).
    public static func load(directory: String = defaultDirectory, classCount: Int? = 10,
                            budget: MemoryBudget = MemoryBudget.host()) throws
        -> (train: Dataset, test: Dataset) {
        try IDXReader.loadDirectory(directory, classCount: classCount, installHint: installHint,
                                    damagedHint: "the file is damaged; re-download it or reinstall the package " +
                                        "(`apt-get install --reinstall dataset-fashion-mnist`)",
                                    budget: budget)
    }

    /// Throws when train and test samples have different shapes.
    static func checkCompatible(train: Dataset, test: Dataset, file: String) throws {
        guard train.sampleShape == test.sampleShape else {
            throw DataError(.countMismatch, file: file, problem: "test samples have a different shape from training samples",
                            expected: "\(train.sampleShape) (as in \(train.source))", found: "\(test.sampleShape)",
                            hint: "use training and test files from the same dataset")
        }
    }
}
