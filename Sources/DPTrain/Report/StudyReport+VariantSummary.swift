extension StudyReport {
    /// Statistics of one variant over its seeds (finished runs only).
    public struct VariantSummary: Sendable {
        /// The variant summarised.
        public var variant: Study.Variant
        /// Runs the variant has (one per seed).
        public var runs: Int
        /// Runs that finished.
        public var finished: Int
        /// Global batch B at the start of its runs.
        public var batch: Double?
        /// The largest learning rate its runs logged.
        public var peakLearningRate: Double?
        /// Mean and sample standard deviation over seeds of the final accuracy (fraction).
        public var finalAccuracyMean: Double?
        /// See ``finalAccuracyMean``.
        public var finalAccuracyStd: Double?
        /// Mean and sample standard deviation over seeds of the best evaluated accuracy.
        public var bestAccuracyMean: Double?
        /// See ``bestAccuracyMean``.
        public var bestAccuracyStd: Double?
        /// Mean parameter updates at the end of the runs.
        public var updatesMean: Double?
        /// Mean training samples seen at the end of the runs.
        public var samplesMean: Double?
        /// Mean wall-clock seconds of the runs.
        public var wallSecondsMean: Double?
        /// Target studies: finished runs that reached the target, and means over those.
        public var reachedTarget: Int
        /// Mean updates to the target over the runs that reached it.
        public var stepsToTargetMean: Double?
        /// Mean training samples to the target over the runs that reached it.
        public var samplesToTargetMean: Double?
        /// Mean wall-clock seconds to the target over the runs that reached it.
        public var secondsToTargetMean: Double?
    }
}
