import Foundation

/// The report of a study, rebuilt from its runs' `metrics.jsonl` files: per-variant
/// statistics over seeds, the best LR per batch size with its fitted exponent (grids), steps
/// and samples to a target with the fit S = S_min(1 + B_noise/B) (target studies), checks of
/// the study's claims, and the files `report.html` (self-contained, inline SVG),
/// `summary.md` and `summary.csv`.
public struct StudyReport {
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

    public init(study: Study, runs: [RunMetrics], missing: [Study.Run] = []) {
        self.study = study
        self.runs = runs
        self.missing = missing
    }

    // MARK: - Analysis

    /// The accuracy reported: test accuracy when the runs have it, else validation accuracy.
    public var accuracyKey: String {
        runs.contains { $0.records.contains { $0["test_accuracy"] != nil } } ? "test_accuracy" : "val_accuracy"
    }

    var accuracyName: String { accuracyKey == "test_accuracy" ? "test accuracy" : "validation accuracy" }

    /// Statistics of one variant over its seeds (finished runs only).
    public struct VariantSummary: Sendable {
        public var variant: Study.Variant
        public var runs: Int
        public var finished: Int
        public var batch: Double?
        public var peakLearningRate: Double?
        public var finalAccuracyMean: Double?
        public var finalAccuracyStd: Double?
        public var bestAccuracyMean: Double?
        public var bestAccuracyStd: Double?
        public var updatesMean: Double?
        public var samplesMean: Double?
        public var wallSecondsMean: Double?
        /// Target studies: finished runs that reached the target, and means over those.
        public var reachedTarget: Int
        public var stepsToTargetMean: Double?
        public var samplesToTargetMean: Double?
        public var secondsToTargetMean: Double?
    }

    /// Finished runs of a variant.
    func finishedRuns(of variant: Study.Variant) -> [RunMetrics] {
        runs.filter { $0.run.variant.name == variant.name && $0.finished }
    }

    /// One summary per variant, in study order.
    public var variantSummaries: [VariantSummary] {
        let key = accuracyKey
        return study.variants.map { variant in
            let all = runs.filter { $0.run.variant.name == variant.name }
            let done = all.filter(\.finished)
            let finals = done.compactMap { $0.finalValue(key) }
            let bests = done.compactMap { $0.bestValue(key) }
            var summary = VariantSummary(
                variant: variant, runs: study.seeds?.count ?? 1, finished: done.count,
                batch: (done.first ?? all.first)?.batch, peakLearningRate: (done.first ?? all.first)?.peakLearningRate,
                finalAccuracyMean: Statistics.mean(finals), finalAccuracyStd: Statistics.standardDeviation(finals),
                bestAccuracyMean: Statistics.mean(bests), bestAccuracyStd: Statistics.standardDeviation(bests),
                updatesMean: Statistics.mean(done.compactMap(\.updates)),
                samplesMean: Statistics.mean(done.compactMap(\.samples)),
                wallSecondsMean: Statistics.mean(done.compactMap(\.wallSeconds)),
                reachedTarget: 0)
            if let target = study.target {
                let hits = done.compactMap { $0.reached(target) }
                summary.reachedTarget = hits.count
                summary.stepsToTargetMean = Statistics.mean(hits.map(\.step))
                summary.samplesToTargetMean = Statistics.mean(hits.map(\.samples))
                summary.secondsToTargetMean = Statistics.mean(hits.map(\.wallSeconds))
            }
            return summary
        }
    }

    /// True when the study is a grid over both `batch.global` and `optimizer.lr`.
    public var isBatchLearningRateGrid: Bool {
        study.grid.contains { $0.path == "batch.global" } && study.grid.contains { $0.path == "optimizer.lr" }
    }

