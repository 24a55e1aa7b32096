import Foundation

/// The data-parallel training loop (DESIGN §2–3): every rank holds a replica of the model,
/// computes its slots of each global batch, the gradients are summed by one all-reduce over
/// the flat gradient buffer, and every rank applies the same optimizer update.
///
/// One optimizer step at progress t with B = W·K·m:
///
///     zero ∇ ; for k in 0..<K: forward/backward slot r·K+k, each sample's ∂ℓ scaled by 1/B
///     all-reduce(∇)          (sum: ∇ is now the mean gradient of the B samples)
///     non-finite? → skip on every rank alike ; else clip, noise, optimizer.step(η(t))
public final class Trainer {
    public let config: TrainingConfig
    public let communicator: Communicator
    public let data: TrainingData
    public let model: Sequential
    public let loss: Loss
    public let optimizer: Optimizer
    public let plan: TrainingPlan
    public private(set) var state: TrainingState
    /// Where rank 0 prints progress (nil: silent).
    public var printer: ((String) -> Void)?
    /// Run directory and metrics log (rank 0 only; nil on other ranks or when not writing).
    public let runDirectory: RunDirectory?

    private var sampler: EpochSampler
    private let gradientNoise: GradientNoise?
    /// Drives the model's BatchNorm layers through each step (running statistics; global-batch
    /// statistics for `sync: true`). Inactive when the model has no BN layer.
    private let batchNorms: BatchNormSynchronizer
    private let plateau: ReduceOnPlateau?
    private let inputBuffer = FloatBuffer()
    private let gradientBuffer = FloatBuffer()
    private let targetBuffer = FloatBuffer()
    private var labels: UnsafeMutablePointer<Int32>
    private var keys: UnsafeMutablePointer<UInt64>
    /// Dataset indices of the rows of the current micro-batch (no array per micro-step).
    private var sampleIndices: UnsafeMutablePointer<Int>
    private var rowCapacity: Int
    private var bestParameters: UnsafeMutableBufferPointer<Float>?
    private let evaluator: Evaluator
    private let faults = FaultInjection.fromEnvironment()
    private var watchdog: Watchdog?
    private var startWallTime: Double
    /// Name of the newest checkpoint this run wrote or resumed from.
    public internal(set) var lastCheckpointName: String?
    /// Called after every evaluation with its result; returning a reason stops training there
    /// (studies use it to stop at a target accuracy). Must return the same on every rank.
    public var stopCondition: ((EvaluationResult, TrainingState) -> String?)?
    /// Seconds spent in each phase of the step on this rank (for `bench`).
    public private(set) var timings = StepTimings()
    /// Called after every optimizer step with the step count (benchmarks reset timings here).
    public var afterStep: ((Int) -> Void)?
    /// Called on rank 0 after every step with what a progress display shows (local loss of the
    /// step, not all-reduced: display only).
    public var onProgress: ((StepProgress) -> Void)?

    /// Clears ``timings`` (for example after warm-up steps).
    public func resetTimings() { timings = StepTimings() }

    public init(config: TrainingConfig, communicator: Communicator, data: TrainingData,
                model: Sequential, loss: Loss, optimizer: Optimizer, plan: TrainingPlan,
                plateau: ReduceOnPlateau?, runDirectory: RunDirectory?) {
        self.config = config
        self.communicator = communicator
        self.data = data
        self.model = model
        self.loss = loss
        self.optimizer = optimizer
        self.plan = plan
        self.plateau = plateau
        self.runDirectory = runDirectory
        state = TrainingState(evalEvery: config.train.evalEvery, checkpointEvery: config.train.checkpointEvery,
                              noise: NoiseScaleEstimator(smoothing: config.train.noiseSmoothing),
                              earlyStopping: EarlyStopping(criterion: config.train.earlyStopping))
        sampler = EpochSampler(sampleCount: data.train.count, seed: config.seed, shuffle: config.data.shuffle)
        gradientNoise = config.train.gradientNoiseEta > 0
            ? GradientNoise(seed: SplitMix64(keys: config.seed, RandomStream.gradientNoise.rawValue).state,
                            eta: config.train.gradientNoiseEta, gamma: config.train.gradientNoiseGamma)
            : nil
        batchNorms = BatchNormSynchronizer(model: model)
        evaluator = Evaluator(model: model, loss: loss, communicator: communicator, batchSize: config.train.evalBatch)
        rowCapacity = config.batch.micro
        labels = .allocate(capacity: rowCapacity)
        keys = .allocate(capacity: rowCapacity)
        sampleIndices = .allocate(capacity: rowCapacity)
        startWallTime = communicator.wallTime()
    }

