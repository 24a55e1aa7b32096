import Foundation

// The report's stored parts and accuracy choice. Its analysis, findings, plots, tables and
// files are extensions in the StudyReport+*.swift files next to this one.

/// The report of a study, rebuilt from its runs' `metrics.jsonl` files: per-variant
/// statistics over seeds, the best LR per batch size with its fitted exponent (grids), steps
/// and samples to a target with the fit S = S_min(1 + B_noise/B) (target studies), checks of
/// the study's claims, and the files `report.html` (self-contained, inline SVG),
/// `summary.md` and `summary.csv`.
public struct StudyReport {
    /// The study whose runs are reported.
    public let study: Study
    /// Runs that have metrics (finished or not), in study order.
    public let runs: [RunMetrics]
    /// Runs of the study with no metrics yet.
    public let missing: [Study.Run]

    /// Loads every run directory of `study` that has a `metrics.jsonl`.
    public init(study: Study) throws {
        var runs: [RunMetrics] = []
        var missing: [Study.Run] = []
        for run in study.runs {
            if let metrics = try RunMetrics.load(run) { runs.append(metrics) } else { missing.append(run) }
        }
        self.init(study: study, runs: runs, missing: missing)
    }

    /// A report of already loaded runs (`missing`: the study's runs without metrics).
    public init(study: Study, runs: [RunMetrics], missing: [Study.Run] = []) {
        self.study = study
        self.runs = runs
        self.missing = missing
    }

    /// The accuracy reported: test accuracy when the runs have it, else validation accuracy.
    var accuracyMetric: AccuracyMetric {
        runs.contains { $0.records.contains { $0[AccuracyMetric.test.rawValue] != nil } } ? .test : .validation
    }

    /// The metrics.jsonl key of ``accuracyMetric``: `test_accuracy` or `val_accuracy`.
    public var accuracyKey: String { accuracyMetric.rawValue }

    /// ``accuracyMetric`` in words, for titles and tables.
    var accuracyName: String { accuracyMetric.name }
}
