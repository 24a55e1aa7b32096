// The verdicts of a study report: each claim checked, and plain statements of what the data
// supports.

extension StudyReport {
    /// Each claim checked on mean final accuracy (the selection accuracy: validation when
    /// logged), over valid runs.
    public var claimResults: [ClaimResult] {
        let summaries = variantSummaries
        return study.claims.map { claim in
            let ai = study.variants.firstIndex { $0.name == claim.variant }!
            let ri = study.variants.firstIndex { $0.name == claim.reference }!
            let a = summaries[ai], r = summaries[ri]
            let title = claim.text.isEmpty ? "\(claim.variant) is not worse than \(claim.reference)" : claim.text
            guard let am = a.finalAccuracyMean, let rm = r.finalAccuracyMean else {
                return ClaimResult(claim: claim, supported: nil, difference: nil, differenceEstimate: nil,
                                   message: "\(title): not checked yet (a variant has no finished run that did not diverge)")
            }
            let difference = am - rm
            let estimate = self.estimate(difference, seeds: min(a.valid, r.valid)) { sample in
                guard let x = sample.means[ai].finalAccuracy, let y = sample.means[ri].finalAccuracy else { return nil }
                return x - y
            }!
            var updates = ""
            if let au = a.updatesMean, let ru = r.updatesMean, ru > 0 {
                updates = " It used \(Format.grouped(au)) parameter updates vs \(Format.grouped(ru)) (\(Format.fixed(au / ru, 2))×)."
            }
            let pp = { (value: Double) in Format.fixed(value * 100, 2) + " pp" }
            var over = "mean final \(accuracyName) over \(a.valid) and \(r.valid) run(s): \(Format.percent(am)) vs \(Format.percent(rm))"
            if let low = estimate.low, let high = estimate.high {
                over += "; 90% interval of the difference \(Format.fixed(low * 100, 2)) to \(Format.fixed(high * 100, 2)) pp"
            }
            if difference >= -claim.tolerance {
                return ClaimResult(claim: claim, supported: true, difference: difference, differenceEstimate: estimate,
                                   message: "\(title): SUPPORTED. \(claim.variant) is \(difference >= 0 ? pp(difference) + " better than" : pp(-difference) + " worse than") "
                                       + "\(claim.reference) (\(over)); the tolerance is \(pp(claim.tolerance)).\(updates)")
            }
            return ClaimResult(claim: claim, supported: false, difference: difference, differenceEstimate: estimate,
                               message: "\(title): CONTRADICTED by the data. \(claim.variant) is \(pp(-difference)) worse than "
                                   + "\(claim.reference) (\(over)), more than the \(pp(claim.tolerance)) tolerance.\(updates)")
        }
    }

    /// Plain statements the data supports (fits, grid edges, runs that missed the target).
    public var findings: [String] {
        var lines: [String] = []
        let table = bestLearningRates
        if let fit = learningRateFit {
            let rule = abs(fit.exponent.value - 1) < abs(fit.exponent.value - 0.5) ? "the linear rule (k = 1)" : "the square-root rule (k = 0.5)"
            lines.append("Best LR ∝ B^k with fitted k = \(fit.exponent.text { Format.fixed($0, 2) })"
                + (fit.rSquared.map { " (R² = \(Format.fixed($0, 2)), \(table.count) batch sizes)" } ?? "")
                + ": closer to \(rule).")
            let lrAxis = axis(.learningRate)?.values.compactMap(Double.init) ?? []
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
        let diverged = divergedRuns
        if !diverged.isEmpty {
            lines.append("Diverged, left out of every statistic: "
                + diverged.map { "\($0.run) (at step \(Format.grouped($0.step)): \($0.reason))" }.joined(separator: "; ") + ".")
        }
        if let target = study.target {
            if selectsByTarget, target.metric.hasPrefix("test_"), reportsTestSeparately {
                lines.append("The target is on \(target.metric) although the runs hold out a validation split: the fastest "
                    + "run per batch size is then chosen on the test set; target val_\(target.metric.dropFirst(5)) instead.")
            }
            let failed = study.variants.flatMap { variant in
                finishedRuns(of: variant).filter { !$0.diverged && $0.reached(target) == nil }.map(\.run.name)
            }
            if !failed.isEmpty {
                lines.append("Did not reach \(target.metric) \(Format.significant(target.value)) within the budget: \(failed.joined(separator: ", ")).")
            }
            if !selectsByTarget {
                // A milestone: no selection or fit by updates to it.
            } else if let fit = targetFit {
                var line = "Steps to target fit S = S_min(1 + B_noise/B): S_min = \(fit.minimumSteps.text { Format.grouped($0) }) updates, "
                    + "B_noise = \(fit.noiseScale.text { Format.grouped($0) }) samples, E_min = S_min·B_noise = "
                    + "\(fit.minimumSamples.text { Format.grouped($0) }) samples"
                if let r2 = fit.rSquared { line += " (R² = \(Format.fixed(r2, 2)))" }
                let measured = targetPoints.compactMap { point in point.bSimple.map { (point.batch, $0.value) } }
                if !measured.isEmpty {
                    line += "; B_simple logged at the target: " + measured.map { "\(Format.grouped($0.1)) at B = \(Format.grouped($0.0))" }
                        .joined(separator: ", ")
                }
                lines.append(line + ".")
            } else if targetPoints.count < 2 {
                lines.append("Fewer than two batch sizes reached the target: no S_min/B_noise fit.")
            } else {
                lines.append("The steps-to-target fit gave S_min ≤ 0 (steps do not fall with B as the model predicts): no B_noise estimate.")
            }
        }
        return lines
    }

    private func summaryLR(of variantName: String) -> Double? {
        study.variants.first { $0.name == variantName }.flatMap { coordinate(.learningRate, of: $0) }.flatMap(Double.init)
    }
}
