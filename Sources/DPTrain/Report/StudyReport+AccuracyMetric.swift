extension StudyReport {
    /// Which accuracy a report selects on and summarises: the validation split's when the runs
    /// evaluate one, else the test split's.
    enum AccuracyMetric: String {
        /// `test_accuracy` in metrics.jsonl.
        case test = "test_accuracy"
        /// `val_accuracy` in metrics.jsonl.
        case validation = "val_accuracy"

        /// The metric in words: "test accuracy" or "validation accuracy".
        var name: String {
            switch self {
            case .test: return "test accuracy"
            case .validation: return "validation accuracy"
            }
        }
    }
}
