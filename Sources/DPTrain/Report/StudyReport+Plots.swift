// The plots of a study report: mean curves over seeds, the B × LR heatmap, best LR vs batch
// size and steps/samples to the target, as ``LinePlot`` and ``Heatmap`` values.

import Foundation

extension StudyReport {
    /// Runs whose curves are drawn: for a B×LR grid, each B at its best LR; otherwise all.
    var plottedVariants: [Study.Variant] {
        if isBatchLearningRateGrid {
            let names = Set(bestLearningRates.map(\.variant))
            return study.variants.filter { names.contains($0.name) }
        }
        return study.variants
    }

    /// The mean over a variant's seeds of y at each x present in every seed's runs. Diverged
    /// runs are left out unless every run of the variant diverged (then their mean is drawn, to
    /// show how they diverged).
    func meanCurve(_ variant: Study.Variant, kind: MetricRecord.Kind, x: String, y: String, scale: Double = 1) -> [(x: Double, y: Double)] {
        let all = runs.filter { $0.run.variant.name == variant.name }
        let members = all.contains { !$0.diverged } ? all.filter { !$0.diverged } : all
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
                           (selectsByTarget ? "Mean updates to the target per (B, LR) (— : not reached)" : "Mean final \(accuracy) per (B, LR)")
                           + "; the red outline marks the best LR of each batch size."))
            result.append(("best-lr", bestLearningRatePlot().svg(),
                           "Best LR per batch size (\(bestCriterion)) with the least-squares fit on logs; dashed: the linear (k = 1) and square-root (k = 0.5) rules through the smallest B."))
        }
        if let plot = batchAgainstNoiseScalePlot() {
            result.append(("batch-bsimple", plot.svg(),
                           "Each variant whose batch changes during training, first seed (the first that did not diverge): "
                           + "B as trained (solid, named in the legend) and the measured B_simple it is compared with (dashed, "
                           + "same colour: the logged b_simple, EMA-smoothed)."))
        }
        if selectsByTarget {
            result.append(("steps-to-target", targetPlot(samples: false).svg(),
                           "Updates to the target per batch size (each B at its fastest LR), with the fit S = S_min(1 + B_noise/B)."))
            result.append(("samples-to-target", targetPlot(samples: true).svg(),
                           "Training samples to the target: E = S·B = S_min(B + B_noise) from the same fit."))
            result.append(("tradeoff", tradeOffPlot().svg(),
                           "McCandlish et al. (2018): with S = S_min(1 + B_noise/B) and E = S_min(B + B_noise), "
                           + "every batch size lies on (S/S_min − 1)(E/E_min − 1) = 1. Points: the measured S and E per batch size "
                           + "(each at its fastest LR) against the fitted S_min and E_min; points with S ≤ S_min or E ≤ E_min cannot be drawn on log axes."))
        }
        return result
    }

    /// B and the logged B_simple against epochs, on log y, for each variant whose logged batch
    /// changes (adaptive or scheduled batch), from its first run in seed order (not diverged when
    /// one is not); nil when no variant's batch changes.
    public func batchAgainstNoiseScalePlot() -> LinePlot? {
        var series: [PlotSeries] = []
        var seeds: [UInt64] = []
        for variant in study.variants {
            let all = runs.filter { $0.run.variant.name == variant.name }
            guard let run = all.first(where: { !$0.diverged }) ?? all.first,
                  Set(run.steps.compactMap { $0["batch"] }).count > 1 else { continue }
            let color = LinePlot.palette[series.count / 2 % LinePlot.palette.count]
            series.append(PlotSeries(name: variant.name, points: run.points(kind: .step, x: "epoch", y: "batch"), color: color))
            // Listed once in the legend, by its variant's B line (the legend would not fit both).
            var measured = PlotSeries(name: "\(variant.name) B_simple", points: run.points(kind: .step, x: "epoch", y: "b_simple")
                                          .filter { $0.y > 0 }, color: color, dashed: true)
            measured.inLegend = false
            series.append(measured)
            if let seed = run.run.seed, !seeds.contains(seed) { seeds.append(seed) }
        }
        guard !series.isEmpty else { return nil }
        let seedText = seeds.isEmpty ? "" : " (seed " + seeds.map(String.init).joined(separator: ", ") + ")"
        return LinePlot(title: "Batch size B and the measured B_simple vs epochs\(seedText)", xLabel: "epochs",
                        yLabel: "samples (B solid, B_simple dashed)", yLog: true, series: series.filter { !$0.points.isEmpty })
    }

    func heatmap() -> Heatmap {
        let batches = axis(.batch)!.values
        let rates = axis(.learningRate)!.values
        let sortedBatches = batches.sorted { (Double($0) ?? 0) < (Double($1) ?? 0) }
        let sortedRates = rates.sorted { (Double($0) ?? 0) < (Double($1) ?? 0) }
        let summaries = variantSummaries
        let byTarget = selectsByTarget
        var cells: [[Double?]] = []
        for rate in sortedRates {
            var row: [Double?] = []
            for batch in sortedBatches {
                let matching = summaries.filter { coordinate(.batch, of: $0.variant) == batch && coordinate(.learningRate, of: $0.variant) == rate }
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
            series.append(PlotSeries(name: "fit: k = \(fit.exponent.text { Format.fixed($0, 2) })",
                                     points: xs.map { ($0, fit.coefficient * pow($0, fit.exponent.value)) }, color: "#d62728"))
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
        let measured = PlotSeries(name: "measured (mean over seeds)",
                                  points: points.map { ($0.batch, samples ? $0.samples.value : $0.steps.value) },
                                  color: "#1f77b4", markers: true, line: false)
        var series = [measured]
        // The 90% intervals as vertical segments, one two-point series each, listed once in the legend.
        for point in points {
            let estimate = samples ? point.samples : point.steps
            guard let low = estimate.low, let high = estimate.high, low < high else { continue }
            var bar = PlotSeries(name: "90% interval over seeds", points: [(point.batch, low), (point.batch, high)], color: "#1f77b4")
            bar.inLegend = !series.contains { $0.name == bar.name }
            series.append(bar)
        }
        var markers: [PlotMarker] = []
        if let fit = targetFit, let low = points.first?.batch, let high = points.last?.batch {
            let xs = (0...40).map { low * pow(high / low, Double($0) / 40) }
            let sMin = fit.minimumSteps.value, bNoise = fit.noiseScale.value
            series.append(PlotSeries(name: samples ? "fit S_min(B+B_noise)" : "fit S_min(1+B_noise/B)",
                                     points: xs.map { ($0, sMin * (1 + bNoise / $0) * (samples ? $0 : 1)) },
                                     color: "#d62728"))
            if bNoise > 0 {
                markers.append(PlotMarker(x: bNoise, label: "B_noise (fit) \(Format.grouped(bNoise))", color: "#d62728"))
            }
        }
        let bSimple = points.compactMap { $0.bSimple?.value }.filter { $0 > 0 }
        if let median = Statistics.median(bSimple) {
            markers.append(PlotMarker(x: median, label: "B_simple at the target (median over B) \(Format.grouped(median))",
                                      color: "#2ca02c"))
        }
        let metric = target.metric.replacingOccurrences(of: "_", with: " ")
        return LinePlot(title: (samples ? "Samples" : "Updates") + " to \(metric) \(Format.significant(target.value)) vs batch size",
                        xLabel: "global batch B (samples)",
                        yLabel: samples ? "training samples to target" : "parameter updates to target",
                        xLog: true, yLog: true, series: series.filter { !$0.points.isEmpty }, markers: markers)
    }

    /// McCandlish et al. (2018) trade-off between updates and samples: the curve
    /// (S/S_min − 1)(E/E_min − 1) = 1 on log axes, with each batch size's measured point.
    func tradeOffPlot() -> LinePlot {
        var series: [PlotSeries] = []
        if let fit = targetFit {
            let sMin = fit.minimumSteps.value, eMin = fit.minimumSamples.value
            let measured = targetPoints.map { (x: $0.steps.value / sMin - 1, y: $0.samples.value / eMin - 1) }
            let drawable = measured.filter { $0.x > 0 && $0.y > 0 }
            let xs = drawable.map(\.x) + drawable.map { 1 / $0.y }
            let low = min(xs.min() ?? 0.1, 0.1) / 2, high = max(xs.max() ?? 10, 10) * 2
            series.append(PlotSeries(name: "product = 1 (model)",
                                     points: (0...60).map { index in
                                         let x = low * pow(high / low, Double(index) / 60)
                                         return (x, 1 / x)
                                     }, color: "#d62728"))
            let colors = LinePlot.palette.filter { $0 != "#d62728" }  // red is the curve's
            for (index, point) in targetPoints.enumerated() where measured[index].x > 0 && measured[index].y > 0 {
                series.append(PlotSeries(name: "B = \(Format.grouped(point.batch)) (measured)", points: [measured[index]],
                                         color: colors[index % colors.count], markers: true, line: false))
            }
        }
        return LinePlot(title: "Updates vs samples to the target: the S–E trade-off", xLabel: "S/S_min − 1 (extra updates)",
                        yLabel: "E/E_min − 1 (extra samples)", xLog: true, yLog: true, series: series)
    }
}
