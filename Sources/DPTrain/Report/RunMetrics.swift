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
    /// True when the study runner recorded a divergence (too many non-finite steps in a row).
    public var diverged: Bool { summary?["diverged"] == 1 }

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

    /// Where the run first reached `target`: interpolated linearly between the last evaluation
    /// that missed it and the first that reached it (``TargetCrossing``).
    public func reached(_ target: Study.Target) -> (step: Double, samples: Double, wallSeconds: Double, epoch: Double)? {
        guard let crossing = crossing(target) else { return nil }
        return (crossing.step, crossing.samples, crossing.wallSeconds, crossing.epoch)
    }

    /// The evaluations (then the summary) as checks of `target`, and its first crossing.
    public func crossing(_ target: Study.Target) -> TargetCrossing? {
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
