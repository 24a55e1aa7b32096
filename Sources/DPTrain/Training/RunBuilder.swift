import Foundation

/// Everything a run needs, built from a ``TrainingConfig`` on every rank: prepared data, the
/// model (initialised from the seed or `model.init_from`, then broadcast from rank 0 so
/// replicas start identical — DESIGN §3.4), the loss, the optimizer and the batch/LR plan.
public final class RunBuilder {
    /// The validated config.
    public let config: TrainingConfig
    /// The job's communicator (rank 0 broadcasts the initial parameters over it).
    public let communicator: Communicator
    /// Prepared data: normalised splits and augmentation.
    public let data: TrainingData
    /// The model, initialised identically on every rank.
    public let model: Sequential
    /// The config's loss.
    public let loss: Loss
    /// The config's optimizer, sized for the model's parameters.
    public let optimizer: Optimizer
    /// How the ranks exchange ∇ and θ: through node-shared memory or MPI messages (and why).
    public let exchange: ExchangePath
    /// Reduce-on-plateau, when that is the LR schedule (it watches evaluations).
    public let plateau: ReduceOnPlateau?
    /// φ(t) with warmup, for ``makePlan()``.
    private let schedule: LearningRateSchedule

    /// Builds everything on every rank; throws typed errors for data, model or batch problems.
    public init(config: TrainingConfig, communicator: Communicator) throws {
        self.config = config
        self.communicator = communicator
        // The model's output width is the class count the label files are checked against; data
        // problems are still reported before model problems.
        let built = Result { try ModelBuilder.build(layers: config.layers, inputShape: config.inputShape) }
        let loss = LossCatalog.loss(named: config.loss)!
        self.loss = loss
        let classCount = (try? built.get()).flatMap { RunBuilder.classCount(config: config, model: $0, loss: loss) }
        data = try DataPreparation.load(config.data, seed: config.seed, classCount: classCount,
                                        sampleSize: config.inputShape.reduce(1, *),
                                        cacheDirectory: StoreCache.directory(data: config.data, output: config.output))
        model = try built.get()
        try RunBuilder.checkCompatibility(config: config, data: data, model: model)

        model.initializeParameters(seed: config.seed)
        if let file = config.initFrom {
            if communicator.isRoot {
                try SafeTensors.read(from: URL(fileURLWithPath: file)).load(into: model.store, file: file)
            }
        }
        try communicator.broadcast(model.store.values, root: 0)

        // Sharded: the optimizer holds (and updates) only this rank's block.
        let shard = RunBuilder.optimizerShard(config: config, parameterCount: model.store.count,
                                              communicator: communicator)
        exchange = try RunBuilder.placeBuffers(of: model.store, config: config, sharded: shard != nil,
                                               communicator: communicator)
        optimizer = config.optimizer.makeOptimizer(parameterCount: shard?.range.count ?? model.store.count)
        let (schedule, plateau) = RunBuilder.makeSchedule(config: config, sampleCount: data.train.count)
        self.schedule = schedule
        self.plateau = plateau
    }

    /// φ(t) with warmup for `config` on N = `sampleCount` training samples (a schedule in
    /// updates is `train.epochs` × ⌊N/B⌋ long), and its reduce-on-plateau part if any.
    static func makeSchedule(config: TrainingConfig, sampleCount: Int) -> (LearningRateSchedule, ReduceOnPlateau?) {
        let inUpdates = config.schedule.unit == .updates
        let length = inUpdates
            ? config.train.epochs * Double(sampleCount / config.batch.global)
            : config.train.epochs
        // Goyal et al. 2017: without a start factor, warm up from the unscaled base LR to the scaled one.
        let startScale = config.schedule.warmupStartFactor
            ?? config.schedule.scaleRule.warmupStartFactor(forBatch: config.batch.global, baseBatch: config.schedule.baseBatch)
        return ScheduleFactory.make(config.schedule, length: length, warmupStart: startScale)
    }

    /// The batch and LR plan for this world size; throws when a batch does not split into
    /// W × K × m (checked for training only: evaluation works for any W).
    public func makePlan() throws -> TrainingPlan {
        try RunBuilder.makePlan(config: config, schedule: schedule, sampleCount: data.train.count,
                                worldSize: communicator.worldSize)
    }

