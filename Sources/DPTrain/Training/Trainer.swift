import Foundation

/// The data-parallel training loop (DESIGN §2–3), read top to bottom like llm.c's: every rank
/// holds a replica of the model, computes its slots of each global batch, the gradients are
/// summed by one all-reduce over the flat gradient buffer, and every rank applies the same
/// optimizer update — or, with `train.shard_optimizer` (the default) and W > 1, the gradient is
/// reduce-scattered, each rank updates its 1/W block of θ and of the optimizer state, and θ is
/// all-gathered (``TrainingStep``).
///
/// One optimizer step at progress t with B = W·K·m (``step(_:decomposition:progress:)``):
///
///     batch    ← the sampler's next B samples                     (EpochSampler, DESIGN §3.3)
///     ∇        ← Σ over this rank's K micro-batches, each ∂ℓ/B;    (TrainingStep)
///                all-reduce(∇)  — the mean gradient of the B samples
///     finite?  ← |∇|² is finite (the same on every rank)           (skip or stop if not, §3.8)
///     θ        ← clip, noise, optimizer(θ, ∇; η(t))                (TrainingStep)
///     observe  ← log, check replicas                               (TrainingLog)
///
/// With `batch.adaptive`, B is the rule's current batch (``AdaptiveBatchPolicy``): before a step
/// that starts at or after the next decision point, B ← the batch the smoothed B_simple calls for;
/// η gets the rule's factor (AdaScale's gain under `lr: adascale`, whose schedule then runs on
/// the scale-invariant clock ``scheduleProgress``, which also ends the run).
///
/// Evaluations run whenever progress passes the next `train.eval_every` point; early stopping
/// (``BestWeights``) and the ``TrainingObserver`` may stop training there, and the observer
/// after any step (a study target checked at step resolution). Checkpoints are
/// written after the evaluation due at the same point (``RunDirectory``), so a resumed run
/// logs every evaluation once.
public final class Trainer {
    /// The run's validated config.
    public let config: TrainingConfig
    /// The communicator of the job (wrapped by ``FaultInjectingCommunicator`` in fault tests).
    public let communicator: Communicator
    /// Training, validation and test samples, and the augmentation of training samples.
    public let data: TrainingData
    /// This rank's replica; its parameters and gradients are one flat ``ParameterStore``.
    public let model: Sequential
    /// ℓ(f(x), y), whose gradient each sample adds to ∇ divided by B.
    public let loss: Loss
    /// The update rule applied to the reduced gradient, the same on every rank.
    public let optimizer: Optimizer
    /// B(t), K(t) and η(t) as functions of progress.
    public let plan: TrainingPlan
    /// Where the run is: epoch, cursor, counters, noise estimate, early-stopping rule.
    public internal(set) var state: TrainingState
    /// Run directory and metrics log (rank 0 only; nil on other ranks or when not writing).
    public let runDirectory: RunDirectory?
    /// Hears lines, steps and evaluations, and may stop training after an evaluation.
    public var observer: TrainingObserver? {
        didSet { log.printer = communicator.isRoot && observer != nil ? { [unowned self] in observer?.trainer(self, printed: $0) } : nil }
    }
    /// Name of the newest checkpoint this run wrote or resumed from.
    public internal(set) var lastCheckpointName: String?

    var sampler: EpochSampler
    /// This rank's block when the optimizer update is sharded (``RunBuilder/optimizerShard(config:parameterCount:communicator:)``).
    let optimizerShard: ParameterShard?
    let plateau: ReduceOnPlateau?
    let bestWeights: BestWeights
    private let trainingStep: TrainingStep
    private let evaluator: Evaluator
    private let log: TrainingLog
    private var startWallTime: Double

    /// Seconds spent in each phase of the step on this rank (for `bench`).
    public var timings: StepTimings { trainingStep.timings }
    /// Clears ``timings`` (for example after warm-up steps).
    public func resetTimings() { trainingStep.timings = StepTimings() }

