extension StudyReport {
    /// The valid runs of a study by variant and seed, with what selection needs to know of each
    /// variant: the table every draw of seeds (``Bootstrap``) is evaluated on.
    struct SeedTable: Sendable {
        /// `cells[variant][seed]`: the valid run (finished, not diverged), or nil.
        var cells: [[RunOutcome?]]
        /// Per variant: B at the start of its first valid run (seed order).
        var batches: [Double?]
        /// Per variant: its LR for the best-LR table — the grid's `optimizer.lr` value when the
        /// first valid run used it as its peak (within 10%: logging starts a few updates in,
        /// after some decay), else the largest LR that run logged (a scaling rule, warmup).
        var learningRates: [Double?]
        /// The study is a grid over `batch.global` and `optimizer.lr` (best LR per batch size).
        var isBatchLearningRateGrid: Bool
        /// The study has a target (selection on updates to it).
        var byTarget: Bool

        /// Every statistic on the draw `draw` of seed indices (step 2 of ``Bootstrap``).
        func sample(_ draw: [Int]) -> SeedSample {
            let means = cells.map { row in VariantMeans(draw.compactMap { row[$0] }) }
            var sample = SeedSample(means: means)
            if isBatchLearningRateGrid {
                var best: [Double: (learningRate: Double, score: Double, variant: Int)] = [:]
                for (index, mean) in means.enumerated() {
                    guard let batch = batches[index], let lr = learningRates[index],
                          let score = byTarget ? mean.stepsToTarget : mean.finalAccuracy else { continue }
                    if best[batch].map({ byTarget ? score < $0.score : score > $0.score }) ?? true { best[batch] = (lr, score, index) }
                }
                sample.bestLearningRates = best.keys.sorted().map { ($0, best[$0]!.learningRate, best[$0]!.score, best[$0]!.variant) }
                let table = sample.bestLearningRates
                if let fit = Statistics.fitPowerLaw(x: table.map(\.batch), y: table.map(\.learningRate)) {
                    sample.learningRateFit = (fit.exponent, fit.coefficient, fit.fit.rSquared)
                }
            }
            if byTarget {
                var fastest: [Double: (steps: Double, variant: Int)] = [:]
                for (index, mean) in means.enumerated() {
                    guard let batch = batches[index], let steps = mean.stepsToTarget else { continue }
                    if fastest[batch].map({ steps < $0.steps }) ?? true { fastest[batch] = (steps, index) }
                }
                let batches = fastest.keys.sorted()
                sample.targetPoints = batches.map { ($0, fastest[$0]!.variant) }
                if batches.count >= 2,
                   let fit = Statistics.fitStepsToTarget(batch: batches, steps: batches.map { fastest[$0]!.steps }) {
                    sample.targetFit = (fit.minimumSteps, fit.noiseScale, fit.fit.rSquared)
                }
            }
            return sample
        }
    }
}