    /// The batch and LR plan of `config` for N = `sampleCount` training samples on W =
    /// `worldSize` ranks, without loading data or building the model (checks a config's batch
    /// phases split into W × K × m, as a study's `--dry-run` and its tests do).
    public static func makePlan(config: TrainingConfig, sampleCount: Int, worldSize: Int) throws -> TrainingPlan {
        try makePlan(config: config, schedule: makeSchedule(config: config, sampleCount: sampleCount).0,
                     sampleCount: sampleCount, worldSize: worldSize)
    }

    private static func makePlan(config: TrainingConfig, schedule: LearningRateSchedule, sampleCount: Int,
                                 worldSize: Int) throws -> TrainingPlan {
        try TrainingPlan(sampleCount: sampleCount, worldSize: worldSize, batch: config.batch,
                         baseLearningRate: config.optimizer.learningRate, scaleRule: config.schedule.scaleRule,
                         baseBatch: config.schedule.baseBatch, schedule: schedule,
                         scheduleInUpdates: config.schedule.unit == .updates)
    }

    /// This rank's block of the sharded optimizer update: with `train.shard_optimizer` and
    /// W > 1, the ``ParameterShard`` of P = `parameterCount` over the ranks; nil otherwise (the
    /// whole update on every rank). The run's optimizer is built for `range.count` parameters.
    public static func optimizerShard(config: TrainingConfig, parameterCount: Int,
                                      communicator: Communicator) -> ParameterShard? {
        guard config.train.shardOptimizer, communicator.worldSize > 1 else { return nil }
        return ParameterShard(parameterCount: parameterCount, rank: communicator.rank,
                              worldSize: communicator.worldSize)
    }

    /// Moves θ and ∇ of `store` into node-shared memory when that serves the exchange (W > 1,
    /// the sharded update, `train.shared_memory`), and says which path the ranks will use.
    static func placeBuffers(of store: ParameterStore, config: TrainingConfig, sharded: Bool,
                             communicator: Communicator) throws -> ExchangePath {
        guard communicator.worldSize > 1 else { return .none }
        guard config.train.sharedMemory else { return .messages(reason: "train.shared_memory: false") }
        guard sharded else {
            return .messages(reason: "train.shard_optimizer: false, the all-reduce has no shared-memory path")
        }
        return try store.moveToSharedMemory(communicator: communicator)
    }

    /// Evaluation of this model on any dataset, exact for any number of ranks.
    public func makeEvaluator() -> Evaluator {
        Evaluator(model: model, loss: loss, communicator: communicator, batchSize: config.train.evalBatch)
    }

    /// The number of classes the model outputs — its output width, or 2 for a single output
    /// under a binary loss — for the label files of `idx`, `npy` and `csv` data (a label outside
    /// is then named with its file and sample); nil for regression losses and for built-in
    /// datasets whose class count is fixed (Fashion-MNIST, synthetic data).
    static func classCount(config: TrainingConfig, model: Sequential, loss: Loss) -> Int? {
        switch config.data.dataset {
        case .idx, .npy, .csv: break
        default: return nil
        }
        if loss is MeanSquaredError || loss is MeanAbsoluteError { return nil }
        let outputs = model.outputShape.reduce(1, *)
        let binaryLoss = loss is BinaryCrossEntropy || loss is BinaryCrossEntropyWithLogits
        return binaryLoss && outputs == 1 ? 2 : outputs
    }

    /// Checks that the model's input and output fit the data and the loss.
    static func checkCompatibility(config: TrainingConfig, data: TrainingData, model: Sequential) throws {
        let inputSize = config.inputShape.reduce(1, *)
        guard inputSize == data.train.featureCount else {
            throw TrainingError.modelDataMismatch(
                "model.input \(config.inputShape) has \(inputSize) values per sample, but the data's samples have shape "
                + "\(data.train.sampleShape) (\(data.train.featureCount) values); set model.input: \(data.train.sampleShape)")
        }
        let outputs = model.outputShape.reduce(1, *)
        let loss = LossCatalog.loss(named: config.loss)!
        if data.train.targetWidth > 0 {
            let regressionLoss = loss is MeanSquaredError || loss is MeanAbsoluteError
            guard outputs == data.train.targetWidth, regressionLoss else {
                throw TrainingError.modelDataMismatch(
                    "the data has \(data.train.targetWidth) regression target(s): the last layer needs "
                    + "\(data.train.targetWidth) output(s) (it has \(outputs)) and the loss must be mse or mae (it is \(config.loss))")
            }
        } else {
            let classes = data.train.classCount
            let binaryLoss = loss is BinaryCrossEntropy || loss is BinaryCrossEntropyWithLogits
            let binary = binaryLoss && outputs == 1 && classes <= 2
            guard outputs == classes || binary else {
                throw TrainingError.modelDataMismatch(
                    "the data has \(classes) classes but the last layer has \(outputs) outputs; "
                    + "end model.layers with {dense: \(classes)}")
            }
        }
    }

