extension StudyReport {
    /// Statistics of one variant over its seeds: valid runs only (finished, not diverged); each
    /// ``Estimate`` is the mean with its 90% bootstrap interval over seeds.
    public struct VariantSummary: Sendable {
        /// The variant summarised.
        public var variant: Study.Variant
        /// Runs the variant has (one per seed).
        public var runs: Int
        /// Runs that finished (diverged ones included).
        public var finished: Int
        /// Finished runs that diverged (left out of the statistics).
        public var diverged: Int
        /// Runs the statistics are over: finished and not diverged.
        public var valid: Int
        /// Global batch B at the start of its first valid run (else of its first run).
        public var batch: Double?
        /// The largest learning rate that run logged.
        public var peakLearningRate: Double?
        /// Final selection accuracy (fraction; validation when logged, else test).
        public var finalAccuracy: Estimate?
        /// Best evaluated selection accuracy.
        public var bestAccuracy: Estimate?
        /// Final test accuracy, for the selected variants only (``StudyReport/selectedVariants``)
        /// and only when selection is on validation accuracy.
        public var finalTestAccuracy: Estimate?
        /// Parameter updates at the end of the runs.
        public var updates: Estimate?
        /// Training samples seen at the end of the runs.
        public var samples: Estimate?
        /// Wall-clock seconds of the runs (the summary's `wall_seconds`: training and evaluation).
        public var wallSeconds: Estimate?
        /// Target studies: valid runs that reached the target; the target statistics are over those.
        public var reachedTarget: Int
        /// Interpolated updates to the target.
        public var stepsToTarget: Estimate?
        /// Interpolated training samples to the target.
        public var samplesToTarget: Estimate?
        /// Interpolated wall-clock seconds to the target.
        public var secondsToTarget: Estimate?
        /// The target's metric at the first check that reached it (``TargetCrossing/after``: on the
        /// check subset for a `target` line, on the whole split between evaluations).
        public var valueAtTarget: Estimate?
        /// B_simple logged nearest the crossing (``RunOutcome/bSimpleAtTarget``).
        public var bSimpleAtTarget: Estimate?
        /// g = εN/(B(1 − μ)) nearest the crossing (``RunOutcome/temperatureAtTarget``).
        public var temperatureAtTarget: Estimate?

        /// The mean final accuracy (nil without a valid run).
        public var finalAccuracyMean: Double? { finalAccuracy?.value }
        /// The mean updates to the target (nil when no valid run reached it).
        public var stepsToTargetMean: Double? { stepsToTarget?.value }
        /// The mean updates at the end (nil without a valid run).
        public var updatesMean: Double? { updates?.value }
    }
}
