// The files of a study report: summary.csv, summary.md, report.html, and writing them.

import Foundation

extension StudyReport {
    /// `summary.csv`: one line per variant; `_low`/`_high` are the 90% bootstrap interval.
    public func csv() -> String {
        let key = accuracyKey
        func triple(_ name: String) -> [String] { [name + "_mean", name + "_low", name + "_high"] }
        var header = ["variant", "runs", "finished", "diverged", "valid", "batch", "peak_lr"]
            + triple("final_\(key)") + triple("best_\(key)")
        if reportsTestSeparately { header += triple("final_test_accuracy") }
        header += triple("updates") + triple("samples") + triple("wall_seconds")
        if study.target != nil {
            header += ["reached_target"] + triple("steps_to_target") + triple("samples_to_target") + triple("seconds_to_target")
                + triple("value_at_target") + triple("b_simple_at_target") + triple("temperature_at_target")
        }
        var lines = [header.joined(separator: ",")]
        for summary in variantSummaries {
            var row = [summary.variant.name, String(summary.runs), String(summary.finished), String(summary.diverged),
                       String(summary.valid), StudyReport.number(summary.batch), StudyReport.number(summary.peakLearningRate)]
                + StudyReport.numbers(summary.finalAccuracy) + StudyReport.numbers(summary.bestAccuracy)
            if reportsTestSeparately { row += StudyReport.numbers(summary.finalTestAccuracy) }
            row += StudyReport.numbers(summary.updates) + StudyReport.numbers(summary.samples) + StudyReport.numbers(summary.wallSeconds)
            if study.target != nil {
                row += [String(summary.reachedTarget)] + StudyReport.numbers(summary.stepsToTarget)
                    + StudyReport.numbers(summary.samplesToTarget) + StudyReport.numbers(summary.secondsToTarget)
                    + StudyReport.numbers(summary.valueAtTarget) + StudyReport.numbers(summary.bSimpleAtTarget) + StudyReport.numbers(summary.temperatureAtTarget)
            }
            lines.append(row.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A Markdown table.
    static func markdownTable(_ header: [String], _ rows: [[String]]) -> String {
        var out = "| " + header.joined(separator: " | ") + " |\n|" + header.map { _ in "---" }.joined(separator: "|") + "|\n"
        for row in rows { out += "| " + row.joined(separator: " | ") + " |\n" }
        return out
    }

    /// `summary.md`.
    public func markdown() -> String {
        var out = "# Study \(study.name)\n\n"
        if !study.description.isEmpty { out += study.description + "\n\n" }
        out += "Base config `\(study.base)`; \(statusLine). Accuracies in %. \(intervalNote) \(selectionNote)\n\n"
        let claims = claimResults
        if !claims.isEmpty {
            out += "## Claims\n\n" + claims.map { "- " + $0.message }.joined(separator: "\n") + "\n\n"
        }
        let findings = self.findings
        if !findings.isEmpty { out += "## Findings\n\n" + findings.map { "- " + $0 }.joined(separator: "\n") + "\n\n" }
        let table = tableRows()
        out += "## Summary\n\n" + StudyReport.markdownTable(table.header, table.rows)
        let test = testTableRows()
        if !test.rows.isEmpty { out += "\n## Test accuracy of the selected variants\n\n" + StudyReport.markdownTable(test.header, test.rows) }
        let milestone = milestoneRows()
        if !milestone.rows.isEmpty {
            out += "\n## At the target and at the end\n\n\(milestoneNote)\n\n" + StudyReport.markdownTable(milestone.header, milestone.rows)
        }
        let best = bestLearningRateRows()
        if !best.rows.isEmpty { out += "\n## Best LR per batch size (\(bestCriterion))\n\n" + StudyReport.markdownTable(best.header, best.rows) }
        let fastest = targetPointRows()
        if !fastest.rows.isEmpty { out += "\n## Fastest variant to the target per batch size\n\n" + StudyReport.markdownTable(fastest.header, fastest.rows) }
        let crossings = crossingRows()
        if !crossings.rows.isEmpty {
            out += "\n## Target per run (interpolated between the checks around the crossing)\n\n"
                + "Each run's `target` line (its checks between steps); runs without one: between its evaluations.\n\n"
                + StudyReport.markdownTable(crossings.header, crossings.rows)
        }
        let diverged = divergedRows()
        if !diverged.rows.isEmpty { out += "\n## Diverged runs (left out of the statistics)\n\n" + StudyReport.markdownTable(diverged.header, diverged.rows) }
        return out
    }

    /// The best LR of each batch size.
    func bestLearningRateRows() -> (header: [String], rows: [[String]]) {
        let scoreName = selectsByTarget ? "updates to target" : "final \(accuracyName) %"
        return (["B", "best peak LR", scoreName, "variant"], bestLearningRates.map { entry in
            [Format.grouped(entry.batch), Format.significant(entry.learningRate),
             selectsByTarget ? Format.grouped(entry.score) : Format.fixed(entry.score * 100, 2), entry.variant]
        })
    }

    /// The fastest variant of each batch size with S, E, B_simple and g at the target.
    func targetPointRows() -> (header: [String], rows: [[String]]) {
        (["B", "updates S", "samples E", "seconds", "LR", "B_simple at target", "g = εN/(B(1−μ)) at target", "variant"],
         targetPoints.map { point in
            [Format.grouped(point.batch), StudyReport.interval(point.steps, as: .grouped),
             StudyReport.interval(point.samples, as: .grouped), StudyReport.fixed1(point.seconds),
             StudyReport.significant(point.learningRate), StudyReport.interval(point.bSimple, as: .grouped),
             StudyReport.interval(point.temperature, as: .significant), point.variant]
        })
    }

    /// Every run's crossing of the target, with B_simple and g there.
    func crossingRows() -> (header: [String], rows: [[String]]) {
        guard study.target != nil else { return ([], []) }
        let rows = outcomes.filter { $0.metrics.finished }.compactMap { outcome -> [String]? in
            guard let crossing = outcome.crossing else { return nil }
            let checks = outcome.crossingFromTargetLine ? "" : " (evaluations)"
            let between = (crossing.before.map { "\(Format.grouped($0.step)) – \(Format.grouped(crossing.after.step))" }
                ?? "first check (\(Format.grouped(crossing.after.step)))") + checks
            return [outcome.metrics.run.name + (outcome.valid ? "" : " (diverged)"), Format.fixed(crossing.step, 1),
                    Format.grouped(crossing.samples), Format.fixed(crossing.epoch, 3), between,
                    StudyReport.grouped(outcome.bSimpleAtTarget), StudyReport.significant(outcome.temperatureAtTarget)]
        }
        return (["run", "updates", "samples", "epochs", "between steps", "B_simple there", "g there"], rows)
    }

    /// The diverged runs: where and why.
    func divergedRows() -> (header: [String], rows: [[String]]) {
        (["run", "stopped at step", "why"], divergedRuns.map { [$0.run, Format.grouped($0.step), $0.reason] })
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
            out += "<p>Target: \(target.stop ? "stop each run at" : "record (without stopping the run)") the first check between "
                + "steps where <code>\(e(target.metric))</code> reaches \(Format.significant(target.value)); updates, samples and seconds to it are interpolated between the checks around the "
                + "crossing, as the run's <code>target</code> line records them (runs without one: between its evaluations).</p>\n"
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
        func htmlTable(_ table: (header: [String], rows: [[String]])) -> String {
            "<table>\n<tr>" + table.header.map { "<th>\(e($0))</th>" }.joined() + "</tr>\n"
                + table.rows.map { "<tr>" + $0.map { "<td>\(e($0))</td>" }.joined() + "</tr>\n" }.joined() + "</table>\n"
        }
        out += "<h2>Summary</h2>\n<p>Accuracies in %. \(e(intervalNote)) Updates, samples and wall time are means at the end "
            + "of the runs. \(e(selectionNote))</p>\n" + htmlTable(tableRows())
        let test = testTableRows()
        if !test.rows.isEmpty { out += "<h2>Test accuracy of the selected variants</h2>\n" + htmlTable(test) }
        let milestone = milestoneRows()
        if !milestone.rows.isEmpty { out += "<h2>At the target and at the end</h2>\n<p>\(e(milestoneNote))</p>\n" + htmlTable(milestone) }
        let best = bestLearningRateRows()
        if !best.rows.isEmpty { out += "<h2>Best LR per batch size (\(e(bestCriterion)))</h2>\n" + htmlTable(best) }
        let fastest = targetPointRows()
        if !fastest.rows.isEmpty {
            out += "<h2>Fastest variant to the target per batch size</h2>\n<p>B_simple: the logged estimate nearest the "
                + "crossing step; g = εN/(B(1−μ)): the momentum-corrected SGD temperature there (logged as noise_scale_momentum).</p>\n"
                + htmlTable(fastest)
        }
        let diverged = divergedRows()
        if !diverged.rows.isEmpty { out += "<h2>Diverged runs (left out of the statistics)</h2>\n" + htmlTable(diverged) }
        out += "<h2>Plots</h2>\n"
        for plot in plots {
            out += "<figure id=\"\(plot.id)\">\n\(plot.svg)\n"
            if !plot.caption.isEmpty { out += "<figcaption>\(e(plot.caption))</figcaption>\n" }
            out += "</figure>\n"
        }
        out += "<h2>Runs</h2>\n<table>\n<tr><th>run</th><th>status</th><th>B</th><th>peak LR</th><th>final \(e(accuracyName)) %</th><th>best %</th><th>updates</th><th>wall s</th>"
            + (study.target != nil ? "<th>target at update</th>" : "") + "</tr>\n"
        for run in runs {
            let key = accuracyKey
            out += "<tr><td>\(e(run.run.name))</td><td>\(run.diverged ? "diverged (excluded)" : run.finished ? "finished" : "unfinished")</td>"
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

    /// Writes `report.html`, `summary.md`, `summary.csv` and `report.json` into `directory` (default: the
    /// study's output) and returns their URLs.
    @discardableResult
    public func write(to directory: URL? = nil) throws -> [URL] {
        let directory = directory ?? URL(fileURLWithPath: study.output)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw RunDirectoryError.notWritable(path: directory.path)
        }
        let files = [("report.html", html()), ("summary.md", markdown()), ("summary.csv", csv()), ("report.json", json())]
        return try files.map { name, text in
            let url = directory.appendingPathComponent(name)
            try AtomicFile.write(Data(text.utf8), to: url)
            return url
        }
    }
}
