extension StudyReport {
    /// Which accuracy a report shows: the test split's when the runs evaluate one, else the
    /// validation split's.
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
