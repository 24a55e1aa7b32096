// The text cells of a study report's tables, shared by summary.csv, summary.md and report.html.

import Foundation

extension StudyReport {
    /// A summary.csv cell: `%.6g`, empty when missing or not finite.
    static func number(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "" }
        return String(format: "%.6g", value)
    }

    /// Table cells: "—" when missing, else grouped digits, 3 significant digits, one decimal, or a
    /// fraction in % with two decimals.
    static func grouped(_ value: Double?) -> String { value.map { Format.grouped($0) } ?? "—" }
    static func significant(_ value: Double?) -> String { value.map { Format.significant($0) } ?? "—" }
    static func fixed1(_ value: Double?) -> String { value.map { Format.fixed($0, 1) } ?? "—" }
    static func percent2(_ value: Double?) -> String { value.map { Format.fixed($0 * 100, 2) } ?? "—" }

    /// "mean ± std" with two decimals (in % by default), "—" without a mean.
    static func meanStd(_ mean: Double?, _ std: Double?, percent: Bool = true) -> String {
        guard let mean else { return "—" }
        let scale = percent ? 100.0 : 1
        var text = Format.fixed(mean * scale, 2)
        if let std { text += " ± " + Format.fixed(std * scale, 2) }
        return text
    }

    /// The summary table's rows as text cells (shared by Markdown and HTML).
    func tableRows() -> (header: [String], rows: [[String]]) {
        var header = ["variant", "runs done", "B at start", "peak LR", "final \(accuracyName) %", "best \(accuracyName) %",
                      "updates", "samples", "wall s"]
        if study.target != nil { header += ["reached", "updates to target", "samples to target", "s to target"] }
        let rows = variantSummaries.map { summary -> [String] in
            var row = [summary.variant.name, "\(summary.finished)/\(summary.runs)",
                       StudyReport.grouped(summary.batch),
                       StudyReport.significant(summary.peakLearningRate),
                       StudyReport.meanStd(summary.finalAccuracyMean, summary.finalAccuracyStd),
                       StudyReport.meanStd(summary.bestAccuracyMean, summary.bestAccuracyStd),
                       StudyReport.grouped(summary.updatesMean),
                       StudyReport.grouped(summary.samplesMean),
                       StudyReport.fixed1(summary.wallSecondsMean)]
            if study.target != nil {
                row += ["\(summary.reachedTarget)/\(summary.finished)",
                        StudyReport.grouped(summary.stepsToTargetMean),
                        StudyReport.grouped(summary.samplesToTargetMean),
                        StudyReport.fixed1(summary.secondsToTargetMean)]
            }
            return row
        }
        return (header, rows)
    }

    /// "N of M runs finished", with the unfinished and not started runs when there are any.
    var statusLine: String {
        let finished = runs.filter(\.finished).count
        let total = study.runs.count
        var text = "\(finished) of \(total) runs finished"
        let partial = runs.count - finished
        if partial > 0 { text += ", \(partial) unfinished" }
        if !missing.isEmpty { text += ", \(missing.count) not started" }
        return text
    }
}
