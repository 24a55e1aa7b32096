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

    /// Where the run first reached `target` (the first evaluation whose metric reaches it).
    public func reached(_ target: Study.Target) -> (step: Double, samples: Double, wallSeconds: Double, epoch: Double)? {
        for record in evaluations + (summary.map { [$0] } ?? []) {
            guard let value = record[target.metric], target.isReached(by: value) else { continue }
            return (record["step"] ?? 0, record["samples"] ?? 0, record["wall_seconds"] ?? 0, record["epoch"] ?? 0)
        }
        return nil
    }

    /// (x, y) points of records of `kind` (nil: any kind) that have both keys.
    public func points(kind: MetricRecord.Kind?, x: String, y: String) -> [(x: Double, y: Double)] {
        records.filter { kind == nil || $0.kind == kind }.compactMap { record in
            guard let a = record[x], let b = record[y] else { return nil }
            return (a, b)
        }
    }
}
