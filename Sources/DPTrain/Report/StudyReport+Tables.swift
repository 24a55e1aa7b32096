// The text cells of a study report's tables, shared by summary.csv, summary.md and report.html.

import Foundation

extension StudyReport {
    /// A summary.csv cell: `%.6g`, empty when missing or not finite.
    static func number(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "" }
        return String(format: "%.6g", value)
    }

    /// summary.csv cells of an estimate: mean, low, high (empty when missing).
    static func numbers(_ estimate: Estimate?) -> [String] {
        [number(estimate?.value), number(estimate?.low), number(estimate?.high)]
    }

    /// Table cells: "—" when missing, else grouped digits, 3 significant digits, one decimal, or a
    /// fraction in % with two decimals.
    static func grouped(_ value: Double?) -> String { value.map { Format.grouped($0) } ?? "—" }
    static func significant(_ value: Double?) -> String { value.map { Format.significant($0) } ?? "—" }
    static func fixed1(_ value: Double?) -> String { value.map { Format.fixed($0, 1) } ?? "—" }
    static func percent2(_ value: Double?) -> String { value.map { Format.fixed($0 * 100, 2) } ?? "—" }

    /// An estimate as "mean [low, high]" (a fraction shown in % with two decimals by default,
    /// else grouped digits or 4 significant digits), "—" when missing.
    static func interval(_ estimate: Estimate?, as style: IntervalStyle = .percent) -> String {
        guard let estimate else { return "—" }
        switch style {
        case .percent: return estimate.scaled(100).text { Format.fixed($0, 2) }
        case .grouped: return estimate.text { Format.grouped($0) }
        case .significant: return estimate.text { Format.significant($0) }
        case .tenths: return estimate.text { Format.fixed($0, 1) }
        }
    }

    /// How ``interval(_:as:)`` writes numbers (`tenths`: one decimal, for seconds).
    enum IntervalStyle { case percent, grouped, significant, tenths }

    /// The summary table's rows as text cells (shared by Markdown and HTML).
    func tableRows() -> (header: [String], rows: [[String]]) {
        var header = ["variant", "runs used", "diverged", "B at start", "peak LR", "final \(accuracyName) %", "best \(accuracyName) %",
                      "updates", "samples", "wall s"]
        if study.target != nil {
            header += ["reached", "updates to target", "samples to target", "s to target", "B_simple at target", "g at target"]
        }
        let rows = variantSummaries.map { summary -> [String] in
            var row = [summary.variant.name, "\(summary.valid)/\(summary.runs)", "\(summary.diverged)",
                       StudyReport.grouped(summary.batch),
                       StudyReport.significant(summary.peakLearningRate),
                       StudyReport.interval(summary.finalAccuracy),
                       StudyReport.interval(summary.bestAccuracy),
                       StudyReport.interval(summary.updates, as: .grouped),
                       StudyReport.interval(summary.samples, as: .grouped),
                       StudyReport.interval(summary.wallSeconds, as: .tenths)]
            if study.target != nil {
                row += ["\(summary.reachedTarget)/\(summary.valid)",
                        StudyReport.interval(summary.stepsToTarget, as: .grouped),
                        StudyReport.interval(summary.samplesToTarget, as: .grouped),
                        StudyReport.interval(summary.secondsToTarget, as: .tenths),
                        StudyReport.interval(summary.bSimpleAtTarget, as: .grouped),
                        StudyReport.interval(summary.temperatureAtTarget, as: .significant)]
            }
            return row
        }
        return (header, rows)
    }

    /// The test accuracy of the selected variants (only when selection is on validation).
    func testTableRows() -> (header: [String], rows: [[String]]) {
        let header = ["variant", "B at start", "peak LR", "final \(accuracyName) %", "final test accuracy %"]
        let rows = variantSummaries.filter { $0.finalTestAccuracy != nil }.map { summary in
            [summary.variant.name, StudyReport.grouped(summary.batch), StudyReport.significant(summary.peakLearningRate),
             StudyReport.interval(summary.finalAccuracy), StudyReport.interval(summary.finalTestAccuracy)]
        }
        return (header, rows)
    }

    /// A study whose target does not stop the runs (``selectsByTarget``): per variant the cost
    /// to the target — the target's metric at the check that reached it, updates, samples and
    /// seconds (interpolated) — beside the validation and test accuracy, updates, samples and
    /// seconds at the end. Empty for other studies.
    func milestoneRows() -> (header: [String], rows: [[String]]) {
        guard let target = study.target, !target.stop else { return ([], []) }
        let value = { (estimate: Estimate?) in
            StudyReport.interval(estimate, as: target.higherIsBetter ? .percent : .significant)
        }
        var header = ["variant", "reached", "\(target.metric) at the check\(target.higherIsBetter ? " %" : "")",
                      "updates to target", "samples to target", "s to target", "final \(accuracyName) %"]
        if reportsTestSeparately { header.append("final test accuracy %") }
        header += ["updates", "samples", "wall s"]
        let rows = variantSummaries.map { summary -> [String] in
            var row = [summary.variant.name, "\(summary.reachedTarget)/\(summary.valid)", value(summary.valueAtTarget),
                       StudyReport.interval(summary.stepsToTarget, as: .grouped),
                       StudyReport.interval(summary.samplesToTarget, as: .grouped),
                       StudyReport.interval(summary.secondsToTarget, as: .tenths),
                       StudyReport.interval(summary.finalAccuracy)]
            if reportsTestSeparately { row.append(StudyReport.interval(summary.finalTestAccuracy)) }
            row += [StudyReport.interval(summary.updates, as: .grouped), StudyReport.interval(summary.samples, as: .grouped),
                    StudyReport.interval(summary.wallSeconds, as: .tenths)]
            return row
        }
        return (header, rows)
    }

    /// What the ``milestoneRows()`` table shows, in one sentence.
    var milestoneNote: String {
        guard let target = study.target else { return "" }
        return "The runs train on past \(target.metric) \(Format.significant(target.value)) (target.stop: false). To the target: "
            + "updates, samples and wall seconds interpolated at the crossing, and \(target.metric) at the first check that reached "
            + "it (on the check subset), over the runs that reached it; at the end: the runs' final numbers. Means over seeds "
            + "with 90% bootstrap intervals."
    }

    /// Which accuracy selection uses, in one sentence.
    var selectionNote: String {
        switch accuracyMetric {
        case .validation:
            return "Selection (best LR, fastest run to the target, claims) uses validation accuracy; the test set is "
                + "reported only for the selected variants (\(selectionScope))."
        case .test:
            return "The runs have no validation split, so selection (best LR, fastest run to the target, claims) uses "
                + "test accuracy: the test numbers are not an unbiased estimate for the selected variants."
        }
    }

    /// Which variants are the selected ones, in words.
    private var selectionScope: String {
        if isBatchLearningRateGrid { return "the best LR of each batch size" }
        if selectsByTarget { return "the fastest variant of each batch size" }
        return "every variant: nothing is selected among them"
    }

    /// How the intervals were computed, in one sentence.
    var intervalNote: String {
        let percent = Int((bootstrap.level * 100).rounded())
        guard seedCount >= 2 else {
            return "One seed per variant: no intervals (a statistic over seeds needs at least two)."
        }
        return "Values are means over seeds (fits: fitted to the means) with [\(percent)% percentile-bootstrap intervals] over seeds: "
            + "\(Format.grouped(Double(bootstrap.resamples))) resamples of the \(seedCount) seeds with replacement "
            + "(SplitMix64 seed \(bootstrap.seed)), every statistic recomputed on each — the best LR per batch size and the fits "
            + "included; no interval where fewer than two runs lie behind a value. Diverged runs are left out."
    }

    /// "N of M runs finished", with the diverged, unfinished and not started runs when there are any.
    var statusLine: String {
        let finished = runs.filter(\.finished).count
        let total = study.runs.count
        var text = "\(finished) of \(total) runs finished"
        let diverged = runs.filter(\.diverged).count
        if diverged > 0 { text += " (\(diverged) diverged)" }
        let partial = runs.count - finished
        if partial > 0 { text += ", \(partial) unfinished" }
        if !missing.isEmpty { text += ", \(missing.count) not started" }
        return text
    }
}