    deinit {
        labels.deallocate()
        keys.deallocate()
        sampleIndices.deallocate()
        bestParameters?.baseAddress?.deallocate()
    }

    // MARK: - Running

    /// Trains until `train.epochs` (or `train.max_steps`, or early stopping), evaluates, and
    /// (rank 0) writes `final.safetensors`, the summary and the DONE marker.
    @discardableResult
    public func run() throws -> TrainingSummary {
        let sampleCount = data.train.count
        let train = config.train
        var interval = IntervalTotals()
        var stopReason: String?
        var lastEvaluationProgress = -1.0
        var lastEvaluation: EvaluationResult?
        if config.train.stallTimeout > 0 {
            watchdog = Watchdog(timeout: config.train.stallTimeout,
                                label: "rank \(communicator.rank) of \(communicator.worldSize)")
        }
        defer { watchdog?.stop() }

        while true {
            let progress = state.progress(sampleCount: sampleCount)
            if progress + 1e-12 >= state.nextEvaluation {
                lastEvaluation = try evaluateAndLog(progress: progress, interval: &interval)
                lastEvaluationProgress = progress
                watchdog?.beat()
                while state.nextEvaluation <= progress + 1e-12 { state.nextEvaluation += train.evalEvery }
                if let evaluation = lastEvaluation, let reason = try observeEarlyStopping(evaluation) {
                    stopReason = reason
                    break
                }
                if let evaluation = lastEvaluation, let reason = stopCondition?(evaluation, state) {
                    stopReason = reason
                    break
                }
            }
            if progress + 1e-12 >= train.epochs { break }
            if train.maxSteps > 0, state.step >= train.maxSteps { break }

            let decomposition = plan.decomposition(at: progress)
            var count = decomposition.global
            if state.cursor + count > sampleCount {
                if config.data.dropLast || state.cursor >= sampleCount {
                    state.epoch += 1
                    state.cursor = 0
                    sampler.startEpoch(state.epoch)
                    continue
                }
                count = sampleCount - state.cursor
            }
            let learningRate = plan.learningRate(progress: progress, updates: state.step)
                * (plateau?.learningRate(at: 0) ?? 1)
            let measureNoise = train.noiseEvery > 0 && state.step % train.noiseEvery == 0
                && count == decomposition.global && decomposition.micro < count
            let stepStart = communicator.wallTime()
            let result = try step(count: count, decomposition: decomposition, learningRate: learningRate,
                                  measureNoise: measureNoise)
            timings.wall += communicator.wallTime() - stepStart
            timings.samples += count
            watchdog?.beat()
            state.cursor += count
            state.samples += count
            state.step += 1
            interval.add(result)
            afterStep?(state.step)
            if let onProgress {
                let stepsPerEpoch = sampleCount / decomposition.global
                onProgress(StepProgress(step: state.step, epoch: state.epoch,
                                        epochFraction: Double(state.cursor) / Double(sampleCount),
                                        totalEpochs: train.epochs, stepInEpoch: state.cursor / max(count, 1),
                                        stepsPerEpoch: stepsPerEpoch,
                                        loss: result.lossSum / Double(max(result.count, 1)),
                                        learningRate: learningRate, batch: count,
                                        accumulation: decomposition.accumulation, seconds: elapsed))
            }
            if state.step % train.logEvery == 0 {
                try logStep(learningRate: learningRate, decomposition: decomposition, count: count,
                            interval: &interval, gradientNorm: result.gradientNorm)
            }
            if train.checkReplicasEvery > 0, state.step % train.checkReplicasEvery == 0 {
                try checkReplicas()
            }
            try checkpointIfDue(progress: state.progress(sampleCount: sampleCount))
        }

        let progress = state.progress(sampleCount: sampleCount)
        if stopReason == nil, lastEvaluationProgress != progress {
            lastEvaluation = try evaluateAndLog(progress: progress, interval: &interval)
            if let evaluation = lastEvaluation, let reason = try observeEarlyStopping(evaluation) {
                stopReason = reason
            }
        }
        if let bestParameters, stopReason != nil, config.train.earlyStopping != .none {
            // Early stopping: the final weights are the best ones seen.
            model.store.values.baseAddress!.update(from: bestParameters.baseAddress!, count: model.store.count)
            lastEvaluation = try evaluate()
        }
        let summary = TrainingSummary(steps: state.step, samples: state.samples, epochs: progress,
                                      skippedSteps: state.skippedSteps,
                                      wallSeconds: elapsed, evaluation: lastEvaluation, stopReason: stopReason)
        try finish(summary)
        return summary
    }

