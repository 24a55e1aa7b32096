/// The adaptive batch rule of a run (`batch.adaptive`, ``AdaptiveBatchConfig``) with its bounds
/// checked for this world size and training set: which B to use, and the learning-rate factor
/// and schedule clock that go with it.
///
/// Decision, every `every` epochs of data progress t (first at t = `every`):
///
///     B ← max(B, clamp(⌊factor · B_simple / g⌋ · g, min, max))      g = multiple_of
///
/// i.e. the largest multiple of g ≤ factor × the smoothed B_simple, within [min, max], never
/// decreasing; no estimate yet (or a non-finite or non-positive one) keeps B. B_simple is the
/// noise-scale estimator's ratio of window means, built from all-reduced values only, so every rank takes
/// the same decision, and it is a function of (seed, data, config): the same for every W×K with
/// the same micro-batch m (up to float summation order).
///
/// Learning rate and clock (``AdaptiveLearningRate``): with S = B/B₀ and the AdaScale gain
/// r (``AdaScaleGain``), the LR is multiplied by ρ(S, r); under `adascale` the schedule reads
/// τ = t − lag, where each update of B samples adds (1 − r/S)·B/N to the lag, so τ advances by
/// r·B₀/N — r base-batch updates — per update (Johnson et al. 2020's scale-invariant
/// iterations). At S = 1, r = 1 exactly and τ = t. Epoch tails dropped by `data.drop_last`
/// advance τ like t (at most B − 1 samples per epoch).
///
/// All functions are pure (state in, state out), so the trainer, a resumed run and the tests
/// take the same decisions.
public struct AdaptiveBatchPolicy: Equatable, Sendable {
    /// B₀ = `batch.global`: the batch at the start and the one the LR schedule is written for.
    public let baseBatch: Int
    /// The target is `factor` × B_simple.
    public let factor: Double
    /// Smallest batch a decision chooses (a multiple of ``multipleOf``).
    public let minimum: Int
    /// Largest batch (a multiple of ``multipleOf``, ≤ N).
    public let maximum: Int
    /// g: every chosen batch is a multiple of it (and it of W·m).
    public let multipleOf: Int
    /// Epochs between decisions.
    public let every: Double
    /// How the LR follows B.
    public let learningRate: AdaptiveLearningRate

    /// The policy of `config` for B₀ = `baseBatch` on W = `worldSize` ranks with micro-batch m =
    /// `micro` and N = `sampleCount` training samples; throws when g is not a multiple of W·m or
    /// the bounds do not fit N.
    public init(config: AdaptiveBatchConfig, baseBatch: Int, worldSize: Int, micro: Int, sampleCount: Int) throws {
        guard config.multipleOf % (worldSize * micro) == 0 else {
            throw AdaptiveBatchError.gridNotDivisible(multipleOf: config.multipleOf, worldSize: worldSize, micro: micro)
        }
        if let maximum = config.maximum, maximum > sampleCount {
            throw AdaptiveBatchError.maximumExceedsDataset(maximum: maximum, samples: sampleCount)
        }
        let maximum = config.maximum ?? sampleCount / config.multipleOf * config.multipleOf
        guard config.minimum <= maximum else {
            throw AdaptiveBatchError.emptyRange(minimum: config.minimum, maximum: maximum,
                                                multipleOf: config.multipleOf, samples: sampleCount)
        }
        self.baseBatch = baseBatch
        factor = config.factor
        minimum = config.minimum
        self.maximum = maximum
        multipleOf = config.multipleOf
        every = config.every
        learningRate = config.learningRate
    }

    /// The state at the start of a run: B = B₀, first decision at t = ``every``.
    public var initialState: AdaptiveBatchState { AdaptiveBatchState(batch: baseBatch, nextDecision: every) }

    /// The batch after a decision at batch `current` with the smoothed estimate `bSimple` (nil:
    /// not measured yet), as on the type.
    public func chooseBatch(current: Int, bSimple: Double?) -> Int {
        guard let bSimple, bSimple.isFinite, bSimple > 0 else { return current }
        // Clamp in Double first: factor × B_simple may be far beyond Int's range.
        let target = min(factor * bSimple, Double(maximum))
        let onGrid = Int((target / Double(multipleOf)).rounded(.down)) * multipleOf
        return max(current, min(max(onGrid, minimum), maximum))
    }

    /// Takes the decision due at progress t = `progress` (epochs), if any: sets `state.batch`
    /// and moves `state.nextDecision` past t. Returns true when a decision was due.
    @discardableResult
    public func decide(_ state: inout AdaptiveBatchState, progress: Double, bSimple: Double?) -> Bool {
        guard progress + 1e-12 >= state.nextDecision else { return false }
        state.batch = chooseBatch(current: state.batch, bSimple: bSimple)
        while state.nextDecision <= progress + 1e-12 { state.nextDecision += every }
        return true
    }

    /// The AdaScale gain r at batch `batch` from the estimator `noise` (``AdaScaleGain``).
    public func gain(batch: Int, noise: NoiseScaleEstimator) -> Double {
        AdaScaleGain.ratio(batch: batch, baseBatch: baseBatch, trace: noise.trace,
                           gradientSquared: noise.gradientSquared)
    }

    /// ρ, the factor on the LR written for B₀, at batch `batch` with gain r = `gain`.
    public func learningRateFactor(batch: Int, gain: Double) -> Double {
        learningRate.factor(scale: Double(batch) / Double(baseBatch), gain: gain)
    }

    /// After an update of `samples` training samples (of N = `sampleCount`; B of them unless the
    /// epoch's last batch is short) at the state's batch B with gain r = `gain`: under `adascale`
    /// the schedule clock falls behind t by (1 − r/S)·samples/N, S = B/B₀ (unchanged otherwise).
    public func advanceClock(_ state: inout AdaptiveBatchState, samples: Int, sampleCount: Int, gain: Double) {
        guard learningRate.usesScaleInvariantClock else { return }
        let scale = Double(state.batch) / Double(baseBatch)
        guard scale > 1 else { return }
        state.scheduleLag += (1 - gain / scale) * Double(samples) / Double(sampleCount)
    }
}