    /// For each batch size (ascending), the best variant and its LR (grids over B and LR
    /// only): the highest mean final accuracy, or in a target study the fewest mean updates to
    /// the target (`score` is then the updates). The LR is the grid's `optimizer.lr` value when
    /// the run used it as its peak (within 10%: logging starts a few updates in, after some
    /// decay); otherwise (a scaling rule, warmup into a decay) the largest LR the run logged.
    public var bestLearningRates: [(batch: Double, learningRate: Double, score: Double, variant: String)] {
        guard isBatchLearningRateGrid else { return [] }
        let byTarget = study.target != nil
        var best: [Double: (Double, Double, String)] = [:]
        for summary in variantSummaries {
            guard let batch = summary.batch, var lr = summary.peakLearningRate,
                  let score = byTarget ? summary.stepsToTargetMean : summary.finalAccuracyMean else { continue }
            if let nominal = summary.variant.coordinates["optimizer.lr"].flatMap(Double.init), abs(lr / nominal - 1) < 0.1 {
                lr = nominal
            }
            if best[batch].map({ byTarget ? score < $0.1 : score > $0.1 }) ?? true { best[batch] = (lr, score, summary.variant.name) }
        }
        return best.keys.sorted().map { ($0, best[$0]!.0, best[$0]!.1, best[$0]!.2) }
    }

    /// What "best" means in ``bestLearningRates``.
    var bestCriterion: String {
        study.target != nil ? "fewest updates to the target" : "highest mean final \(accuracyName)"
    }

    /// Best LR ∝ B^k fitted on logs (nil with fewer than two batch sizes).
    public var learningRateFit: (exponent: Double, coefficient: Double, rSquared: Double?)? {
        let table = bestLearningRates
        guard let fit = Statistics.fitPowerLaw(x: table.map(\.batch), y: table.map(\.learningRate)) else { return nil }
        return (fit.exponent, fit.coefficient, fit.fit.rSquared)
    }

    /// Target studies: for each batch size (ascending), the variant that reached the target in
    /// the fewest updates (mean over its seeds that reached it) — each B at its best LR.
    public var targetPoints: [(batch: Double, steps: Double, samples: Double, seconds: Double, learningRate: Double?, variant: String)] {
        guard study.target != nil else { return [] }
        var best: [Double: VariantSummary] = [:]
        for summary in variantSummaries {
            guard let batch = summary.batch, let steps = summary.stepsToTargetMean else { continue }
            if best[batch].map({ steps < $0.stepsToTargetMean! }) ?? true { best[batch] = summary }
        }
        return best.keys.sorted().map { batch in
            let summary = best[batch]!
            return (batch, summary.stepsToTargetMean!, summary.samplesToTargetMean ?? 0, summary.secondsToTargetMean ?? 0,
                    summary.peakLearningRate, summary.variant.name)
        }
    }

    /// S = S_min(1 + B_noise/B) fitted to ``targetPoints`` (linear in 1/B).
    public var targetFit: (minimumSteps: Double, noiseScale: Double, rSquared: Double?)? {
        let points = targetPoints
        guard points.count >= 2,
              let fit = Statistics.fitStepsToTarget(batch: points.map(\.batch), steps: points.map(\.steps))
        else { return nil }
        return (fit.minimumSteps, fit.noiseScale, fit.fit.rSquared)
    }

    /// Median of every logged B_simple estimate (all runs).
    public var medianBSimple: Double? {
        Statistics.median(runs.flatMap { $0.steps.compactMap { $0["b_simple"] } }.filter { $0 > 0 })
    }

    /// The verdict on one claim of the study.
    public struct ClaimResult: Sendable {
        public var claim: Study.Claim
        /// nil when either side has no finished run.
        public var supported: Bool?
        public var difference: Double?
        public var message: String
    }