    private var elapsed: Double { state.previousWallSeconds + communicator.wallTime() - startWallTime }

    // MARK: - Checkpoint support (see Trainer+Checkpoint.swift)

    var wallSecondsSoFar: Double { elapsed }
    var bestParametersForCheckpoint: UnsafeMutableBufferPointer<Float>? { bestParameters }
    var plateauState: [Double]? { plateau?.state }

    func restoreBestParameters(from source: UnsafeBufferPointer<Float>) {
        if bestParameters == nil { bestParameters = ParameterStore.allocate(model.store.count) }
        bestParameters!.baseAddress!.update(from: source.baseAddress!, count: model.store.count)
    }

    func restoreState(_ restored: TrainingState, plateau plateauValues: [Double]?) {
        state = restored
        sampler.startEpoch(state.epoch)
        startWallTime = communicator.wallTime()
        if let plateau, let plateauValues { plateau.state = plateauValues }
    }

    /// Writes a checkpoint (rank 0) when progress has reached the next checkpoint point.
    private func checkpointIfDue(progress: Double, force: Bool = false) throws {
        guard force || progress + 1e-12 >= state.nextCheckpoint else { return }
        while state.nextCheckpoint <= progress + 1e-12 { state.nextCheckpoint += config.train.checkpointEvery }
        if let runDirectory {
            let name = try runDirectory.writeCheckpoint(makeCheckpoint(), step: state.step, keep: config.train.checkpointKeep,
                                                        testDelay: faults.checkpointDelay)
            lastCheckpointName = name
        }
    }

    // MARK: - One optimizer step

    /// What one step measured on this rank (loss sums are local until logged).
    struct StepResult {
        var lossSum: Double
        var correct: Int
        var count: Int
        var gradientNorm: Double
    }

