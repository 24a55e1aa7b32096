/// The batch size and learning rate as functions of training progress (DESIGN §3.5–3.6).
///
/// Progress t is the position in the data stream in epochs: t = e + c/N after c samples of
/// epoch e. The batch is B(t) = B₀·Π{fᵢ : tᵢ ≤ t} (batch-size milestones), split as
/// B = W·K·m with K derived per phase. The learning rate is
///
///     η(t) = η_base · s(B_ref) · φ(t)
///
/// where s is the scaling rule (none: 1; linear: B/B_base; sqrt: √(B/B_base)), B_ref is B₀
/// (or the current B when `batch.rescale_lr` is true), and φ is the LR schedule written as a
/// multiplier (φ = 1 for constant), with its warmup. Schedules configured with
/// `unit: updates` read the update count instead of t.
///
/// With `batch.adaptive` there is one phase (B₀) and B follows the noise scale instead
/// (``adaptive``; the trainer keeps the current B in ``AdaptiveBatchState``).
public struct TrainingPlan {
    /// Training samples N.
    public let sampleCount: Int
    /// W, ranks.
    public let worldSize: Int
    /// `batch:` — B₀, m and the batch-size milestones.
    public let batch: BatchConfig
    /// B = W·K·m for each batch phase (phase 0 before the first milestone).
    public let phases: [BatchDecomposition]
    /// η_base: the configured `optimizer.lr` for the base batch.
    public let baseLearningRate: Double
    /// s: how η scales with B.
    public let scaleRule: ScalingRule
    /// B_base, the batch `optimizer.lr` is given for.
    public let baseBatch: Int
    /// φ: the schedule multiplier, including warmup.
    public let schedule: LearningRateSchedule
    /// True when the schedule reads updates rather than epochs.
    public let scheduleInUpdates: Bool
    /// The adaptive batch rule (`batch.adaptive`), checked for this W and N, or nil.
    public let adaptive: AdaptiveBatchPolicy?

    /// A plan; throws when a phase's B exceeds N or does not split into W × K × m.
    public init(sampleCount: Int, worldSize: Int, batch: BatchConfig, baseLearningRate: Double,
                scaleRule: ScalingRule, baseBatch: Int, schedule: LearningRateSchedule,
                scheduleInUpdates: Bool) throws {
        self.sampleCount = sampleCount
        self.worldSize = worldSize
        self.batch = batch
        self.baseLearningRate = baseLearningRate
        self.scaleRule = scaleRule
        self.baseBatch = baseBatch
        self.schedule = schedule
        self.scheduleInUpdates = scheduleInUpdates
        var phases: [BatchDecomposition] = []
        for global in batch.phaseBatches {
            guard global <= sampleCount else {
                throw BatchError.globalExceedsDataset(global: global, samples: sampleCount)
            }
            phases.append(try BatchDecomposition(global: global, worldSize: worldSize, micro: batch.micro))
        }
        self.phases = phases
        adaptive = try batch.adaptive.map {
            try AdaptiveBatchPolicy(config: $0, baseBatch: batch.global, worldSize: worldSize, micro: batch.micro,
                                    sampleCount: sampleCount)
        }
    }

    /// Index of the batch phase at progress t (epochs).
    public func phase(at progress: Double) -> Int {
        batch.schedule.lastIndex(where: { $0.epoch <= progress + 1e-12 }).map { $0 + 1 } ?? 0
    }

    /// B = W·K·m at progress t.
    public func decomposition(at progress: Double) -> BatchDecomposition { phases[phase(at: progress)] }

    /// B = W·K·m at progress t, or the adaptive rule's current batch when `adaptive` is given
    /// (a multiple of W·m by ``AdaptiveBatchPolicy``'s checks, unless a checkpoint of another
    /// config says otherwise: then this throws ``BatchError/notDivisible(global:worldSize:micro:suggestions:)``).
    public func decomposition(at progress: Double, adaptive: AdaptiveBatchState?) throws -> BatchDecomposition {
        guard let adaptive else { return decomposition(at: progress) }
        return try BatchDecomposition(global: adaptive.batch, worldSize: worldSize, micro: batch.micro)
    }

    /// s(B): 1, B/B_base or √(B/B_base).
    public func scale(forBatch global: Int) -> Double {
        scaleRule.scale(forBatch: global, baseBatch: baseBatch)
    }

    /// η at progress t (epochs) after `updates` optimizer updates.
    public func learningRate(progress: Double, updates: Int) -> Double {
        let reference = batch.rescaleLearningRate ? decomposition(at: progress).global : phases[0].global
        let time = scheduleInUpdates ? Double(updates) : progress
        return baseLearningRate * scale(forBatch: reference) * schedule.learningRate(at: time)
    }
}
