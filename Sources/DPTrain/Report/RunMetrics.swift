import Foundation

/// The metrics of one study run, read from its `metrics.jsonl` (the report uses nothing else).
public struct RunMetrics: Sendable {
    public var run: Study.Run
    public var records: [MetricRecord]

    public init(run: Study.Run, records: [MetricRecord]) {
        self.run = run
        self.records = records
    }

    /// Reads `<run.directory>/metrics.jsonl` (nil when it does not exist yet).
    public static func load(_ run: Study.Run) throws -> RunMetrics? {
        let url = URL(fileURLWithPath: run.directory).appendingPathComponent("metrics.jsonl")
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        return RunMetrics(run: run, records: try MetricsLog.read(url))
    }

    public var steps: [MetricRecord] { records.filter { $0.kind == .step } }
    public var evaluations: [MetricRecord] { records.filter { $0.kind == .eval } }
    /// The `summary` record, written when the run finished.
    public var summary: MetricRecord? { records.last { $0.kind == .summary } }
    public var finished: Bool { summary != nil }
    /// True when the run diverged (``divergence``): the report leaves it out of its statistics
    /// and lists it.
    public var diverged: Bool { divergence != nil }

    /// Where and why a finished run diverged, from what its metrics record, or nil:
    /// - its summary has `diverged: 1` (the study runner stopped it after too many non-finite
    ///   gradients in a row): at the summary's step, naming the skipped steps and the first
    ///   step line whose `train_loss` was non-finite (written as null);
    /// - else its summary's `val_loss` or `test_loss` is non-finite (null while the split's
    ///   accuracy is logged; a split the run does not have is null in both): at the summary's step.
    public var divergence: (step: Double, reason: String)? {
        guard let summary else { return nil }
        let step = summary["step"] ?? 0
        if summary["diverged"] == 1 {
            var reason = "non-finite gradients in a row stopped it"
            if let skipped = summary["skipped_steps"] { reason += " (\(Format.grouped(skipped)) steps skipped)" }
            if let first = steps.first(where: { RunMetrics.isNonFinite($0, "train_loss") }) {
                reason += "; first non-finite training loss logged at step \(Format.grouped(first["step"] ?? 0))"
            }
            return (step, reason)
        }
        for split in ["val", "test"] where RunMetrics.isNonFinite(summary, split + "_loss") && summary[split + "_accuracy"] != nil {
            return (step, "non-finite \(split)_loss at the end")
        }
        return nil
    }

    /// True when `record` has `key` written as null: a value that was not finite (NaN, ±∞).
    static func isNonFinite(_ record: MetricRecord, _ key: String) -> Bool {
        record.fields.contains { $0.key == key && $0.value == nil }
    }

    /// B at the start of the run (the first logged batch).
    public var batch: Double? { (steps.first ?? records.first)?["batch"] }
    /// The largest learning rate logged: the peak LR (after scaling and warmup).
    public var peakLearningRate: Double? { records.compactMap { $0["lr"] }.max() }

    /// The accuracy at the end: the summary's, else the last evaluation's.
    public func finalValue(_ key: String) -> Double? {
        summary?[key] ?? evaluations.last?[key]
    }

    /// The best value of `key` over all evaluations and the summary.
    public func bestValue(_ key: String, higherIsBetter: Bool = true) -> Double? {
        let values = (evaluations + (summary.map { [$0] } ?? [])).compactMap { $0[key] }
        return higherIsBetter ? values.max() : values.min()
    }

    /// Updates, samples and wall seconds at the end (summary, else the last record).
    public var updates: Double? { (summary ?? records.last)?["step"] }
    public var samples: Double? { (summary ?? records.last)?["samples"] }
    public var wallSeconds: Double? { (summary ?? records.last)?["wall_seconds"] }

    /// Where the run first reached `target` (``crossing(_:)``).
    public func reached(_ target: Study.Target) -> (step: Double, samples: Double, wallSeconds: Double, epoch: Double)? {
        guard let crossing = crossing(target) else { return nil }
        return (crossing.step, crossing.samples, crossing.wallSeconds, crossing.epoch)
    }

    /// The run's first crossing of `target`: its `target` line when it has one for this target
    /// (``targetLine(_:)``: the study runner's checks between steps found it, authoritative),
    /// else interpolated between its evaluations (``evaluationCrossing(_:)``). A run without a
    /// `target` line is older than those checks, or its checks never reached the target; when
    /// one of its evaluations (each on the whole split) did reach it, that is still a crossing
    /// the run made, placed at the evaluations' coarser resolution — leaving it out would count
    /// the run as never reaching a target it reached. A `train_loss_ema` target is in no
    /// evaluation, so such a run has no crossing.
    public func crossing(_ target: Study.Target) -> TargetCrossing? {
        targetLineCrossing(target) ?? evaluationCrossing(target)
    }

    /// The first `target` line written for `target`: its `target` value equals the study's, and
    /// its `check_samples` is 0 exactly when the metric is `train_loss_ema` (the line does not
    /// name its metric). A line for another target (the study file changed since) is ignored.
    public func targetLine(_ target: Study.Target) -> MetricRecord? {
        records.first { record in
            record.kind == .target && record["target"] == target.value && record["target_step"] != nil
                && (record["check_samples"] == 0) == !target.isEvaluated
        }
    }

    /// The crossing a `target` line records (``targetLine(_:)``): its `target_step`,
    /// `target_samples`, `target_epoch`, `target_wall_seconds`, between the check before it
    /// (`previous_check_*`; its epoch and seconds are not logged: 0) and the check that reached
    /// it (the line's `step`, `samples`, `epoch`, `wall_seconds`, `check_value`).
    public func targetLineCrossing(_ target: Study.Target) -> TargetCrossing? {
        guard let line = targetLine(target), let step = line["target_step"] else { return nil }
        let after = TargetCrossing.Check(step: line["step"] ?? step, samples: line["samples"] ?? 0, epoch: line["epoch"] ?? 0,
                                         wallSeconds: line["wall_seconds"] ?? 0, value: line["check_value"] ?? target.value)
        let before = line["previous_check_step"].map { previousStep in
            TargetCrossing.Check(step: previousStep, samples: line["previous_check_samples"] ?? 0,
                                 value: line["previous_check_value"] ?? .nan)
        }
        return TargetCrossing(step: step, samples: line["target_samples"] ?? 0, epoch: line["target_epoch"] ?? 0,
                              wallSeconds: line["target_wall_seconds"] ?? 0, before: before, after: after)
    }

    /// The evaluations (then the summary) as checks of `target`, and its first crossing
    /// interpolated between them (``TargetCrossing``).
    public func evaluationCrossing(_ target: Study.Target) -> TargetCrossing? {
        let checks = (evaluations + (summary.map { [$0] } ?? [])).compactMap { record -> TargetCrossing.Check? in
            guard let value = record[target.metric] else { return nil }
            return TargetCrossing.Check(step: record["step"] ?? 0, samples: record["samples"] ?? 0, epoch: record["epoch"] ?? 0,
                                        wallSeconds: record["wall_seconds"] ?? 0, value: value)
        }
        return TargetCrossing.find(target, in: checks)
    }

    /// (x, y) points of records of `kind` (nil: any kind) that have both keys.
    public func points(kind: MetricRecord.Kind?, x: String, y: String) -> [(x: Double, y: Double)] {
        records.filter { kind == nil || $0.kind == kind }.compactMap { record in
            guard let a = record[x], let b = record[y] else { return nil }
            return (a, b)
        }
    }
}