    private func step(count: Int, decomposition: BatchDecomposition, learningRate: Double,
                      measureNoise: Bool) throws -> StepResult {
        let store = model.store
        let clock = communicator
        var t0 = clock.wallTime()
        store.zeroGradients()
        let scale = Float(1.0 / Double(count))
        var result = StepResult(lossSum: 0, correct: 0, count: 0, gradientNorm: 0)
        var smallNormSquared: Double?
        var smallBatch = 0
        let accumulation = decomposition.accumulation
        let firstSlot = communicator.rank * accumulation
        if batchNorms.isActive {
            // Synchronized BN: statistics passes over this step's micro-batches (none for ghost BN).
            batchNorms.beginStep()
            for pass in 0..<batchNorms.statisticsPassCount {
                batchNorms.beginStatisticsPass(pass)
                let needsBackward = batchNorms.statisticsPassNeedsBackward(pass)
                for micro in 0..<accumulation {
                    let range = EpochSampler.slotRange(slot: firstSlot + micro, micro: decomposition.micro, batchCount: count)
                    if range.isEmpty { continue }
                    let input = gatherTraining(range: range)
                    let context = PassContext(training: true, sampleKeys: UnsafePointer(keys))
                    let output = model.forward(input, context: context)
                    guard needsBackward else { continue }
                    let gradient = gradientBuffer.matrix(rows: range.count, columns: output.columns)
                    _ = loss.evaluate(output: output, targets: targets(rows: range.count, columns: output.columns),
                                      gradient: gradient, scale: scale)
                    model.backward(gradient, context: context)
                }
                try batchNorms.endStatisticsPass(pass, communicator: communicator)
            }
            if batchNorms.statisticsPassCount > 0 { store.zeroGradients() }
            batchNorms.beginFinalPass()
        }
        for micro in 0..<accumulation {
            let range = EpochSampler.slotRange(slot: firstSlot + micro, micro: decomposition.micro, batchCount: count)
            if range.isEmpty { continue }
            let rows = range.count
            let input = gatherTraining(range: range)
            var t1 = clock.wallTime()
            timings.data += t1 - t0
            let context = PassContext(training: true, sampleKeys: UnsafePointer(keys))
            let output = model.forward(input, context: context)
            let gradient = gradientBuffer.matrix(rows: rows, columns: output.columns)
            let lossResult = loss.evaluate(output: output, targets: targets(rows: rows, columns: output.columns),
                                           gradient: gradient, scale: scale)
            t0 = clock.wallTime()
            timings.forward += t0 - t1
            model.backward(gradient, context: context)
            t1 = clock.wallTime()
            timings.backward += t1 - t0
            result.lossSum += lossResult.sum
            result.correct += lossResult.correct
            result.count += rows
            if measureNoise, smallNormSquared == nil {
                // Mean gradient of this micro-batch = (B/rows)·(what it added to ∇).
                let factor = Double(count) / Double(rows)
                smallNormSquared = VectorMath.sumOfSquares(store.gradients.baseAddress!, count: store.count) * factor * factor
                smallBatch = rows
            }
            t0 = clock.wallTime()
        }
        if faults.stepDelay > 0 { Thread.sleep(forTimeInterval: faults.stepDelay) }
        if let stall = faults.stall, stall.step == state.step + 1, stall.rank == communicator.rank {
            while true { Thread.sleep(forTimeInterval: 3600) }
        }
        if faults.poisons(step: state.step + 1, rank: communicator.rank) {
            store.gradients[0] = .nan
        }
        try communicator.allReduceSum(store.gradients)
        var t1 = clock.wallTime()
        timings.communication += t1 - t0
        let normSquared = VectorMath.sumOfSquares(store.gradients.baseAddress!, count: store.count)
        result.gradientNorm = normSquared.squareRoot()
        if measureNoise {
            var scalars = [smallNormSquared ?? 0, smallNormSquared == nil ? 0 : 1]
            try communicator.allReduceSum(&scalars)
            if scalars[1] > 0 {
                state.noise.add(smallNormSquared: scalars[0] / scalars[1], smallBatch: Double(smallBatch),
                                bigNormSquared: normSquared, bigBatch: Double(count))
            }
        }
        guard normSquared.isFinite else {
            // Every rank holds the same reduced gradient, so every rank skips alike.
            state.skippedSteps += 1
            state.badStepsInRow += 1
            if state.badStepsInRow >= config.train.maxBadSteps {
                throw TrainingError.diverged(step: state.step + 1, learningRate: learningRate,
                                             badSteps: state.badStepsInRow,
                                             lastCheckpoint: lastCheckpointName)
            }
            return result
        }
        state.badStepsInRow = 0
        if config.train.clipNorm > 0 {
            GradientClipping.clipByGlobalNorm(store: store, maxNorm: Float(config.train.clipNorm))
        }
        gradientNoise?.apply(to: store, updateCount: optimizer.stepCount)
        // BN running statistics from the global batch (one small all-reduce), and their
        // gradient slots back to zero (gradient noise touches every element).
        try batchNorms.finishStep(communicator: communicator)
        optimizer.step(store: store, learningRate: Float(learningRate))
        t0 = clock.wallTime()
        timings.optimizer += t0 - t1
        timings.steps += 1
        t1 = t0
        return result
    }

    /// Copies this rank's samples `range` of the current step into the input buffer, with
    /// their labels and per-sample random keys, and augments them.
    private func gatherTraining(range: Range<Int>) -> Matrix {
        let dataset = data.train
        let rows = range.count
        let input = inputBuffer.matrix(rows: rows, columns: dataset.featureCount)
        let order = sampler.order
        let start = state.cursor + range.lowerBound
        precondition(rows <= rowCapacity, "micro-batch of \(rows) rows exceeds the \(rowCapacity) the trainer sized for")
        let indices = UnsafeMutableBufferPointer(start: sampleIndices, count: rows)
        for row in 0..<rows {
            let index = Int(order[start + row])
            indices[row] = index
            keys[row] = SampleKeys.key(seed: config.seed, epoch: state.epoch, sampleIndex: index)
        }
        BatchGather.gather(dataset: dataset, indices: indices, into: input, labels: labels)
        if let augmentation = data.augmentation {
            augmentation.apply(to: input, sampleShape: dataset.sampleShape, keys: UnsafePointer(keys))
        }
        if dataset.targetWidth > 0 {
            let targets = targetBuffer.matrix(rows: rows, columns: dataset.targetWidth)
            for row in 0..<rows {
                targets.row(row).update(from: dataset.targetRow(indices[row]), count: dataset.targetWidth)
            }
        }
        return input
    }

    private func targets(rows: Int, columns: Int) -> Targets {
        if data.train.targetWidth > 0 {
            return .values(Matrix(base: targetBuffer.base, rows: rows, columns: data.train.targetWidth))
        }
        return .classes(UnsafePointer(labels))
    }

    // MARK: - Evaluation