    /// A trainer at the start of the run (``restore(from:)`` continues a checkpoint); usually
    /// made by ``RunBuilder/makeTrainer(writeRunDirectory:resume:)``.
    public init(config: TrainingConfig, communicator: Communicator, data: TrainingData,
                model: Sequential, loss: Loss, optimizer: Optimizer, plan: TrainingPlan,
                plateau: ReduceOnPlateau?, runDirectory: RunDirectory?) {
        (self.config, self.communicator, self.data, self.model) = (config, communicator, data, model)
        (self.loss, self.optimizer, self.plan, self.plateau, self.runDirectory) = (loss, optimizer, plan, plateau, runDirectory)
        let train = config.train
        state = TrainingState(evalEvery: train.evalEvery, checkpointEvery: train.checkpointEvery,
                              noise: NoiseScaleEstimator(windowSamples: Self.noiseWindowSamples(train, trainingSamples: data.train.count)),
                              earlyStopping: EarlyStopping(criterion: train.earlyStopping))
        state.adaptiveBatch = plan.adaptive?.initialState
        sampler = EpochSampler(sampleCount: data.train.count, seed: config.seed, shuffle: config.data.shuffle,
                               dropLast: config.data.dropLast)
        let gradientNoise = train.gradientNoiseEta > 0
            ? GradientNoise(seed: SplitMix64(keys: config.seed, RandomStream.gradientNoise.rawValue).state,
                            eta: train.gradientNoiseEta, gamma: train.gradientNoiseGamma)
            : nil
        let loader = MicroBatchLoader(dataset: data.train, augmentation: data.augmentation, seed: config.seed,
                                      capacity: config.batch.micro)
        optimizerShard = RunBuilder.optimizerShard(config: config, parameterCount: model.store.count,
                                                   communicator: communicator)
        trainingStep = TrainingStep(model: model, loss: loss, optimizer: optimizer, communicator: communicator,
                                    loader: loader, gradientNoise: gradientNoise, clipNorm: train.clipNorm,
                                    shard: optimizerShard)
        bestWeights = BestWeights(store: model.store, enabled: train.earlyStopping != .none)
        evaluator = Evaluator(model: model, loss: loss, communicator: communicator, batchSize: train.evalBatch)
        log = TrainingLog(runDirectory: runDirectory, communicator: communicator, sampleCount: data.train.count,
                          classifies: data.train.targetWidth == 0, momentum: config.optimizer.momentum)
        startWallTime = communicator.wallTime()
    }

    // MARK: - Running

    /// Trains until `train.epochs` (or `train.max_steps`, early stopping or the observer says
    /// stop), evaluates, and (rank 0) writes `final.safetensors`, the summary and `DONE`.
    @discardableResult
    public func run() throws -> TrainingSummary {
        let abort = JobAbort(communicator: communicator)
        let watchdog = config.train.stallTimeout > 0
            ? Watchdog(timeout: config.train.stallTimeout, label: "rank \(communicator.rank) of \(communicator.worldSize)",
                       onStall: { abort.endJob(code: 3) })
            : nil
        defer { watchdog?.stop() }
        var stopReason: String?
        var lastEvaluation: (progress: Double, result: EvaluationResult)?
        while true {
            let progress = self.progress
            if progress + 1e-12 >= state.nextEvaluation {
                let evaluation = try evaluateAndLog(at: progress)
                lastEvaluation = (progress, evaluation)
                watchdog?.beat()
                while state.nextEvaluation <= progress + 1e-12 { state.nextEvaluation += config.train.evalEvery }
                stopReason = try observeEarlyStopping(evaluation) ?? observer?.trainer(self, stopAfter: evaluation)
                if stopReason != nil { break }
            }
            // After the evaluation due at this point: a run resumed from this checkpoint
            // neither repeats nor loses that evaluation (its line, plateau and early-stopping
            // state are in the checkpoint).
            try checkpointIfDue(progress: progress)
            if scheduleProgress + 1e-12 >= config.train.epochs { break }
            if config.train.maxSteps > 0, state.step >= config.train.maxSteps { break }
            decideBatchIfDue(at: progress)
            let decomposition = try plan.decomposition(at: progress, adaptive: state.adaptiveBatch)
            // nil: the epoch has too few samples left and the next one begins (progress changed).
            guard let batch = sampler.nextBatch(of: decomposition.global, at: &state) else { continue }
            try step(batch, decomposition: decomposition, progress: progress)
            watchdog?.beat()
            stopReason = try observer?.trainer(self, stopAfterStep: state.step)
            if stopReason != nil { break }
        }
        return try finish(stopReason: stopReason, lastEvaluation: lastEvaluation)
    }

