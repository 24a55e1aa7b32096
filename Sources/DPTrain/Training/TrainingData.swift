/// The prepared datasets of a run: normalised training, validation and test splits, and the
/// augmentation applied to training samples on the fly.
public struct TrainingData {
    public var train: Dataset
    public var validation: Dataset?
    public var test: Dataset?
    public var augmentation: Augmentation?
    /// How inputs were normalised (for the banner and metadata).
    public var normalizationSummary: String

    public init(train: Dataset, validation: Dataset?, test: Dataset?, augmentation: Augmentation?,
                normalizationSummary: String) {
        self.train = train
        self.validation = validation
        self.test = test
        self.augmentation = augmentation
        self.normalizationSummary = normalizationSummary
    }
}