    /// Loss and accuracy over every sample of `dataset` exactly once (see ``Evaluator``).
    public func evaluate(_ dataset: Dataset) throws -> (loss: Double, accuracy: Double, count: Int) {
        try evaluator.evaluate(dataset)
    }

    /// Test (and validation) metrics of the current parameters.
    public func evaluate() throws -> EvaluationResult {
        var result = EvaluationResult()
        if let test = data.test {
            let metrics = try evaluate(test)
            result.testLoss = metrics.loss
            result.testAccuracy = metrics.accuracy
        }
        if let validation = data.validation {
            let metrics = try evaluate(validation)
            result.validationLoss = metrics.loss
            result.validationAccuracy = metrics.accuracy
        }
        return result
    }

    private func evaluateAndLog(progress: Double, interval: inout IntervalTotals) throws -> EvaluationResult {
        let evaluation = try evaluate()
        var record = baseRecord(kind: "eval", progress: progress)
        record.set("val_loss", evaluation.validationLoss)
        record.set("val_accuracy", evaluation.validationAccuracy)
        record.set("test_loss", evaluation.testLoss)
        record.set("test_accuracy", evaluation.testAccuracy)
        record.set("wall_seconds", elapsed)
        try runDirectory?.log.write(record)
        var parts = ["eval  epoch \(Format.fixed(progress, 2))"]
        if let loss = evaluation.validationLoss, let accuracy = evaluation.validationAccuracy {
            parts.append("val loss \(Format.fixed(loss, 4)) acc \(Format.percent(accuracy))")
        }
        if let loss = evaluation.testLoss, let accuracy = evaluation.testAccuracy {
            parts.append("test loss \(Format.fixed(loss, 4)) acc \(Format.percent(accuracy))")
        }
        parts.append("\(Format.fixed(elapsed, 1)) s")
        printer?(parts.joined(separator: " | "))
        if let plateau {
            plateau.observe(evaluation.validationLoss ?? evaluation.testLoss ?? .nan)
        }
        return evaluation
    }

    /// Early stopping on validation loss: remembers the best weights, returns a stop reason.
    private func observeEarlyStopping(_ evaluation: EvaluationResult) throws -> String? {
        guard config.train.earlyStopping != .none else { return nil }
        guard let validationLoss = evaluation.validationLoss else {
            throw ConfigError.inconsistent(message:
                "train.early_stopping needs a validation split: set data.validation to a number of samples (e.g. 5000)")
        }
        let decision = state.earlyStopping.observe(loss: validationLoss, step: state.step)
        if decision.improved {
            if bestParameters == nil { bestParameters = ParameterStore.allocate(model.store.count) }
            bestParameters!.baseAddress!.update(from: model.store.values.baseAddress!, count: model.store.count)
        }
        if decision.stop { printer?("early stopping: \(decision.reason ?? "")") }
        return decision.stop ? decision.reason : nil
    }

    // MARK: - Logging

    struct IntervalTotals {
        var lossSum = 0.0
        var correct = 0.0
        var count = 0.0
        var steps = 0
        var startTime: Double?

        mutating func add(_ result: StepResult) {
            lossSum += result.lossSum
            correct += Double(result.correct)
            count += Double(result.count)
            steps += 1
        }
    }

    private func baseRecord(kind: String, progress: Double) -> MetricRecord {
        var record = MetricRecord(kind: kind)
        let decomposition = plan.decomposition(at: min(progress, config.train.epochs))
        record.set("step", state.step)
        record.set("samples", state.samples)
        record.set("epoch", progress)
        record.set("lr", plan.learningRate(progress: progress, updates: state.step) * (plateau?.learningRate(at: 0) ?? 1))
        record.set("batch", decomposition.global)
        record.set("accumulation", decomposition.accumulation)
        record.set("world", decomposition.worldSize)
        return record
    }