    /// A trainer for this run. Rank 0 writes the run directory when `writeRunDirectory`.
    /// With `resume`, continues from the newest valid checkpoint of the run directory (read
    /// by rank 0 and broadcast, so other hosts need no shared file system).
    /// Test-only step faults (`DPTRAIN_FAULT`) wrap the trainer's communicator.
    public func makeTrainer(writeRunDirectory: Bool, resume: ResumePoint? = nil) throws -> Trainer {
        let directory = writeRunDirectory
            ? try RunDirectory(path: config.output, resolvedConfig: config.resolvedYAML, resume: resume != nil,
                               resumedAfter: resume.map { ($0.checkpoint.header.state.step, $0.checkpoint.header.state.samples) })
            : nil
        let communicator = FaultInjection.fromEnvironment()
            .wrapping(communicator, firstStep: resume?.checkpoint.header.state.step ?? 0)
        let trainer = Trainer(config: config, communicator: communicator, data: data, model: model, loss: loss,
                              optimizer: optimizer, plan: try makePlan(), plateau: plateau, runDirectory: directory)
        if let resume {
            try resume.checkpoint.validate(against: model.store, optimizer: optimizer, file: resume.file)
            trainer.restore(from: resume.checkpoint)
            trainer.lastCheckpointName = resume.file
        }
        return trainer
    }

    /// Lines describing the data, model and batch plan (for the banner).
    public func describe() throws -> [String] {
        let plan = try makePlan()
        let train = data.train
        var lines: [String] = []
        var dataLine = "data: \(config.data.dataset) | \(train.count) train"
        if let validation = data.validation { dataLine += " / \(validation.count) validation" }
        if let test = data.test { dataLine += " / \(test.count) test" }
        dataLine += " | sample shape \(train.sampleShape) | normalisation \(data.normalizationSummary)"
        if let augmentation = data.augmentation {
            dataLine += " | augmentation shift \(augmentation.shift) flip \(augmentation.flip) noise \(augmentation.noise)"
        }
        lines.append(dataLine)
        let layers = model.layers.map { "\($0.name) \($0.outputShape)" }.joined(separator: " → ")
        lines.append("model: \(config.inputShape) → \(layers) | \(Format.grouped(Double(model.parameterCount))) parameters")
        for (index, phase) in plan.phases.enumerated() {
            let start = index == 0 ? 0 : config.batch.schedule[index - 1].epoch
            let stepsPerEpoch = train.count / phase.global
            lines.append("batch from epoch \(Format.fixed(start, 2)): \(phase) | \(stepsPerEpoch) steps per epoch"
                + " | lr \(Format.significant(plan.learningRate(progress: start + (config.schedule.warmup > 0 && index == 0 ? config.schedule.warmup : 0), updates: 0)))")
        }
        if let adaptive = plan.adaptive {
            lines.append("adaptive batch: every \(Format.significant(adaptive.every)) epochs B ← the largest multiple of "
                + "\(adaptive.multipleOf) ≤ \(Format.significant(adaptive.factor)) × B_simple in [\(adaptive.minimum), "
                + "\(adaptive.maximum)], never decreasing | lr: \(adaptive.learningRate)"
                + (adaptive.learningRate.usesScaleInvariantClock ? " (schedule on the scale-invariant clock)" : ""))
        }
        lines.append("optimizer: \(optimizer.name) | loss: \(loss.name) | schedule: \(config.schedule.name)"
            + (config.schedule.warmup > 0 ? " with \(Format.significant(config.schedule.warmup)) \(config.schedule.unit) warmup" : "")
            + " | scaling \(config.schedule.scaleRule) (base batch \(config.schedule.baseBatch))")
        return lines
    }
}