    /// Each claim checked on mean final accuracy.
    public var claimResults: [ClaimResult] {
        let summaries = variantSummaries
        return study.claims.map { claim in
            let a = summaries.first { $0.variant.name == claim.variant }
            let r = summaries.first { $0.variant.name == claim.reference }
            let title = claim.text.isEmpty ? "\(claim.variant) is not worse than \(claim.reference)" : claim.text
            guard let a, let r, let am = a.finalAccuracyMean, let rm = r.finalAccuracyMean else {
                return ClaimResult(claim: claim, supported: nil, difference: nil,
                                   message: "\(title): not checked yet (a variant has no finished run)")
            }
            let difference = am - rm
            var updates = ""
            if let au = a.updatesMean, let ru = r.updatesMean, ru > 0 {
                updates = " It used \(Format.grouped(au)) parameter updates vs \(Format.grouped(ru)) (\(Format.fixed(au / ru, 2))×)."
            }
            let pp = { (value: Double) in Format.fixed(value * 100, 2) + " pp" }
            let over = "mean final \(accuracyName) over \(a.finished) and \(r.finished) run(s): \(Format.percent(am)) vs \(Format.percent(rm))"
            if difference >= -claim.tolerance {
                return ClaimResult(claim: claim, supported: true, difference: difference,
                                   message: "\(title): SUPPORTED. \(claim.variant) is \(difference >= 0 ? pp(difference) + " better than" : pp(-difference) + " worse than") "
                                       + "\(claim.reference) (\(over)); the tolerance is \(pp(claim.tolerance)).\(updates)")
            }
            return ClaimResult(claim: claim, supported: false, difference: difference,
                               message: "\(title): CONTRADICTED by the data. \(claim.variant) is \(pp(-difference)) worse than "
                                   + "\(claim.reference) (\(over)), more than the \(pp(claim.tolerance)) tolerance.\(updates)")
        }
    }

    /// Plain statements the data supports (fits, grid edges, runs that missed the target).
    public var findings: [String] {
        var lines: [String] = []
        let table = bestLearningRates
        if let fit = learningRateFit {
            let rule = abs(fit.exponent - 1) < abs(fit.exponent - 0.5) ? "the linear rule (k = 1)" : "the square-root rule (k = 0.5)"
            lines.append("Best LR ∝ B^k with fitted k = \(Format.fixed(fit.exponent, 2))"
                + (fit.rSquared.map { " (R² = \(Format.fixed($0, 2)), \(table.count) batch sizes)" } ?? "")
                + ": closer to \(rule).")
            let lrAxis = study.grid.first { $0.path == "optimizer.lr" }?.values.compactMap(Double.init) ?? []
            if let low = lrAxis.min(), let high = lrAxis.max() {
                let edges = table.filter { summaryLR(of: $0.variant).map { $0 == low || $0 == high } ?? false }
                if !edges.isEmpty {
                    lines.append("The best LR lies at the edge of the LR grid for B = "
                        + edges.map { Format.grouped($0.batch) }.joined(separator: ", ")
                        + ": the true optimum may lie outside the grid, so the fitted exponent is uncertain.")
                }
            }
        } else if isBatchLearningRateGrid {
            lines.append("Not enough finished runs for the best-LR fit (needs two batch sizes).")
        }
        let diverged = runs.filter(\.diverged).map(\.run.name)
        if !diverged.isEmpty {
            lines.append("Diverged (stopped after repeated non-finite gradients; their accuracy is that of the last good "
                + "parameters and counts in the means): \(diverged.joined(separator: ", ")).")
        }
        if let target = study.target {
            let failed = study.variants.flatMap { variant in
                finishedRuns(of: variant).filter { $0.reached(target) == nil }.map(\.run.name)
            }
            if !failed.isEmpty {
                lines.append("Did not reach \(target.metric) \(Format.significant(target.value)) within the budget: \(failed.joined(separator: ", ")).")
            }
            if let fit = targetFit {
                var line = "Steps to target fit S = S_min(1 + B_noise/B): S_min = \(Format.grouped(fit.minimumSteps)) updates, "
                    + "B_noise = \(Format.grouped(fit.noiseScale)) samples"
                if let r2 = fit.rSquared { line += " (R² = \(Format.fixed(r2, 2)))" }
                if let measured = medianBSimple {
                    line += "; the median measured B_simple is \(Format.grouped(measured))"
                    let ratio = fit.noiseScale / measured
                    line += ratio > 3 || ratio < 1 / 3 ? " — they differ by more than 3×." : " (within 3×)."
                } else {
                    line += "."
                }
                lines.append(line)
            } else if targetPoints.count < 2 {
                lines.append("Fewer than two batch sizes reached the target: no S_min/B_noise fit.")
            } else {
                lines.append("The steps-to-target fit gave S_min ≤ 0 (steps do not fall with B as the model predicts): no B_noise estimate.")
            }
        }
        return lines
    }