    /// The noise-scale window in training samples: `train.noise_window` epochs of N samples
    /// (at least one sample, so the newest measurement always counts).
    static func noiseWindowSamples(_ train: TrainConfig, trainingSamples: Int) -> Int {
        max(Int((train.noiseWindow * Double(trainingSamples)).rounded()), 1)
    }

    /// One optimizer step on `batch`, then what follows it: progress display, step line and
    /// replica check (the checkpoint comes after the evaluation due at the same point, in ``run()``).
    private func step(_ batch: StepBatch, decomposition: BatchDecomposition, progress: Double) throws {
        let measureNoise = config.train.noiseEvery > 0 && state.step % config.train.noiseEvery == 0
            && batch.count == decomposition.global && decomposition.micro < batch.count
        let start = communicator.wallTime()
        let result = try trainingStep.computeGradient(for: batch, decomposition: decomposition, measureNoise: measureNoise,
                                                      trainingSamples: data.train.count, samples: state.samples + batch.count)
        if let measurement = result.noise { state.noise.add(measurement) }
        // After the noise measurement: AdaScale's gain uses this step's estimate.
        let learningRate = self.learningRate(at: progress)
        if result.gradientNorm.isFinite {
            state.badStepsInRow = 0
            try trainingStep.update(learningRate: learningRate, gradientNorm: result.gradientNorm)
        } else {
            try skipNonFiniteStep(learningRate: learningRate)
        }
        trainingStep.timings.wall += communicator.wallTime() - start
        trainingStep.timings.samples += batch.count
        sampler.consume(batch, at: &state)
        if let policy = plan.adaptive, var adaptive = state.adaptiveBatch {
            policy.advanceClock(&adaptive, samples: batch.count, sampleCount: data.train.count,
                                gain: policy.gain(batch: adaptive.batch, noise: state.noise))
            state.adaptiveBatch = adaptive
        }
        state.step += 1
        log.add(result)
        observer?.trainer(self, didStep: progressReport(result, batch: batch, decomposition: decomposition,
                                                        learningRate: learningRate))
        if state.step % config.train.logEvery == 0 {
            try log.logStep(at: position(learningRate: learningRate, batch: batch.count, decomposition: decomposition),
                            gradientNorm: result.gradientNorm, noise: state.noise, skippedSteps: state.skippedSteps,
                            wallSeconds: elapsed, previousWallSeconds: state.previousWallSeconds)
        }
        if config.train.checkReplicasEvery > 0, state.step % config.train.checkReplicasEvery == 0 {
            try checkReplicas()
        }
    }

    /// A non-finite reduced gradient: every rank holds the same one, so every rank skips the
    /// update alike and counts it; too many in a row stop the run (DESIGN §3.8).
    private func skipNonFiniteStep(learningRate: Double) throws {
        state.skippedSteps += 1
        state.badStepsInRow += 1
        if state.badStepsInRow >= config.train.maxBadSteps {
            throw TrainingError.diverged(step: state.step + 1, learningRate: learningRate,
                                         badSteps: state.badStepsInRow, lastCheckpoint: lastCheckpointName)
        }
    }

