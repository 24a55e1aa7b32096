// The numbers of a study report on the real seeds, each with its bootstrap interval
// (``Bootstrap``): per-variant statistics, the best LR per batch size with its power-law fit,
// and steps to a target with the fit S = S_min(1 + B_noise/B).

extension StudyReport {
    /// `value` (the statistic on the real seeds) with the interval of `statistic` over the
    /// resamples, when `seeds` ≥ 2.
    func estimate(_ value: Double?, seeds: Int, _ statistic: (SeedSample) -> Double?) -> Estimate? {
        value.map { bootstrap.estimate($0, seeds: seeds, resampled: resamples.map(statistic)) }
    }

    /// Seeds behind a fit: the study's.
    var seedCount: Int { study.seeds?.count ?? 1 }

    /// Finished runs of a variant.
    func finishedRuns(of variant: Study.Variant) -> [RunMetrics] {
        runs.filter { $0.run.variant.name == variant.name && $0.finished }
    }

    /// Variants whose test accuracy the report gives: for a B × LR grid the best LR of each
    /// batch size, for a study whose target stops the runs the fastest variant of each batch
    /// size, else every variant (nothing is selected among them). Indices into ``Study/variants``.
    public var selectedVariants: [Int] {
        if table.isBatchLearningRateGrid { return sample.bestLearningRates.map(\.variant).sorted() }
        if selectsByTarget { return sample.targetPoints.map(\.variant).sorted() }
        return Array(study.variants.indices)
    }

    /// One summary per variant, in study order.
    public var variantSummaries: [VariantSummary] {
        let selected = Set(selectedVariants)
        return study.variants.enumerated().map { index, variant in
            let all = outcomes.filter { $0.variantIndex == index }
            let means = sample.means[index]
            let first = (table.cells[index].compactMap { $0 }.first ?? all.first)?.metrics
            var summary = VariantSummary(
                variant: variant, runs: seedCount, finished: all.filter(\.metrics.finished).count,
                diverged: all.filter(\.metrics.diverged).count, valid: means.runs,
                batch: first?.batch, peakLearningRate: first?.peakLearningRate,
                finalAccuracy: estimate(means.finalAccuracy, seeds: means.runs) { $0.means[index].finalAccuracy },
                bestAccuracy: estimate(means.bestAccuracy, seeds: means.runs) { $0.means[index].bestAccuracy },
                updates: estimate(means.updates, seeds: means.runs) { $0.means[index].updates },
                samples: estimate(means.samples, seeds: means.runs) { $0.means[index].samples },
                wallSeconds: estimate(means.wallSeconds, seeds: means.runs) { $0.means[index].wallSeconds },
                reachedTarget: means.reached)
            if reportsTestSeparately, selected.contains(index) {
                summary.finalTestAccuracy = estimate(means.finalTestAccuracy, seeds: means.runs) { $0.means[index].finalTestAccuracy }
            }
            if study.target != nil {
                summary.stepsToTarget = estimate(means.stepsToTarget, seeds: means.reached) { $0.means[index].stepsToTarget }
                summary.samplesToTarget = estimate(means.samplesToTarget, seeds: means.reached) { $0.means[index].samplesToTarget }
                summary.secondsToTarget = estimate(means.secondsToTarget, seeds: means.reached) { $0.means[index].secondsToTarget }
                summary.valueAtTarget = estimate(means.valueAtTarget, seeds: means.reached) { $0.means[index].valueAtTarget }
                summary.bSimpleAtTarget = estimate(means.bSimpleAtTarget, seeds: means.reached) { $0.means[index].bSimpleAtTarget }
                summary.temperatureAtTarget = estimate(means.temperatureAtTarget, seeds: means.reached) {
                    $0.means[index].temperatureAtTarget
                }
            }
            return summary
        }
    }

    /// True when the study is a grid over both `batch.global` and `optimizer.lr`.
    public var isBatchLearningRateGrid: Bool { table.isBatchLearningRateGrid }

    /// For each batch size (ascending), the best variant and its LR (grids over B and LR
    /// only): the highest mean final accuracy, or in a target study the fewest mean updates to
    /// the target (`score` is then the updates). The LR is the grid's `optimizer.lr` value when
    /// the run used it as its peak (within 10%), else the largest LR the run logged.
    public var bestLearningRates: [(batch: Double, learningRate: Double, score: Double, variant: String)] {
        sample.bestLearningRates.map { ($0.batch, $0.learningRate, $0.score, study.variants[$0.variant].name) }
    }

    /// What "best" means in ``bestLearningRates``.
    var bestCriterion: String {
        selectsByTarget ? "fewest updates to the target" : "highest mean final \(accuracyName)"
    }

    /// Best LR = c·B^k fitted on logs (nil with fewer than two batch sizes); k with its interval
    /// (the best LR of each batch size chosen again on each resample).
    public var learningRateFit: (exponent: Estimate, coefficient: Double, rSquared: Double?)? {
        guard let fit = sample.learningRateFit,
              let exponent = estimate(fit.exponent, seeds: seedCount, { $0.learningRateFit?.exponent }) else { return nil }
        return (exponent, fit.coefficient, fit.rSquared)
    }

    /// Target studies: each batch size (ascending) at the variant that reached the target in the
    /// fewest mean updates.
    public var targetPoints: [TargetPoint] {
        let summaries = variantSummaries
        return sample.targetPoints.compactMap { point in
            let summary = summaries[point.variant]
            guard let steps = summary.stepsToTarget, let samples = summary.samplesToTarget else { return nil }
            return TargetPoint(batch: point.batch, variant: summary.variant.name, steps: steps, samples: samples,
                               seconds: summary.secondsToTarget?.value, learningRate: summary.peakLearningRate,
                               bSimple: summary.bSimpleAtTarget, temperature: summary.temperatureAtTarget)
        }
    }

    /// S = S_min(1 + B_noise/B) fitted to the ``targetPoints`` (linear in 1/B), with
    /// E = B·S and E_min = S_min·B_noise; each with its interval (the fastest variant of each
    /// batch size chosen again and the fit redone on each resample).
    public var targetFit: (minimumSteps: Estimate, noiseScale: Estimate, minimumSamples: Estimate, rSquared: Double?)? {
        guard let fit = sample.targetFit,
              let steps = estimate(fit.minimumSteps, seeds: seedCount, { $0.targetFit?.minimumSteps }),
              let noise = estimate(fit.noiseScale, seeds: seedCount, { $0.targetFit?.noiseScale }),
              let samples = estimate(fit.minimumSteps * fit.noiseScale, seeds: seedCount,
                                     { $0.targetFit.map { $0.minimumSteps * $0.noiseScale } }) else { return nil }
        return (steps, noise, samples, fit.rSquared)
    }

    /// Diverged runs with the step and the reason (``RunMetrics/divergence``), in study order.
    public var divergedRuns: [(run: String, step: Double, reason: String)] {
        runs.compactMap { run in run.divergence.map { (run.run.name, $0.step, $0.reason) } }
    }
}