    private func summaryLR(of variantName: String) -> Double? {
        study.variants.first { $0.name == variantName }?.coordinates["optimizer.lr"].flatMap(Double.init)
    }

    // MARK: - Curves

    /// Runs whose curves are drawn: for a B×LR grid, each B at its best LR; otherwise all.
    var plottedVariants: [Study.Variant] {
        if isBatchLearningRateGrid {
            let names = Set(bestLearningRates.map(\.variant))
            return study.variants.filter { names.contains($0.name) }
        }
        return study.variants
    }

    /// The mean over a variant's seeds of y at each x present in every seed's runs.
    func meanCurve(_ variant: Study.Variant, kind: MetricRecord.Kind, x: String, y: String, scale: Double = 1) -> [(x: Double, y: Double)] {
        let members = runs.filter { $0.run.variant.name == variant.name }
        guard !members.isEmpty else { return [] }
        var sums: [Double: (sum: Double, count: Int)] = [:]
        var order: [Double] = []
        for member in members {
            for point in member.points(kind: kind, x: x, y: y) {
                let key = (point.x * 1e6).rounded() / 1e6
                if sums[key] == nil { order.append(key); sums[key] = (0, 0) }
                sums[key]!.sum += point.y
                sums[key]!.count += 1
            }
        }
        return order.sorted().compactMap { key in
            let entry = sums[key]!
            return entry.count == members.count ? (key, entry.sum / Double(entry.count) * scale) : nil
        }
    }

    func curvePlot(title: String, kind: MetricRecord.Kind, x: String, y: String, xLabel: String, yLabel: String,
                   xLog: Bool = false, yLog: Bool = false, scale: Double = 1) -> LinePlot {
        let variants = plottedVariants
        let series = variants.enumerated().map { index, variant in
            var item = PlotSeries(name: variant.name, points: meanCurve(variant, kind: kind, x: x, y: y, scale: scale),
                                  color: LinePlot.palette[index % LinePlot.palette.count], dashed: index >= LinePlot.palette.count,
                                  markers: kind == .eval)
            // Earlier series are drawn wider, so curves that coincide stay visible underneath.
            item.lineWidth = variants.count > 1 ? 1.5 + 2.5 * Double(variants.count - 1 - index) / Double(variants.count - 1) : 1.8
            return item
        }
        return LinePlot(title: title, xLabel: xLabel, yLabel: yLabel, xLog: xLog, yLog: yLog, series: series)
    }

