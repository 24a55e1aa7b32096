/// The work of one optimizer step on this rank, in the order of the contract (DESIGN §3.1–3.2,
/// §3.7, §3.8):
///
///     ∇ ← 0                               (or the first micro-step writes ∇, β = 0, when every layer can)
///     [synchronized batch norm: statistics passes over this rank's K micro-batches]
///     for k in 0 ..< K:  x, y ← slot r·K + k ;  ∇ += ∂(Σ ℓ(f(x), y))/∂θ · 1/B
///     all-reduce(∇)                       (sum over ranks: ∇ is the mean gradient of the B samples)
///     |∇|², and with the noise estimate Σ_i n_i|g_i|² over all W·K micro-batch gradients g_i
///     (one scalar all-reduce; ``MicroBatchGradientNorms``)
///   then, only when |∇|² is finite (every rank holds the same ∇, so every rank decides alike):
///     clip, gradient noise, batch-norm running statistics, θ ← optimizer(θ, ∇; η)
///
/// With a sharded optimizer update (``shard``, W > 1 and `train.shard_optimizer`), rank r
/// keeps only block r of the reduced gradient and updates only block r of θ (ZeRO stage 1/2):
///
///     ∇_r ← reduce-scatter(∇)              (block r of the sum; half an all-reduce's traffic)
///     |∇|² = Σ_r |∇_r|²                    (rides on the scalar all-reduce)
///     clip ∇_r by |∇|, noise of elements in block r, θ_r ← optimizer(θ_r, ∇_r; η)
///     θ ← all-gather(θ_r)                  (the other half)
///
/// The optimizer state is then 1/W per rank; per-tensor sums (LARS, LAMB) are completed over
/// the ranks by the optimizer (``OptimizerShard``), and the noise of an element depends only on
/// its index, so both paths compute the same update.
///
/// ``computeGradient(for:decomposition:measureNoise:noise:)`` does the part up to the norm and
/// ``update(learningRate:gradientNorm:)`` the rest; the ``Trainer`` takes the finite-check
/// decision between them. Each phase's time is added to ``timings``.
final class TrainingStep {
    let model: Sequential
    let loss: Loss
    let optimizer: Optimizer
    let communicator: Communicator
    let loader: MicroBatchLoader
    /// Drives the model's batch-norm layers through the step (a no-op without BN layers).
    let batchNorms: BatchNormSynchronizer
    let gradientNoise: GradientNoise?
    /// Maximum global gradient norm (0 = no clipping).
    let clipNorm: Double
    /// This rank's block of a sharded optimizer update (the optimizer is built for
    /// `shard.range.count` parameters), or nil: all-reduce and the whole update on every rank.
    let shard: ParameterShard?
    /// Seconds per phase on this rank, summed over steps.
    var timings = StepTimings()
    private let gradientBuffer = FloatBuffer()
    /// The micro-batch gradients' squared norms of a noise-measurement step.
    private let microBatchNorms = MicroBatchGradientNorms()
    /// Block ``shard`` of the reduced gradient (unused without a shard).
    private let shardGradients: UnsafeMutableBufferPointer<Float>

    /// What the gradient part of a step measured on this rank (loss sums are local until logged).
    struct Result {
        var lossSum = 0.0
        var correct = 0
        var count = 0
        /// |∇| of the reduced gradient (identical on every rank; NaN or ∞ when not finite).
        var gradientNorm = 0.0
        /// The noise-scale measurement, on a measurement step whose B holds more than one micro-batch.
        var noise: NoiseScaleEstimator.Measurement?
    }

    init(model: Sequential, loss: Loss, optimizer: Optimizer, communicator: Communicator,
         loader: MicroBatchLoader, gradientNoise: GradientNoise?, clipNorm: Double, shard: ParameterShard?) {
        self.model = model
        self.loss = loss
        self.optimizer = optimizer
        self.communicator = communicator
        self.loader = loader
        self.batchNorms = BatchNormSynchronizer(model: model)
        self.gradientNoise = gradientNoise
        self.clipNorm = clipNorm
        self.shard = shard
        shardGradients = ParameterStore.allocate(shard?.range.count ?? 0)
    }

    deinit { shardGradients.baseAddress?.deallocate() }

    /// The reduced gradient this rank updates from: block ``shard`` or the whole store's.
    private var reducedGradients: (range: Range<Int>, pointer: UnsafeMutablePointer<Float>) {
        if let shard { return (shard.range, shardGradients.baseAddress!) }
        return (0..<model.store.count, model.store.gradients.baseAddress!)
    }

