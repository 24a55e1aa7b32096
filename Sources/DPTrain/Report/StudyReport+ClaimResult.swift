extension StudyReport {
    /// The verdict on one claim of the study.
    public struct ClaimResult: Sendable {
        /// The claim checked.
        public var claim: Study.Claim
        /// Whether the data supports it; nil when either side has no valid run.
        public var supported: Bool?
        /// Mean final accuracy of the variant minus the reference's (a fraction).
        public var difference: Double?
        /// ``difference`` with its 90% bootstrap interval over seeds (seeds paired: a resample
        /// draws the same seeds for both variants).
        public var differenceEstimate: Estimate?
        /// The verdict in one sentence, as the report prints it.
        public var message: String
    }
}