    /// Every plot of the report, in order, as (id, SVG, caption).
    public var plots: [(id: String, svg: String, caption: String)] {
        let accuracy = accuracyName
        let seedsNote = (study.seeds?.count ?? 1) > 1 ? " Lines are means over seeds." : ""
        let gridNote = isBatchLearningRateGrid ? " Each batch size is shown at its best LR." : ""
        var result: [(String, String, String)] = [
            ("accuracy-epochs", curvePlot(title: "\(accuracy.capitalizedFirst) vs epochs", kind: .eval, x: "epoch", y: accuracyKey,
                                          xLabel: "epochs (passes over the training set)", yLabel: "\(accuracy) (%)", scale: 100).svg(),
             "\(accuracy.capitalizedFirst) at each evaluation.\(seedsNote)\(gridNote)"),
            ("accuracy-updates", curvePlot(title: "\(accuracy.capitalizedFirst) vs parameter updates", kind: .eval, x: "step", y: accuracyKey,
                                           xLabel: "parameter updates (optimizer steps)", yLabel: "\(accuracy) (%)", xLog: true, scale: 100).svg(),
             "The same evaluations against the number of optimizer steps: large batches take fewer steps per epoch."),
            ("loss-epochs", curvePlot(title: "Train loss vs epochs", kind: .step, x: "epoch", y: "train_loss",
                                      xLabel: "epochs", yLabel: "train loss (mean per sample over the log interval)", yLog: true).svg(),
             "Training loss averaged over each logging interval (dropout active)."),
            ("loss-updates", curvePlot(title: "Train loss vs parameter updates", kind: .step, x: "step", y: "train_loss",
                                       xLabel: "parameter updates", yLabel: "train loss", xLog: true, yLog: true).svg(), ""),
            ("lr-epochs", curvePlot(title: "Learning rate vs epochs", kind: .step, x: "epoch", y: "lr",
                                    xLabel: "epochs", yLabel: "learning rate ε (per update)", yLog: true).svg(),
             "LR after scaling, warmup and decay, as logged."),
            ("batch-epochs", curvePlot(title: "Batch size vs epochs", kind: .step, x: "epoch", y: "batch",
                                       xLabel: "epochs", yLabel: "global batch B (samples per update)", yLog: true).svg(), ""),
            ("noise-epochs", curvePlot(title: "SGD noise scale g = ε(N/B − 1) vs epochs", kind: .step, x: "epoch", y: "noise_scale",
                                       xLabel: "epochs", yLabel: "noise scale g (ε·samples)", yLog: true).svg(),
             "Smith et al. (2017): decaying ε or growing B by the same factor lowers g alike."),
            ("bsimple-epochs", curvePlot(title: "Gradient noise scale B_simple vs epochs", kind: .step, x: "epoch", y: "b_simple",
                                         xLabel: "epochs", yLabel: "B_simple = tr(Σ)/|G|² (samples)", yLog: true).svg(),
             "McCandlish et al. (2018) estimate from micro-batch and global gradient norms (EMA-smoothed)."),
        ]
        if isBatchLearningRateGrid {
            result.append(("grid-heatmap", heatmap().svg(),
                           (study.target != nil ? "Mean updates to the target per (B, LR) (— : not reached)" : "Mean final \(accuracy) per (B, LR)")
                           + "; the red outline marks the best LR of each batch size."))
            result.append(("best-lr", bestLearningRatePlot().svg(),
                           "Best LR per batch size (\(bestCriterion)) with the least-squares fit on logs; dashed: the linear (k = 1) and square-root (k = 0.5) rules through the smallest B."))
        }
        if study.target != nil {
            result.append(("steps-to-target", targetPlot(samples: false).svg(),
                           "Updates to the target per batch size (each B at its fastest LR), with the fit S = S_min(1 + B_noise/B)."))
            result.append(("samples-to-target", targetPlot(samples: true).svg(),
                           "Training samples to the target: E = S·B = S_min(B + B_noise) from the same fit."))
        }
        return result
    }

    func heatmap() -> Heatmap {
        let batches = study.grid.first { $0.path == "batch.global" }!.values
        let rates = study.grid.first { $0.path == "optimizer.lr" }!.values
        let sortedBatches = batches.sorted { (Double($0) ?? 0) < (Double($1) ?? 0) }
        let sortedRates = rates.sorted { (Double($0) ?? 0) < (Double($1) ?? 0) }
        let summaries = variantSummaries
        let byTarget = study.target != nil
        var cells: [[Double?]] = []
        for rate in sortedRates {
            var row: [Double?] = []
            for batch in sortedBatches {
                let matching = summaries.filter { $0.variant.coordinates["batch.global"] == batch && $0.variant.coordinates["optimizer.lr"] == rate }
                if byTarget {
                    row.append(matching.compactMap(\.stepsToTargetMean).min())
                } else {
                    row.append(matching.compactMap(\.finalAccuracyMean).max().map { $0 * 100 })
                }
            }
            cells.append(row)
        }
        let title = byTarget ? "Updates to the target over batch size and learning rate"
                             : "Final \(accuracyName) (%) over batch size and learning rate"
        let format: @Sendable (Double) -> String
        if byTarget {
            format = { value in Format.grouped(value) }
        } else {
            format = { value in Format.fixed(value, 2) }
        }
        var map = Heatmap(title: title, xLabel: "global batch B (samples)", yLabel: "learning rate (optimizer.lr)",
                          columns: sortedBatches, rows: sortedRates, cells: cells, format: format)
        map.bestIsLow = byTarget
        if !byTarget, let best = cells.flatMap({ $0.compactMap { $0 } }).max() {
            map.colorRange = (best - 10)...best  // the top 10 pp; diverged cells (~10 %) would flatten the rest
        }
        return map
    }