    /// Evaluates the final weights if the last evaluation was earlier, puts back the best
    /// weights when early stopping stopped the run, and (rank 0) writes the summary line, the
    /// last checkpoint, `final.safetensors` and `DONE`.
    private func finish(stopReason: String?, lastEvaluation: (progress: Double, result: EvaluationResult)?) throws
        -> TrainingSummary {
        let progress = self.progress
        var stopReason = stopReason
        var evaluation = lastEvaluation?.result
        if lastEvaluation?.progress != progress {
            let final = try evaluateAndLog(at: progress)
            evaluation = final
            if stopReason == nil { stopReason = try observeEarlyStopping(final) }
        }
        if stopReason != nil, bestWeights.restore() { evaluation = try evaluate() }
        let summary = TrainingSummary(steps: state.step, samples: state.samples, epochs: progress,
                                      skippedSteps: state.skippedSteps, wallSeconds: elapsed,
                                      evaluation: evaluation, stopReason: stopReason)
        let record = TrainingLog.summaryRecord(summary, position: try position(at: summary.epochs))
        // A run that stopped early (early stopping, a study target, divergence) writes no last
        // checkpoint: its state is spent (best weights restored, the stop taken), and a rerun after a
        // kill before DONE would train on past the stop from it. It replays from the previous
        // checkpoint instead and reaches the same stop, exactly.
        if stopReason == nil { try checkpointIfDue(progress: summary.epochs, force: true) }
        if let runDirectory {
            try runDirectory.log.write(record)
            try runDirectory.writeFinal(store: model.store, metadata: [
                "format": "dptrain", "config": config.resolvedYAMLWithoutOutput, "step": String(state.step),
                "samples": String(state.samples), "epoch": String(summary.epochs),
            ])
            try runDirectory.markDone()
        }
        try communicator.barrier()
        return summary
    }

    // MARK: - Evaluation

    /// Loss and accuracy over every sample of `dataset` exactly once (see ``Evaluator``).
    public func evaluate(_ dataset: Dataset) throws -> (loss: Double, accuracy: Double, count: Int) {
        try evaluator.evaluate(dataset)
    }

    /// Test (and validation) metrics of the current parameters.
    public func evaluate() throws -> EvaluationResult {
        var result = EvaluationResult()
        if let test = data.test { (result.testLoss, result.testAccuracy, _) = try evaluate(test) }
        if let validation = data.validation {
            (result.validationLoss, result.validationAccuracy, _) = try evaluate(validation)
        }
        return result
    }

    /// Evaluates, logs the `eval` line, and feeds reduce-on-plateau the validation loss (never the
    /// test loss: the config requires `data.validation` for the plateau schedule).
    private func evaluateAndLog(at progress: Double) throws -> EvaluationResult {
        let evaluation = try evaluate()
        try log.logEvaluation(evaluation, at: try position(at: progress), wallSeconds: elapsed)
        plateau?.observe(evaluation.validationLoss ?? .nan)
        return evaluation
    }

    /// Early stopping's decision on `evaluation` (nil: go on), announced on rank 0.
    private func observeEarlyStopping(_ evaluation: EvaluationResult) throws -> String? {
        guard let reason = try bestWeights.observe(evaluation, rule: &state.earlyStopping, step: state.step) else {
            return nil
        }
        log.printer?("early stopping: \(reason)")
        return reason
    }

    // MARK: - Where training is

    /// Progress t = e + c/N in epochs.
    var progress: Double { state.progress(sampleCount: data.train.count) }

    /// Training wall seconds, over every resumed segment.
    var elapsed: Double { state.previousWallSeconds + communicator.wallTime() - startWallTime }

    /// The schedule's clock τ at data progress t: t itself, or AdaScale's scale-invariant
    /// clock t − lag (``AdaptiveBatchPolicy``).
    private func scheduleProgress(at progress: Double) -> Double {
        progress - (state.adaptiveBatch?.scheduleLag ?? 0)
    }

    /// τ now.
    var scheduleProgress: Double { scheduleProgress(at: progress) }

    /// η(τ), including reduce-on-plateau's factor and the adaptive batch rule's factor ρ.
    private func learningRate(at progress: Double) -> Double {
        plan.learningRate(progress: scheduleProgress(at: progress), updates: state.step)
            * (plateau?.learningRate(at: 0) ?? 1) * adaptiveLearningRateFactor
    }

