/// Measures the gradient noise scale of a model at its current weights over every batch of b
/// samples of one epoch (``ExactNoiseScale`` gives the formulas), distributed over the ranks.
///
/// Each batch's gradient g_j is computed exactly as a training step computes it (one rank's
/// ``TrainingStep`` gradient part with W = 1 and K = b/m): the samples π_e[j·b ..< (j+1)·b] of
/// epoch e's order, training-mode forward passes with the dropout masks and augmentation of
/// (seed, e, sample), batch norm as configured, each sample's loss gradient scaled by 1/b, and
/// accumulation over micro-batches of m (DESIGN §3.2–3.3). Clipping, gradient noise and weight
/// decay belong to the update, not to g_j, as for the online estimate. Rank r computes the
/// batches j ≡ r (mod W) and keeps Σ_j g_j (Double) [P] and Σ_j |g_j|²; one all-reduce of each
/// at the end gives every rank the result, so W changes only the summation order.
public enum NoiseScaleMeasurement {
    /// The noise scale of `builder`'s model at its current parameters (load them first).
    /// Collective: every rank calls it with the same arguments.
    /// - Parameters:
    ///   - builder: the run's model, loss, data and config (its communicator spreads the batches).
    ///   - batch: b; at most m (`batch.micro`) or a multiple of it, and at most N/2.
    ///   - epoch: e, whose order, masks and augmentation are used (≥ 0).
    public static func measure(_ builder: RunBuilder, batch: Int, epoch: Int) throws -> ExactNoiseScale {
        let config = builder.config, model = builder.model, communicator = builder.communicator
        let sampleCount = builder.data.train.count
        guard batch >= 1 else { throw NoiseScaleError.invalid("--batch \(batch) must be at least 1") }
        guard epoch >= 0 else { throw NoiseScaleError.invalid("--epoch \(epoch) must be at least 0") }
        let micro = min(config.batch.micro, batch)
        guard batch % micro == 0 else {
            let below = batch / micro * micro
            throw NoiseScaleError.batchNotMultipleOfMicro(batch: batch, micro: micro, suggestions: [below, below + micro])
        }
        let batchCount = sampleCount / batch
        guard batchCount >= 2 else { throw NoiseScaleError.tooFewBatches(batch: batch, samples: sampleCount) }

        let decomposition = try BatchDecomposition(global: batch, worldSize: 1, micro: micro)
        let step = TrainingStep(model: model, loss: builder.loss, optimizer: builder.optimizer,
                                communicator: LocalCommunicator(),
                                loader: MicroBatchLoader(dataset: builder.data.train, augmentation: builder.data.augmentation,
                                                         seed: config.seed, capacity: micro),
                                gradientNoise: nil, clipNorm: 0, shard: nil)
        let order = EpochSampler.permutation(count: sampleCount, seed: config.seed, epoch: epoch, shuffle: config.data.shuffle)
        let store = model.store
        let count = store.count
        var gradientSum = [Double](repeating: 0, count: count)
        var sums = [0.0]  // Σ_j |g_j|²
        for index in stride(from: communicator.rank, to: batchCount, by: communicator.worldSize) {
            let samples = StepBatch(epoch: epoch, start: index * batch, count: batch, order: order)
            _ = try step.computeGradient(for: samples, decomposition: decomposition, measureNoise: false)
            let gradients = store.gradients.baseAddress!
            sums[0] += VectorMath.sumOfSquares(gradients, count: count)
            gradientSum.withUnsafeMutableBufferPointer { sum in
                for element in 0..<count { sum[element] += Double(gradients[element]) }
            }
        }
        try communicator.allReduceSum(&gradientSum)
        try communicator.allReduceSum(&sums)
        let n = Double(batchCount)
        let meanSquared = gradientSum.reduce(0) { $0 + ($1 / n) * ($1 / n) }
        return ExactNoiseScale(batch: batch, batchCount: batchCount, epoch: epoch, trainingSamples: sampleCount,
                               sumOfSquaredNorms: sums[0], meanGradientSquared: meanSquared)
    }
}