    func bestLearningRatePlot() -> LinePlot {
        let table = bestLearningRates
        var series = [PlotSeries(name: "best LR (measured)", points: table.map { ($0.batch, $0.learningRate) },
                                 color: "#1f77b4", markers: true, line: false)]
        if let fit = learningRateFit, let low = table.first?.batch, let high = table.last?.batch {
            let xs = [low, high]
            series.append(PlotSeries(name: "fit: k = \(Format.fixed(fit.exponent, 2))",
                                     points: xs.map { ($0, fit.coefficient * pow($0, fit.exponent)) }, color: "#d62728"))
            let first = table.first!
            series.append(PlotSeries(name: "linear rule (k = 1)", points: xs.map { ($0, first.learningRate * $0 / first.batch) },
                                     color: "#7f7f7f", dashed: true))
            series.append(PlotSeries(name: "sqrt rule (k = 0.5)", points: xs.map { ($0, first.learningRate * ($0 / first.batch).squareRoot()) },
                                     color: "#bcbd22", dashed: true))
        }
        return LinePlot(title: "Best learning rate vs batch size", xLabel: "global batch B (samples)",
                        yLabel: "best learning rate (optimizer.lr)", xLog: true, yLog: true, series: series)
    }

    func targetPlot(samples: Bool) -> LinePlot {
        let points = targetPoints
        let target = study.target!
        let measured = PlotSeries(name: "measured",
                                  points: points.map { ($0.batch, samples ? $0.samples : $0.steps) },
                                  color: "#1f77b4", markers: true, line: false)
        var series = [measured]
        var markers: [PlotMarker] = []
        if let fit = targetFit, let low = points.first?.batch, let high = points.last?.batch {
            let xs = (0...40).map { low * pow(high / low, Double($0) / 40) }
            series.append(PlotSeries(name: samples ? "fit S_min(B+B_noise)" : "fit S_min(1+B_noise/B)",
                                     points: xs.map { ($0, fit.minimumSteps * (1 + fit.noiseScale / $0) * (samples ? $0 : 1)) },
                                     color: "#d62728"))
            if fit.noiseScale > 0 {
                markers.append(PlotMarker(x: fit.noiseScale, label: "B_noise (fit) \(Format.grouped(fit.noiseScale))", color: "#d62728"))
            }
        }
        if let median = medianBSimple {
            markers.append(PlotMarker(x: median, label: "median B_simple \(Format.grouped(median))", color: "#2ca02c"))
        }
        let metric = target.metric.replacingOccurrences(of: "_", with: " ")
        return LinePlot(title: (samples ? "Samples" : "Updates") + " to \(metric) \(Format.significant(target.value)) vs batch size",
                        xLabel: "global batch B (samples)",
                        yLabel: samples ? "training samples to target" : "parameter updates to target",
                        xLog: true, yLog: true, series: series, markers: markers)
    }

    // MARK: - Files

    static func number(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "" }
        return String(format: "%.6g", value)
    }

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

    static func grouped(_ value: Double?) -> String { value.map { Format.grouped($0) } ?? "—" }
    static func significant(_ value: Double?) -> String { value.map { Format.significant($0) } ?? "—" }
    static func fixed1(_ value: Double?) -> String { value.map { Format.fixed($0, 1) } ?? "—" }
    static func percent2(_ value: Double?) -> String { value.map { Format.fixed($0 * 100, 2) } ?? "—" }

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

    var statusLine: String {
        let finished = runs.filter(\.finished).count
        let total = study.runs.count
        var text = "\(finished) of \(total) runs finished"
        let partial = runs.count - finished
        if partial > 0 { text += ", \(partial) unfinished" }
        if !missing.isEmpty { text += ", \(missing.count) not started" }
        return text
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

extension String {
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
