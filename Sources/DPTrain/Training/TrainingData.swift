/// The prepared datasets of a run: normalised training, validation and test splits, and the
/// augmentation applied to training samples on the fly.
public struct TrainingData {
    /// The training split (N samples; the validation split taken out of it).
    public var train: Dataset
    /// `data.validation` samples held out of the training set (nil when 0).
    public var validation: Dataset?
    /// The test set (nil when the data has none).
    public var test: Dataset?
    /// Random shifts, flips and noise applied to training samples (nil: none).
    public var augmentation: Augmentation?
    /// How inputs were normalised (for the banner and metadata).
    public var normalizationSummary: String
    /// The mapped sample store the splits read from (nil: samples in memory).
    public var store: SampleStore?

    /// Prepared data (see ``DataPreparation``).
    public init(train: Dataset, validation: Dataset?, test: Dataset?, augmentation: Augmentation?,
                normalizationSummary: String, store: SampleStore? = nil) {
        self.store = store
        self.train = train
        self.validation = validation
        self.test = test
        self.augmentation = augmentation
        self.normalizationSummary = normalizationSummary
    }
}
