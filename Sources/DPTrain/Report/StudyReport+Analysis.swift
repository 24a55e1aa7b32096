// The numbers of a study report: per-variant statistics over seeds, the best LR per batch size
// with its power-law fit, and steps to a target with the fit S = S_min(1 + B_noise/B).

extension StudyReport {
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
        axis(.batch) != nil && axis(.learningRate) != nil
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
            if let nominal = coordinate(.learningRate, of: summary.variant).flatMap(Double.init), abs(lr / nominal - 1) < 0.1 {
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
}