    /// Zeroes ∇, accumulates this rank's K micro-batches of `batch` into it and all-reduces it
    /// (reduce-scatters it with a shard); with `measureNoise`, also returns the step's noise-scale
    /// measurement in ``Result/noise`` (DESIGN §3.7), `trainingSamples` being N and `samples`
    /// its position.
    func computeGradient(for batch: StepBatch, decomposition: BatchDecomposition, measureNoise: Bool,
                         trainingSamples: Int = 0, samples: Int = 0) throws -> Result {
        let store = model.store
        var clock = PhaseClock(clock: communicator.wallTime)
        // The first micro-step writes ∇ (β = 0) when every layer can; else ∇ ← 0 first.
        let overwrites = model.overwritesParameterGradients
        if !overwrites { store.zeroGradients() }
        try runStatisticsPasses(batch, decomposition: decomposition)
        let scale = Float(1.0 / Double(batch.count))
        let firstSlot = communicator.rank * decomposition.accumulation
        var result = Result()
        if measureNoise { microBatchNorms.begin() }
        for micro in 0..<decomposition.accumulation {
            let range = batch.slot(firstSlot + micro, micro: decomposition.micro)
            if range.isEmpty { continue }
            let (input, targets, loaded) = loader.load(range, of: batch)
            var context = loaded
            context.accumulatesGradients = !overwrites || result.count > 0
            clock.lap(\.data, into: &timings)
            let output = model.forward(input, context: context)
            let gradient = gradientBuffer.matrix(rows: range.count, columns: output.columns)
            let lossResult = loss.evaluate(output: output, targets: targets, gradient: gradient, scale: scale)
            clock.lap(\.forward, into: &timings)
            model.backward(gradient, context: context)
            clock.lap(\.backward, into: &timings)
            result.lossSum += lossResult.sum
            result.correct += lossResult.correct
            result.count += range.count
            if measureNoise {
                microBatchNorms.record(gradients: store.gradients, rows: range.count, batch: batch.count,
                                       first: result.count == range.count, more: micro + 1 < decomposition.accumulation)
            }
            clock.skip()
        }
        if overwrites && result.count == 0 { store.zeroGradients() }  // no micro-step wrote ∇
        if let shard {
            try communicator.reduceScatterSum(UnsafeBufferPointer(store.gradients), into: shardGradients,
                                              counts: shard.counts)
        } else {
            try communicator.allReduceSum(store.gradients)
        }
        clock.lap(\.communication, into: &timings)
        let reduced = reducedGradients
        var normSquared = VectorMath.sumOfSquares(reduced.pointer, count: reduced.range.count)
        // One scalar all-reduce: the blocks' |∇_r|² (sharded) and the noise measurement's
        // Σ n_i|g_i|² and micro-batch count M.
        var scalars: [Double] = shard == nil ? [] : [normSquared]
        if measureNoise { scalars += [microBatchNorms.weightedNormSquaredSum, Double(microBatchNorms.count)] }
        if !scalars.isEmpty { try communicator.allReduceSum(&scalars) }
        if shard != nil { normSquared = scalars.removeFirst() }
        result.gradientNorm = normSquared.squareRoot()
        if measureNoise {
            result.noise = NoiseScaleEstimator.Measurement(
                microBatchNormSquaredSum: scalars[0], microBatchCount: Int(scalars[1]), bigNormSquared: normSquared,
                bigBatch: batch.count, trainingSamples: trainingSamples, samples: samples)
        }
        clock.lap(\.optimizer, into: &timings)
        return result
    }

    /// Applies the reduced gradient, whose global norm ``computeGradient(for:decomposition:measureNoise:noise:)``
    /// measured as `gradientNorm`: clipping, gradient noise, the batch-norm running statistics
    /// of the global batch, then the optimizer at learning rate η (on this rank's block and an
    /// all-gather of θ with a shard).
    func update(learningRate: Double, gradientNorm: Double) throws {
        let store = model.store
        var clock = PhaseClock(clock: communicator.wallTime)
        let reduced = reducedGradients
        if clipNorm > 0 {
            GradientClipping.clip(reduced.pointer, count: reduced.range.count, norm: gradientNorm,
                                  maxNorm: Float(clipNorm))
        }
        gradientNoise?.apply(to: reduced.pointer, range: reduced.range, updateCount: optimizer.stepCount)
        // BN running statistics from the global batch (one small all-reduce), and their
        // gradient slots back to zero (gradient noise touches every element).
        try batchNorms.finishStep(communicator: communicator)
        if shard != nil {
            for slice in store.slices where slice.role == .runningStatistic {
                let first = max(slice.offset, reduced.range.lowerBound)
                let end = min(slice.range.upperBound, reduced.range.upperBound)
                if first < end {
                    (reduced.pointer + (first - reduced.range.lowerBound)).update(repeating: 0, count: end - first)
                }
            }
        }
        try optimizer.step(store: store, learningRate: Float(learningRate),
                           shard: OptimizerShard(range: reduced.range, gradients: UnsafePointer(reduced.pointer),
                                                 communicator: shard == nil ? nil : communicator))
        clock.lap(\.optimizer, into: &timings)
        if let shard {
            try communicator.allGather(store.values, counts: shard.counts)
            clock.lap(\.communication, into: &timings)
        }
        timings.steps += 1
    }

    /// Synchronized batch norm: the statistics passes over this step's micro-batches (none for
    /// ghost batch norm), then the layers are set up for the K micro-steps that count.
    private func runStatisticsPasses(_ batch: StepBatch, decomposition: BatchDecomposition) throws {
        guard batchNorms.isActive else { return }
        let store = model.store
        let scale = Float(1.0 / Double(batch.count))
        let firstSlot = communicator.rank * decomposition.accumulation
        batchNorms.beginStep()
        for pass in 0..<batchNorms.statisticsPassCount {
            batchNorms.beginStatisticsPass(pass)
            let needsBackward = batchNorms.statisticsPassNeedsBackward(pass)
            for micro in 0..<decomposition.accumulation {
                let range = batch.slot(firstSlot + micro, micro: decomposition.micro)
                if range.isEmpty { continue }
                let (input, targets, context) = loader.load(range, of: batch)
                let output = model.forward(input, context: context)
                guard needsBackward else { continue }
                let gradient = gradientBuffer.matrix(rows: range.count, columns: output.columns)
                _ = loss.evaluate(output: output, targets: targets, gradient: gradient, scale: scale)
                model.backward(gradient, context: context)
            }
            try batchNorms.endStatisticsPass(pass, communicator: communicator)
        }
        if batchNorms.statisticsPassCount > 0 { store.zeroGradients() }
        batchNorms.beginFinalPass()
    }
}