    /// ρ(S, r) of the current adaptive batch (1 without `batch.adaptive`).
    private var adaptiveLearningRateFactor: Double {
        guard let policy = plan.adaptive, let adaptive = state.adaptiveBatch else { return 1 }
        return policy.learningRateFactor(batch: adaptive.batch, gain: policy.gain(batch: adaptive.batch, noise: state.noise))
    }

    /// The adaptive batch decision due at progress t, if any, announced on rank 0 when B changes.
    private func decideBatchIfDue(at progress: Double) {
        guard let policy = plan.adaptive, var adaptive = state.adaptiveBatch else { return }
        let before = adaptive.batch
        guard policy.decide(&adaptive, progress: progress, bSimple: state.noise.bSimple) else { return }
        state.adaptiveBatch = adaptive
        if adaptive.batch != before {
            log.printer?("adaptive batch: B \(before) → \(adaptive.batch) at epoch \(Format.fixed(progress, 2))"
                + " (B_simple \(state.noise.bSimple.map { Format.grouped($0) } ?? "-"))")
        }
    }

    /// The first fields of a step line: the step's own η and B (a short batch's real count).
    /// With `batch.adaptive`, also the AdaScale gain r at the current B and (under `adascale`) the
    /// schedule clock τ.
    private func position(learningRate: Double, batch: Int, decomposition: BatchDecomposition) -> [MetricField: Double?] {
        var values: [MetricField: Double?] = [
            .step: Double(state.step), .samples: Double(state.samples), .epoch: progress, .lr: learningRate,
            .batch: Double(batch), .accumulation: Double(decomposition.accumulation), .world: Double(decomposition.worldSize)]
        if let policy = plan.adaptive, let adaptive = state.adaptiveBatch {
            values[.adascaleGain] = policy.gain(batch: adaptive.batch, noise: state.noise)
            if policy.learningRate.usesScaleInvariantClock { values[.scheduleEpoch] = scheduleProgress }
        }
        return values
    }

    /// The first fields of an eval or summary line at `progress`: the plan's η and B there.
    private func position(at progress: Double) throws -> [MetricField: Double?] {
        let decomposition = try plan.decomposition(at: min(progress, config.train.epochs), adaptive: state.adaptiveBatch)
        var values = position(learningRate: learningRate(at: progress), batch: decomposition.global,
                              decomposition: decomposition)
        values[.epoch] = progress
        return values
    }

    private func progressReport(_ result: TrainingStep.Result, batch: StepBatch, decomposition: BatchDecomposition,
                                learningRate: Double) -> StepProgress {
        let sampleCount = data.train.count
        return StepProgress(step: state.step, epoch: state.epoch, epochFraction: Double(state.cursor) / Double(sampleCount),
                            totalEpochs: config.train.epochs, stepInEpoch: state.cursor / max(batch.count, 1),
                            stepsPerEpoch: sampleCount / decomposition.global,
                            loss: result.lossSum / Double(max(result.count, 1)), learningRate: learningRate,
                            batch: batch.count, accumulation: decomposition.accumulation, seconds: elapsed,
                            rankSamples: result.count)
    }

    // MARK: - Checkpoints and safety checks

    /// Writes a checkpoint (rank 0) when progress has reached the next checkpoint point.
    private func checkpointIfDue(progress: Double, force: Bool = false) throws {
        guard force || progress + 1e-12 >= state.nextCheckpoint else { return }
        while state.nextCheckpoint <= progress + 1e-12 { state.nextCheckpoint += config.train.checkpointEvery }
        // With a sharded update every rank takes part in gathering the optimizer state.
        guard runDirectory != nil || optimizerShard != nil else { return }
        let checkpoint = try makeCheckpoint()
        if let runDirectory {
            lastCheckpointName = try runDirectory.writeCheckpoint(checkpoint, step: state.step,
                                                                  keep: config.train.checkpointKeep)
        }
    }

    /// All-reduces a parameter checksum (max and min) and fails when replicas differ (DESIGN §3.4).
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

    /// Continues the wall clock of a restored run from now.
    func restartWallClock() { startWallTime = communicator.wallTime() }
}
