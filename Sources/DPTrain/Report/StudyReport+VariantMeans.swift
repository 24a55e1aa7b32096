extension StudyReport {
    /// Means over the runs of one variant in one draw of seeds (``SeedTable/sample(_:)``):
    /// valid runs only, a seed drawn twice counted twice; nil when no run has the value.
    struct VariantMeans: Sendable {
        /// Valid runs in the draw (with repetition).
        var runs = 0
        /// Of those, runs that reached the target.
        var reached = 0
        var finalAccuracy: Double?
        var bestAccuracy: Double?
        var finalTestAccuracy: Double?
        var updates: Double?
        var samples: Double?
        var wallSeconds: Double?
        /// Over the runs that reached the target: interpolated updates, samples and seconds.
        var stepsToTarget: Double?
        var samplesToTarget: Double?
        var secondsToTarget: Double?
        /// Over the runs that reached the target: the metric at the check that reached it.
        var valueAtTarget: Double?
        /// Over the runs that reached the target: B_simple and g there.
        var bSimpleAtTarget: Double?
        var temperatureAtTarget: Double?

        /// The means of `outcomes` (the valid runs of the draw, in draw order).
        init(_ outcomes: [RunOutcome]) {
            runs = outcomes.count
            finalAccuracy = Statistics.mean(outcomes.compactMap(\.finalAccuracy))
            bestAccuracy = Statistics.mean(outcomes.compactMap(\.bestAccuracy))
            finalTestAccuracy = Statistics.mean(outcomes.compactMap(\.finalTestAccuracy))
            updates = Statistics.mean(outcomes.compactMap(\.metrics.updates))
            samples = Statistics.mean(outcomes.compactMap(\.metrics.samples))
            wallSeconds = Statistics.mean(outcomes.compactMap(\.metrics.wallSeconds))
            let hits = outcomes.filter { $0.crossing != nil }
            reached = hits.count
            stepsToTarget = Statistics.mean(hits.map { $0.crossing!.step })
            samplesToTarget = Statistics.mean(hits.map { $0.crossing!.samples })
            secondsToTarget = Statistics.mean(hits.map { $0.crossing!.wallSeconds })
            valueAtTarget = Statistics.mean(hits.map { $0.crossing!.after.value })
            bSimpleAtTarget = Statistics.mean(hits.compactMap(\.bSimpleAtTarget))
            temperatureAtTarget = Statistics.mean(hits.compactMap(\.temperatureAtTarget))
        }
    }
}
