/// Test and validation metrics at one point of training (nil where the data has no such split).
public struct EvaluationResult: Equatable, Sendable {
    /// Mean loss over every test sample, exactly once (DESIGN §3.9).
    public var testLoss: Double?
    /// Fraction of test samples classified correctly.
    public var testAccuracy: Double?
    /// Mean loss over the validation split (`data.validation` samples).
    public var validationLoss: Double?
    /// Fraction of validation samples classified correctly.
    public var validationAccuracy: Double?

    /// Metrics as measured (nil: that split does not exist).
    public init(testLoss: Double? = nil, testAccuracy: Double? = nil,
                validationLoss: Double? = nil, validationAccuracy: Double? = nil) {
        self.testLoss = testLoss
        self.testAccuracy = testAccuracy
        self.validationLoss = validationLoss
        self.validationAccuracy = validationAccuracy
    }

    /// The value of a metric by its metrics.jsonl name (`test_accuracy`, `val_loss`, …); nil
    /// for other names or when not measured.
    public func value(named metric: String) -> Double? {
        switch metric {
        case "test_accuracy": return testAccuracy
        case "val_accuracy": return validationAccuracy
        case "test_loss": return testLoss
        case "val_loss": return validationLoss
        default: return nil
        }
    }
}
