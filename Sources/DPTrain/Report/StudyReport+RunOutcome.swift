extension StudyReport {
    /// The numbers one run contributes to a report, read once from its metrics.
    public struct RunOutcome: Sendable {
        /// The run's metrics.
        public var metrics: RunMetrics
        /// Index of its variant in ``Study/variants``.
        public var variantIndex: Int
        /// Index of its seed in ``Study/seeds`` (0 when the study uses the base config's seed).
        public var seedIndex: Int
        /// Finished and not diverged: the runs statistics are taken over.
        public var valid: Bool
        /// Final selection accuracy (validation when logged, else test): the summary's, else the
        /// last evaluation's.
        public var finalAccuracy: Double?
        /// Best selection accuracy over its evaluations and summary.
        public var bestAccuracy: Double?
        /// Final test accuracy (when the selection metric is validation accuracy).
        public var finalTestAccuracy: Double?
        /// The crossing of the study's target (``RunMetrics/crossing(_:)``), nil when not reached.
        public var crossing: TargetCrossing?
        /// True when ``crossing`` is the run's `target` line (its checks between steps), false
        /// when it is interpolated between its evaluations.
        public var crossingFromTargetLine = false
        /// B_simple at the target: `b_simple` of the step line nearest the crossing step (ties:
        /// the earlier line).
        public var bSimpleAtTarget: Double?
        /// The momentum-corrected SGD temperature g = εN/(B(1 − μ)) at the target, from the step
        /// line nearest the crossing that logs the noise scale: its `noise_scale_momentum`, or
        /// with μ = 0 (not logged) `noise_scale` + `lr` = ε(N/B − 1) + ε.
        public var temperatureAtTarget: Double?
    }

    /// The outcome of `metrics`, a run of `study` (`key`, `testKey`: the selection and test
    /// accuracy keys).
    static func outcome(_ metrics: RunMetrics, study: Study, key: String, testKey: String?) -> RunOutcome {
        let variantIndex = study.variants.firstIndex { $0.name == metrics.run.variant.name } ?? 0
        let seedIndex = metrics.run.seed.flatMap { seed in study.seeds?.firstIndex(of: seed) } ?? 0
        var outcome = RunOutcome(metrics: metrics, variantIndex: variantIndex, seedIndex: seedIndex,
                                 valid: metrics.finished && !metrics.diverged,
                                 finalAccuracy: metrics.finalValue(key), bestAccuracy: metrics.bestValue(key),
                                 finalTestAccuracy: testKey.flatMap { metrics.finalValue($0) })
        if let target = study.target, let crossing = metrics.crossing(target) {
            outcome.crossing = crossing
            outcome.crossingFromTargetLine = metrics.targetLineCrossing(target) != nil
            let steps = metrics.steps
            outcome.bSimpleAtTarget = nearest(steps, to: crossing.step, having: "b_simple")?["b_simple"]
            if let line = nearest(steps, to: crossing.step, having: "noise_scale") {
                outcome.temperatureAtTarget = line["noise_scale_momentum"] ?? line["lr"].map { line["noise_scale"]! + $0 }
            }
        }
        return outcome
    }

    /// The record of `records` with a value for `key` whose step is nearest `step` (ties: the first).
    static func nearest(_ records: [MetricRecord], to step: Double, having key: String) -> MetricRecord? {
        var best: (distance: Double, record: MetricRecord)?
        for record in records where record[key] != nil {
            let distance = abs((record["step"] ?? 0) - step)
            if best == nil || distance < best!.distance { best = (distance, record) }
        }
        return best?.record
    }
}
