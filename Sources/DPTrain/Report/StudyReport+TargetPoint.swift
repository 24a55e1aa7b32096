extension StudyReport {
    /// One batch size of a target study at its fastest variant (the fewest mean updates to the
    /// target): what the S = S_min(1 + B_noise/B) fit and the trade-off plot are drawn from.
    public struct TargetPoint: Sendable {
        /// B.
        public var batch: Double
        /// The fastest variant at B.
        public var variant: String
        /// S: its updates to the target (mean and interval over seeds).
        public var steps: Estimate
        /// E: its training samples to the target.
        public var samples: Estimate
        /// Its mean wall-clock seconds to the target.
        public var seconds: Double?
        /// Its peak LR.
        public var learningRate: Double?
        /// B_simple nearest the crossing, mean over its runs.
        public var bSimple: Estimate?
        /// g = εN/(B(1 − μ)) nearest the crossing, mean over its runs.
        public var temperature: Estimate?
    }
}
