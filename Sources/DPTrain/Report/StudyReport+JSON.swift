// report.json: every number of a study report, beside what a script needs to recompute them
// from the runs' metrics.jsonl (the README's "Recomputing a report" script does).

extension StudyReport {
    /// An estimate as `{"value", "low", "high", "seeds", "resamples"}` (null when missing).
    static func json(_ estimate: Estimate?) -> JSONValue {
        guard let estimate else { return .null }
        return .object([("value", .number(estimate.value)), ("low", .number(estimate.low)), ("high", .number(estimate.high)),
                        ("seeds", .number(Double(estimate.seeds))), ("resamples", .number(Double(estimate.resamples)))])
    }

    /// `report.json`: `study` holds the inputs (variants with their grid values, runs with their
    /// seed index, target, claims, the bootstrap's settings); `runs`, `variants`, `best_lr`,
    /// `lr_fit`, `target_points`, `target_fit` and `claims` hold every number the report shows
    /// (each statistic over seeds as an estimate with its interval).
    public func json() -> String {
        let key = accuracyKey
        let inputs: JSONValue = .object([
            ("name", .string(study.name)),
            ("accuracy_key", .string(key)),
            ("test_key", reportsTestSeparately ? .string(AccuracyMetric.test.rawValue) : .null),
            ("target", study.target.map { .object([("metric", .string($0.metric)), ("value", .number($0.value)),
                                                   ("stop", .bool($0.stop))]) } ?? .null),
            ("seed_count", .number(Double(seedCount))),
            ("bootstrap", .object([("resamples", .number(Double(bootstrap.resamples))), ("seed", .number(Double(bootstrap.seed))),
                                   ("level", .number(bootstrap.level))])),
            ("batch_lr_grid", .bool(isBatchLearningRateGrid)),
            ("variants", .array(study.variants.map { variant in
                .object([("name", .string(variant.name)),
                         ("lr", variant.coordinates[GridPath.learningRate.rawValue].map { .string($0) } ?? .null)])
            })),
            ("runs", .array(study.runs.map { run in
                .object([("name", .string(run.name)), ("variant", .string(run.variant.name)),
                         ("seed_index", .number(Double(run.seed.flatMap { study.seeds?.firstIndex(of: $0) } ?? 0)))])
            })),
            ("claims", .array(study.claims.map { .object([("variant", .string($0.variant)), ("reference", .string($0.reference)),
                                                          ("tolerance", .number($0.tolerance))]) })),
        ])
        let runEntries: [JSONValue] = outcomes.map { outcome in
            let run = outcome.metrics
            let status = run.diverged ? "diverged" : run.finished ? "finished" : "unfinished"
            return .object([
                ("name", .string(run.run.name)), ("status", .string(status)),
                ("batch", .number(run.batch)), ("peak_lr", .number(run.peakLearningRate)),
                ("final_accuracy", .number(outcome.finalAccuracy)), ("best_accuracy", .number(outcome.bestAccuracy)),
                ("final_test_accuracy", .number(outcome.finalTestAccuracy)),
                ("updates", .number(run.updates)), ("samples", .number(run.samples)), ("wall_seconds", .number(run.wallSeconds)),
                ("diverged_at_step", .number(run.divergence?.step)),
                ("target_step", .number(outcome.crossing?.step)), ("target_samples", .number(outcome.crossing?.samples)),
                ("target_epoch", .number(outcome.crossing?.epoch)), ("target_seconds", .number(outcome.crossing?.wallSeconds)),
                ("target_check_value", .number(outcome.crossing?.after.value)),
                ("target_between", outcome.crossing.map { .array([.number($0.before?.step), .number($0.after.step)]) } ?? .null),
                ("target_from", outcome.crossing.map { _ in .string(outcome.crossingFromTargetLine ? "target line" : "evaluations") } ?? .null),
                ("b_simple_at_target", .number(outcome.bSimpleAtTarget)),
                ("temperature_at_target", .number(outcome.temperatureAtTarget)),
            ])
        }
        let selected = Set(selectedVariants)
        let variantEntries: [JSONValue] = variantSummaries.enumerated().map { index, summary in
            .object([
                ("name", .string(summary.variant.name)), ("selected", .bool(selected.contains(index))),
                ("finished", .number(Double(summary.finished))), ("diverged", .number(Double(summary.diverged))),
                ("valid", .number(Double(summary.valid))), ("reached", .number(Double(summary.reachedTarget))),
                ("batch", .number(summary.batch)), ("peak_lr", .number(summary.peakLearningRate)),
                ("final_accuracy", StudyReport.json(summary.finalAccuracy)), ("best_accuracy", StudyReport.json(summary.bestAccuracy)),
                ("final_test_accuracy", StudyReport.json(summary.finalTestAccuracy)),
                ("updates", StudyReport.json(summary.updates)), ("samples", StudyReport.json(summary.samples)),
                ("wall_seconds", StudyReport.json(summary.wallSeconds)),
                ("steps_to_target", StudyReport.json(summary.stepsToTarget)),
                ("samples_to_target", StudyReport.json(summary.samplesToTarget)),
                ("seconds_to_target", StudyReport.json(summary.secondsToTarget)),
                ("value_at_target", StudyReport.json(summary.valueAtTarget)),
                ("b_simple_at_target", StudyReport.json(summary.bSimpleAtTarget)),
                ("temperature_at_target", StudyReport.json(summary.temperatureAtTarget)),
            ])
        }
        let lrFit: JSONValue = learningRateFit.map {
            .object([("k", StudyReport.json($0.exponent)), ("coefficient", .number($0.coefficient)), ("r_squared", .number($0.rSquared))])
        } ?? .null
        let targetFit: JSONValue = self.targetFit.map {
            .object([("s_min", StudyReport.json($0.minimumSteps)), ("b_noise", StudyReport.json($0.noiseScale)),
                     ("e_min", StudyReport.json($0.minimumSamples)), ("r_squared", .number($0.rSquared))])
        } ?? .null
        let root: JSONValue = .object([
            ("format", .string("dptrain-study-report")), ("version", .number(1)),
            ("study", inputs),
            ("runs", .array(runEntries)),
            ("variants", .array(variantEntries)),
            ("best_lr", .array(bestLearningRates.map {
                .object([("batch", .number($0.batch)), ("lr", .number($0.learningRate)), ("score", .number($0.score)),
                         ("variant", .string($0.variant))])
            })),
            ("lr_fit", lrFit),
            ("target_points", .array(targetPoints.map { .object([("batch", .number($0.batch)), ("variant", .string($0.variant))]) })),
            ("target_fit", targetFit),
            ("claims", .array(claimResults.map { result in
                .object([("variant", .string(result.claim.variant)), ("reference", .string(result.claim.reference)),
                         ("difference", StudyReport.json(result.differenceEstimate)),
                         ("supported", result.supported.map { .bool($0) } ?? .null)])
            })),
        ])
        return root.text() + "\n"
    }
}
