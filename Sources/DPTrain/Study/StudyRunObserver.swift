import Foundation

/// A study run's observer: checks the study's target between steps (``Study/Target``), writes
/// the `target` line at the first check that reaches it, with the crossing interpolated between
/// that check and the one before (``TargetCrossing``), and stops the run there — or, with
/// `target.stop: false`, lets it train on with no further checks; forwards the trainer's lines
/// when the study is verbose.
///
/// Checks are decided from ``TargetProgress`` in the trainer's state (checkpointed) and from
/// all-reduced values only — the subset's metric (``Evaluator``) or the ranks' summed training
/// loss — so every rank checks, and stops, at the same step, and a resumed run repeats the
/// uninterrupted run's checks.
final class StudyRunObserver: TrainingObserver {
    let target: Study.Target?
    let printer: ((String) -> Void)?
    /// The fixed subset of the validation or test split the target is checked on (built at
    /// the first check).
    private var subset: Dataset?
    /// The latest step's local view (its loss and this rank's sample count).
    private var lastStep: StepProgress?

    init(target: Study.Target?, printer: ((String) -> Void)?) {
        self.target = target
        self.printer = printer
    }

    func trainer(_ trainer: Trainer, printed line: String) { printer?(line) }

    func trainer(_ trainer: Trainer, didStep progress: StepProgress) { lastStep = progress }

    func trainer(_ trainer: Trainer, stopAfterStep step: Int) throws -> String? {
        guard let target, trainer.state.target?.reachedAtStep == nil else { return nil }
        var watch = trainer.state.target ?? TargetProgress()
        defer { trainer.state.target = watch }
        let value: Double
        if target.isEvaluated {
            guard step >= watch.nextCheck else { return nil }
            let measured = try trainer.evaluate(subset(of: trainer, for: target))
            value = target.higherIsBetter ? measured.accuracy : measured.loss
        } else {
            // The step's mean loss over every rank's samples, then the average of those.
            var totals = [(lastStep?.loss ?? .nan) * Double(lastStep?.rankSamples ?? 0), Double(lastStep?.rankSamples ?? 0)]
            try trainer.communicator.allReduceSum(&totals)
            watch.addLoss(totals[0] / max(totals[1], 1), smoothing: target.smoothing)
            value = watch.smoothedLoss(smoothing: target.smoothing)
        }
        let state = trainer.state
        let check = TargetCrossing.Check(step: Double(step), samples: Double(state.samples), epoch: trainer.progress,
                                         wallSeconds: trainer.elapsed, value: value)
        let previous = watch.previous
        watch.previous = check
        watch.nextCheck = target.isEvaluated ? TargetSchedule.nextCheck(afterStep: step, value: value, target: target) : step + 1
        guard target.isReached(by: value),
              let crossing = TargetCrossing.find(target, in: (previous.map { [$0] } ?? []) + [check]) else { return nil }
        try trainer.runDirectory?.log.write(record(crossing, target: target))
        watch.reachedAtStep = step
        let interval = previous.map { " between steps \(Int($0.step)) and \(step)" } ?? " at the first check"
        let message = "\(target.metric) \(Format.significant(value)) reached the target \(Format.significant(target.value))"
            + " at step \(step), \(state.samples) samples (crossing interpolated\(interval): step "
            + "\(Format.fixed(crossing.step, 1)), \(Format.grouped(crossing.samples)) samples)"
        guard target.stop else {
            printer?(message + "; training on (target.stop: false)")
            return nil
        }
        return message
    }

    /// The split's fixed subset: `target.subset` samples drawn without replacement from the
    /// run's seed (stream ``RandomStream/targetSubset``), in file order; all of it when the
    /// subset is 0 or not smaller. It depends on the seed and the split only, never on W.
    private func subset(of trainer: Trainer, for target: Study.Target) throws -> Dataset {
        if let subset { return subset }
        let split = target.metric.hasPrefix("val_") ? trainer.data.validation : trainer.data.test
        guard let split else {
            // Study.validateRuns rejects such targets before training.
            throw StudyError.metricNeverProduced(run: trainer.config.name, study: "study", key: "target.metric",
                                                 metric: target.metric, reason: "the run has no such split")
        }
        var chosen = split
        if target.subset > 0, target.subset < split.count {
            let seed = SplitMix64(keys: trainer.config.seed, RandomStream.targetSubset.rawValue).state
            chosen = split.subset(indices: ValidationSplit.indices(count: split.count, validationCount: target.subset,
                                                                   seed: seed).validation)
        }
        subset = chosen
        return chosen
    }

    /// The `target` line (``MetricField/target``).
    private func record(_ crossing: TargetCrossing, target: Study.Target) -> MetricRecord {
        let after = crossing.after, before = crossing.before
        let values: [MetricField: Double?] = [
            .step: after.step, .samples: after.samples, .epoch: after.epoch, .batch: lastStep.map { Double($0.batch) },
            .target: target.value, .checkValue: after.value,
            .previousCheckStep: before?.step, .previousCheckSamples: before?.samples, .previousCheckValue: before?.value,
            .targetStep: crossing.step, .targetSamples: crossing.samples, .targetEpoch: crossing.epoch,
            .targetWallSeconds: crossing.wallSeconds, .checkSamples: Double(target.isEvaluated ? subset?.count ?? 0 : 0),
            .wallSeconds: after.wallSeconds,
        ]
        return MetricRecord(kind: .target, values: values)
    }
}