    private func logStep(learningRate: Double, decomposition: BatchDecomposition, count: Int,
                         interval: inout IntervalTotals, gradientNorm: Double) throws {
        var totals = [interval.lossSum, interval.correct, interval.count]
        try communicator.allReduceSum(&totals)
        let now = elapsed
        let seconds = now - (interval.startTime ?? state.previousWallSeconds)
        let progress = state.progress(sampleCount: data.train.count)
        var record = MetricRecord(kind: "step")
        record.set("step", state.step)
        record.set("samples", state.samples)
        record.set("epoch", progress)
        record.set("lr", learningRate)
        record.set("batch", count)
        record.set("accumulation", decomposition.accumulation)
        record.set("world", decomposition.worldSize)
        let trainLoss = totals[0] / max(totals[2], 1)
        record.set("train_loss", trainLoss)
        if data.train.targetWidth == 0 { record.set("train_accuracy", totals[1] / max(totals[2], 1)) }
        let n = Double(data.train.count), b = Double(count)
        record.set("noise_scale", learningRate * (n / b - 1))
        if config.optimizer.momentum > 0 {
            record.set("noise_scale_momentum", learningRate * n / (b * (1 - config.optimizer.momentum)))
        }
        record.set("b_simple", state.noise.bSimple)
        record.set("grad_norm", gradientNorm)
        record.set("skipped_steps", state.skippedSteps)
        record.set("samples_per_second", seconds > 0 ? totals[2] / seconds : nil)
        record.set("wall_seconds", now)
        try runDirectory?.log.write(record)
        printer?("step \(state.step) | epoch \(Format.fixed(progress, 2)) | loss \(Format.fixed(trainLoss, 4))"
            + (data.train.targetWidth == 0 ? " | acc \(Format.percent(totals[1] / max(totals[2], 1)))" : "")
            + " | lr \(Format.significant(learningRate)) | B \(count) (K \(decomposition.accumulation))"
            + " | \(seconds > 0 ? Format.grouped(totals[2] / seconds) : "-") samples/s")
        interval = IntervalTotals()
        interval.startTime = now
    }

    // MARK: - Safety checks

    /// All-reduces a parameter checksum (max and min) and fails when replicas differ.
    public func checkReplicas() throws {
        let checksum = VectorMath.checksum(model.store.values.baseAddress!, count: model.store.count)
        var maximum = [checksum], minimum = [checksum]
        try communicator.allReduceMax(&maximum)
        try communicator.allReduceMin(&minimum)
        guard maximum[0] == minimum[0] else {
            throw DistributedError.replicasDiffer(
                "parameter checksums range from \(minimum[0]) to \(maximum[0]) at step \(state.step)")
        }
    }

    // MARK: - Finishing

    private func finish(_ summary: TrainingSummary) throws {
        var record = baseRecord(kind: "summary", progress: summary.epochs)
        record.set("test_loss", summary.evaluation?.testLoss)
        record.set("test_accuracy", summary.evaluation?.testAccuracy)
        record.set("val_loss", summary.evaluation?.validationLoss)
        record.set("val_accuracy", summary.evaluation?.validationAccuracy)
        record.set("skipped_steps", summary.skippedSteps)
        record.set("wall_seconds", summary.wallSeconds)
        try checkpointIfDue(progress: summary.epochs, force: true)
        if let runDirectory {
            try runDirectory.log.write(record)
            try runDirectory.writeFinal(store: model.store, metadata: [
                "format": "dptrain",
                "config": config.resolvedYAMLWithoutOutput,
                "step": String(state.step),
                "samples": String(state.samples),
                "epoch": String(summary.epochs),
            ])
            try runDirectory.markDone()
        }
        try communicator.barrier()
    }
}

/// What a progress display shows after a step.
public struct StepProgress: Equatable, Sendable {
    public var step: Int
    /// Current epoch index and the fraction of it done.
    public var epoch: Int
    public var epochFraction: Double
    public var totalEpochs: Double
    public var stepInEpoch: Int
    public var stepsPerEpoch: Int
    /// Mean loss of this rank's samples in the step.
    public var loss: Double
    public var learningRate: Double
    public var batch: Int
    public var accumulation: Int
    /// Training wall seconds so far.
    public var seconds: Double
}

/// Seconds per phase of the training step on one rank, summed over steps.
public struct StepTimings: Equatable, Sendable {
    public var data = 0.0
    public var forward = 0.0
    public var backward = 0.0
    public var communication = 0.0
    public var optimizer = 0.0
    /// Whole steps, start to end (includes everything above).
    public var wall = 0.0
    /// Optimizer steps and samples they used.
    public var steps = 0
    public var samples = 0
}

/// Test and validation metrics at one point of training.
public struct EvaluationResult: Equatable, Sendable {
    public var testLoss: Double?
    public var testAccuracy: Double?
    public var validationLoss: Double?
    public var validationAccuracy: Double?
}

/// What a finished run reports.
public struct TrainingSummary: Equatable, Sendable {
    public var steps: Int
    public var samples: Int
    public var epochs: Double
    public var skippedSteps: Int
    public var wallSeconds: Double
    public var evaluation: EvaluationResult?
    /// Why training stopped early (nil when it ran to the end).
    public var stopReason: String?
}
