/// Writes a run's `step`, `eval` and `summary` lines (metrics.jsonl, metrics.csv, TensorBoard;
/// rank 0, when there is a run directory) and rank 0's matching text lines.
///
/// Step lines report the interval since the previous one: the loss, accuracy and sample counts
/// of every rank's steps are summed by one all-reduce (collective: every rank calls
/// ``logStep(at:gradientNorm:noise:skippedSteps:wallSeconds:intervalStart:)``).
final class TrainingLog {
    let runDirectory: RunDirectory?
    let communicator: Communicator
    /// N, training samples (for the noise scale ε(N/B − 1)).
    let sampleCount: Int
    /// Whether the data has classes (accuracy is logged) rather than regression targets.
    let classifies: Bool
    /// μ, the optimizer's momentum (0: no momentum-corrected noise scale).
    let momentum: Double
    /// Where text lines go (rank 0's observer; nil elsewhere).
    var printer: ((String) -> Void)?
    /// Totals of the steps since the last step line, on this rank.
    private var lossSum = 0.0
    private var correct = 0.0
    private var count = 0.0
    /// Wall seconds at the last step line (nil before the first one of this process).
    private var intervalStart: Double?

    init(runDirectory: RunDirectory?, communicator: Communicator, sampleCount: Int, classifies: Bool, momentum: Double) {
        self.runDirectory = runDirectory
        self.communicator = communicator
        self.sampleCount = sampleCount
        self.classifies = classifies
        self.momentum = momentum
    }

    /// Adds one step's local loss sum, correct count and samples to the interval.
    func add(_ result: TrainingStep.Result) {
        lossSum += result.lossSum
        correct += Double(result.correct)
        count += Double(result.count)
    }

    /// The interval's step line (collective). `position` holds the first seven fields (with
    /// the step's η and B); `previousWallSeconds` starts the first interval of a resumed run.
    func logStep(at position: [MetricField: Double?], gradientNorm: Double, noise: NoiseScaleEstimator,
                 skippedSteps: Int, wallSeconds now: Double, previousWallSeconds: Double) throws {
        var totals = [lossSum, correct, count]
        try communicator.allReduceSum(&totals)
        let seconds = now - (intervalStart ?? previousWallSeconds)
        let learningRate = (position[.lr] ?? nil) ?? 0, batch = (position[.batch] ?? nil) ?? 1
        var values = position
        let trainLoss = totals[0] / max(totals[2], 1), trainAccuracy = totals[1] / max(totals[2], 1)
        values[.trainLoss] = trainLoss
        if classifies { values[.trainAccuracy] = trainAccuracy }
        values[.noiseScale] = learningRate * (Double(sampleCount) / batch - 1)
        if momentum > 0 { values[.noiseScaleMomentum] = learningRate * Double(sampleCount) / (batch * (1 - momentum)) }
        values[.bSimple] = noise.bSimple
        values[.bSimpleGradientSquared] = noise.gradientSquared
        values[.bSimpleTrace] = noise.trace
        values[.gradNorm] = gradientNorm
        values[.skippedSteps] = Double(skippedSteps)
        values[.samplesPerSecond] = seconds > 0 ? totals[2] / seconds : nil
        values[.wallSeconds] = now
        try runDirectory?.log.write(MetricRecord(kind: .step, values: values))
        let step = Int((position[.step] ?? nil) ?? 0), epoch = (position[.epoch] ?? nil) ?? 0
        let accumulation = Int((position[.accumulation] ?? nil) ?? 1)
        printer?("step \(step) | epoch \(Format.fixed(epoch, 2)) | loss \(Format.fixed(trainLoss, 4))"
            + (classifies ? " | acc \(Format.percent(trainAccuracy))" : "")
            + " | lr \(Format.significant(learningRate)) | B \(Int(batch)) (K \(accumulation))"
            + " | \(seconds > 0 ? Format.grouped(totals[2] / seconds) : "-") samples/s")
        (lossSum, correct, count) = (0, 0, 0)
        intervalStart = now
    }

    /// An evaluation's line and text.
    func logEvaluation(_ evaluation: EvaluationResult, at position: [MetricField: Double?], wallSeconds: Double) throws {
        var values = position
        values[.valLoss] = evaluation.validationLoss
        values[.valAccuracy] = evaluation.validationAccuracy
        values[.testLoss] = evaluation.testLoss
        values[.testAccuracy] = evaluation.testAccuracy
        values[.wallSeconds] = wallSeconds
        try runDirectory?.log.write(MetricRecord(kind: .eval, values: values))
        var parts = ["eval  epoch \(Format.fixed((position[.epoch] ?? nil) ?? 0, 2))"]
        if let loss = evaluation.validationLoss, let accuracy = evaluation.validationAccuracy {
            parts.append("val loss \(Format.fixed(loss, 4)) acc \(Format.percent(accuracy))")
        }
        if let loss = evaluation.testLoss, let accuracy = evaluation.testAccuracy {
            parts.append("test loss \(Format.fixed(loss, 4)) acc \(Format.percent(accuracy))")
        }
        parts.append("\(Format.fixed(wallSeconds, 1)) s")
        printer?(parts.joined(separator: " | "))
    }

    /// The `summary` line of a run (also of a diverged one: `diverged` set, no position beyond
    /// step, samples and epoch).
    static func summaryRecord(_ summary: TrainingSummary, position: [MetricField: Double?],
                              diverged: Bool = false) -> MetricRecord {
        var values = position
        values[.testLoss] = summary.evaluation?.testLoss
        values[.testAccuracy] = summary.evaluation?.testAccuracy
        values[.valLoss] = summary.evaluation?.validationLoss
        values[.valAccuracy] = summary.evaluation?.validationAccuracy
        values[.skippedSteps] = Double(summary.skippedSteps)
        if diverged { values[.diverged] = 1 }
        values[.wallSeconds] = summary.wallSeconds
        return MetricRecord(kind: .summary, values: values)
    }
}
