import Foundation

// The report's stored parts and accuracy choice. Its analysis, findings, plots, tables and
// files are extensions in the StudyReport+*.swift files next to this one.

/// The report of a study, rebuilt from its runs' `metrics.jsonl` files: per-variant
/// statistics over seeds (mean and 90% percentile-bootstrap interval, ``Bootstrap``), the
/// best LR per batch size with its fitted exponent (grids), steps and samples to a target
/// with the fit S = S_min(1 + B_noise/B) (target studies), checks of the study's claims, and
/// the files `report.html` (self-contained, inline SVG), `summary.md`, `summary.csv` and
/// `report.json` (every number of the report, for scripts).
///
/// Selection (best LR, fastest run to the target, claims) uses validation accuracy when the
/// runs log it, test accuracy only when they have no validation split; the test accuracy of
/// the selected variants is reported beside. Diverged runs (``RunMetrics/divergence``) are left
/// out of every statistic and listed.
public struct StudyReport {
    /// The study whose runs are reported.
    public let study: Study
    /// Runs that have metrics (finished or not), in study order.
    public let runs: [RunMetrics]
    /// Runs of the study with no metrics yet.
    public let missing: [Study.Run]
    /// The resampling behind every interval.
    public let bootstrap: Bootstrap
    /// One outcome per run of ``runs``, in the same order.
    public let outcomes: [RunOutcome]
    /// The valid runs by variant and seed.
    let table: SeedTable
    /// Every statistic on the real seeds.
    let sample: SeedSample
    /// Every statistic on each bootstrap resample of the seeds (empty with one seed).
    let resamples: [SeedSample]

    /// Loads every run directory of `study` that has a `metrics.jsonl`.
    public init(study: Study, bootstrap: Bootstrap = Bootstrap()) throws {
        var runs: [RunMetrics] = []
        var missing: [Study.Run] = []
        for run in study.runs {
            if let metrics = try RunMetrics.load(run) { runs.append(metrics) } else { missing.append(run) }
        }
        self.init(study: study, runs: runs, missing: missing, bootstrap: bootstrap)
    }

    /// A report of already loaded runs (`missing`: the study's runs without metrics).
    public init(study: Study, runs: [RunMetrics], missing: [Study.Run] = [], bootstrap: Bootstrap = Bootstrap()) {
        self.study = study
        self.runs = runs
        self.missing = missing
        self.bootstrap = bootstrap
        let metric = StudyReport.accuracyMetric(of: runs)
        let outcomes = runs.map {
            StudyReport.outcome($0, study: study, key: metric.rawValue,
                                testKey: metric == .validation ? AccuracyMetric.test.rawValue : nil)
        }
        self.outcomes = outcomes
        let seedCount = study.seeds?.count ?? 1
        var cells = [[RunOutcome?]](repeating: [RunOutcome?](repeating: nil, count: seedCount), count: study.variants.count)
        for outcome in outcomes where outcome.valid { cells[outcome.variantIndex][outcome.seedIndex] = outcome }
        let batchAxis = study.grid.first { $0.path == GridPath.batch.rawValue }
        let rateAxis = study.grid.first { $0.path == GridPath.learningRate.rawValue }
        var batches: [Double?] = [], rates: [Double?] = []
        for (index, variant) in study.variants.enumerated() {
            let first = cells[index].compactMap { $0 }.first?.metrics
            batches.append(first?.batch)
            var rate = first?.peakLearningRate
            if let peak = rate, let nominal = variant.coordinates[GridPath.learningRate.rawValue].flatMap(Double.init),
               abs(peak / nominal - 1) < 0.1 {
                rate = nominal
            }
            rates.append(rate)
        }
        let table = SeedTable(cells: cells, batches: batches, learningRates: rates,
                              isBatchLearningRateGrid: batchAxis != nil && rateAxis != nil,
                              byTarget: StudyReport.selectsByTarget(study))
        self.table = table
        sample = table.sample(Array(0..<seedCount))
        resamples = seedCount >= 2 ? bootstrap.draws(seedCount: seedCount).map(table.sample) : []
    }

    /// True when the study's target stops its runs: their final accuracy is then the target's,
    /// so selection (best LR, the fastest variant per batch size) and the S_min/B_noise fit go by
    /// updates to the target. A target that does not stop the runs (`stop: false`) is a
    /// milestone: the report gives the cost to it beside the result at the end, and selects as
    /// without a target.
    static func selectsByTarget(_ study: Study) -> Bool { study.target?.stop == true }

    /// ``selectsByTarget(_:)`` of this report's study.
    var selectsByTarget: Bool { StudyReport.selectsByTarget(study) }

    /// The accuracy selection uses: validation accuracy when any run logs it, else test accuracy.
    static func accuracyMetric(of runs: [RunMetrics]) -> AccuracyMetric {
        runs.contains { $0.records.contains { $0[AccuracyMetric.validation.rawValue] != nil } } ? .validation : .test
    }

    /// The accuracy selection and the summary use (``accuracyMetric(of:)``).
    var accuracyMetric: AccuracyMetric { StudyReport.accuracyMetric(of: runs) }

    /// The metrics.jsonl key of ``accuracyMetric``: `val_accuracy` or `test_accuracy`.
    public var accuracyKey: String { accuracyMetric.rawValue }

    /// ``accuracyMetric`` in words, for titles and tables.
    var accuracyName: String { accuracyMetric.name }

    /// True when selection is on validation accuracy, so the test accuracy is reported
    /// separately for the selected variants.
    var reportsTestSeparately: Bool { accuracyMetric == .validation }
}
