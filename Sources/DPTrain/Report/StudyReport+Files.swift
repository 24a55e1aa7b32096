// The files of a study report: summary.csv, summary.md, report.html, and writing them.

import Foundation

extension StudyReport {
    /// `summary.csv`: one line per variant.
    public func csv() -> String {
        var header = ["variant", "runs", "finished", "batch", "peak_lr", "final_\(accuracyKey)_mean", "final_\(accuracyKey)_std",
                      "best_\(accuracyKey)_mean", "best_\(accuracyKey)_std", "updates_mean", "samples_mean", "wall_seconds_mean"]
        if study.target != nil {
            header += ["reached_target", "steps_to_target_mean", "samples_to_target_mean", "seconds_to_target_mean"]
        }
        var lines = [header.joined(separator: ",")]
        for summary in variantSummaries {
            var row = [summary.variant.name, String(summary.runs), String(summary.finished), StudyReport.number(summary.batch),
                       StudyReport.number(summary.peakLearningRate), StudyReport.number(summary.finalAccuracyMean),
                       StudyReport.number(summary.finalAccuracyStd), StudyReport.number(summary.bestAccuracyMean),
                       StudyReport.number(summary.bestAccuracyStd), StudyReport.number(summary.updatesMean),
                       StudyReport.number(summary.samplesMean), StudyReport.number(summary.wallSecondsMean)]
            if study.target != nil {
                row += [String(summary.reachedTarget), StudyReport.number(summary.stepsToTargetMean),
                        StudyReport.number(summary.samplesToTargetMean), StudyReport.number(summary.secondsToTargetMean)]
            }
            lines.append(row.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `summary.md`.
    public func markdown() -> String {
        var out = "# Study \(study.name)\n\n"
        if !study.description.isEmpty { out += study.description + "\n\n" }
        out += "Base config `\(study.base)`; \(statusLine). Accuracies in %, mean ± sample std over seeds.\n\n"
        let claims = claimResults
        if !claims.isEmpty {
            out += "## Claims\n\n" + claims.map { "- " + $0.message }.joined(separator: "\n") + "\n\n"
        }
        let findings = self.findings
        if !findings.isEmpty { out += "## Findings\n\n" + findings.map { "- " + $0 }.joined(separator: "\n") + "\n\n" }
        let table = tableRows()
        out += "## Summary\n\n| " + table.header.joined(separator: " | ") + " |\n"
        out += "|" + table.header.map { _ in "---" }.joined(separator: "|") + "|\n"
        for row in table.rows { out += "| " + row.joined(separator: " | ") + " |\n" }
        if !bestLearningRates.isEmpty {
            let scoreName = study.target != nil ? "updates to target" : "final \(accuracyName) %"
            out += "\n## Best LR per batch size (\(bestCriterion))\n\n| B | best peak LR | \(scoreName) | variant |\n|---|---|---|---|\n"
            for entry in bestLearningRates {
                let score = study.target != nil ? Format.grouped(entry.score) : Format.fixed(entry.score * 100, 2)
                out += "| \(Format.grouped(entry.batch)) | \(Format.significant(entry.learningRate)) | \(score) | \(entry.variant) |\n"
            }
        }
        if !targetPoints.isEmpty {
            out += "\n## Fastest run to target per batch size\n\n| B | updates | samples | seconds | LR | variant |\n|---|---|---|---|---|---|\n"
            for point in targetPoints {
                out += "| \(Format.grouped(point.batch)) | \(Format.grouped(point.steps)) | \(Format.grouped(point.samples)) | "
                    + "\(Format.fixed(point.seconds, 1)) | \(StudyReport.significant(point.learningRate)) | \(point.variant) |\n"
            }
        }
        if let target = study.target {
            let crossings = runs.filter(\.finished).compactMap { run in run.crossing(target).map { (run.run.name, $0) } }
            if !crossings.isEmpty {
                out += "\n## Target per run (interpolated between the evaluations around the crossing)\n\n"
                    + "| run | updates | samples | epochs | between steps |\n|---|---|---|---|---|\n"
                for (name, crossing) in crossings {
                    let between = crossing.before.map { "\(Format.grouped($0.step)) – \(Format.grouped(crossing.after.step))" }
                        ?? "first check (\(Format.grouped(crossing.after.step)))"
                    out += "| \(name) | \(Format.fixed(crossing.step, 1)) | \(Format.grouped(crossing.samples)) | "
                        + "\(Format.fixed(crossing.epoch, 3)) | \(between) |\n"
                }
            }
        }
        return out
    }

    /// `report.html`: one self-contained page (inline CSS and SVG; no scripts, fonts or links).
    public func html() -> String {
        let e = SVG.escape
        var out = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <title>Study \(e(study.name))</title>
            <style>
            body { font-family: sans-serif; margin: 24px auto; max-width: 1180px; color: #222; }
            table { border-collapse: collapse; margin: 8px 0 20px; font-size: 13px; }
            th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: right; }
            th { background: #f2f2f2; } td:first-child, th:first-child { text-align: left; }
            .claim { padding: 8px 12px; margin: 6px 0; border-left: 5px solid; }
            .supported { border-color: #2ca02c; background: #eef8ee; }
            .contradicted { border-color: #d62728; background: #fbeaea; font-weight: bold; }
            .unchecked { border-color: #999; background: #f4f4f4; }
            figure { display: inline-block; margin: 10px 10px 18px 0; vertical-align: top; }
            figcaption { font-size: 12px; color: #555; max-width: 560px; }
            code { background: #f4f4f4; padding: 1px 4px; }
            </style></head><body>

            """
        out += "<h1>Study <code>\(e(study.name))</code></h1>\n"
        if !study.description.isEmpty { out += "<p>\(e(study.description))</p>\n" }
        out += "<p>Base config <code>\(e(study.base))</code>; \(e(statusLine)). Study overrides: "
            + (study.overrides.isEmpty ? "none" : study.overrides.map { "<code>\(e($0))</code>" }.joined(separator: " ")) + ".</p>\n"
        if let target = study.target {
            out += "<p>Target: stop each run at the first evaluation where <code>\(e(target.metric))</code> reaches \(Format.significant(target.value)).</p>\n"
        }
        let claims = claimResults
        if !claims.isEmpty {
            out += "<h2>Claims</h2>\n"
            for result in claims {
                let style = result.supported.map { $0 ? "supported" : "contradicted" } ?? "unchecked"
                out += "<div class=\"claim \(style)\">\(e(result.message))</div>\n"
            }
        }
        let findings = self.findings
        if !findings.isEmpty {
            out += "<h2>Findings</h2>\n<ul>\n" + findings.map { "<li>\(e($0))</li>" }.joined(separator: "\n") + "\n</ul>\n"
        }
        let table = tableRows()
        out += "<h2>Summary</h2>\n<p>Accuracies in %, mean ± sample standard deviation over seeds (finished runs only). "
            + "Updates, samples and wall time are means at the end of the run.</p>\n<table>\n<tr>"
            + table.header.map { "<th>\(e($0))</th>" }.joined() + "</tr>\n"
        for row in table.rows { out += "<tr>" + row.map { "<td>\(e($0))</td>" }.joined() + "</tr>\n" }
        out += "</table>\n<h2>Plots</h2>\n"
        for plot in plots {
            out += "<figure id=\"\(plot.id)\">\n\(plot.svg)\n"
            if !plot.caption.isEmpty { out += "<figcaption>\(e(plot.caption))</figcaption>\n" }
            out += "</figure>\n"
        }
        out += "<h2>Runs</h2>\n<table>\n<tr><th>run</th><th>status</th><th>B</th><th>peak LR</th><th>final %</th><th>best %</th><th>updates</th><th>wall s</th>"
            + (study.target != nil ? "<th>target at update</th>" : "") + "</tr>\n"
        for run in runs {
            let key = accuracyKey
            out += "<tr><td>\(e(run.run.name))</td><td>\(run.diverged ? "diverged" : run.finished ? "finished" : "unfinished")</td>"
                + "<td>\(StudyReport.grouped(run.batch))</td><td>\(StudyReport.significant(run.peakLearningRate))</td>"
                + "<td>\(StudyReport.percent2(run.finalValue(key)))</td><td>\(StudyReport.percent2(run.bestValue(key)))</td>"
                + "<td>\(StudyReport.grouped(run.updates))</td><td>\(StudyReport.fixed1(run.wallSeconds))</td>"
            if let target = study.target {
                out += "<td>\(run.reached(target).map { Format.grouped($0.step) } ?? "not reached")</td>"
            }
            out += "</tr>\n"
        }
        for run in missing {
            out += "<tr><td>\(e(run.name))</td><td>not started</td><td colspan=\"\(study.target != nil ? 7 : 6)\"></td></tr>\n"
        }
        out += "</table>\n<p style=\"font-size:12px;color:#777\">Generated by dptrain \(e(DPTrainVersion.string)) from the runs' metrics.jsonl files.</p>\n</body></html>\n"
        return out
    }

    /// Writes `report.html`, `summary.md` and `summary.csv` into `directory` (default: the
    /// study's output) and returns their URLs.
    @discardableResult
    public func write(to directory: URL? = nil) throws -> [URL] {
        let directory = directory ?? URL(fileURLWithPath: study.output)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw RunDirectoryError.notWritable(path: directory.path)
        }
        let files = [("report.html", html()), ("summary.md", markdown()), ("summary.csv", csv())]
        return try files.map { name, text in
            let url = directory.appendingPathComponent(name)
            try AtomicFile.write(Data(text.utf8), to: url)
            return url
        }
    }
}
