/// An ``Optimizer`` written as state buffers plus an update kernel over one contiguous slice:
/// mlx-swift's `newState`/`applySingle` split (STYLE B5).
///
/// A conforming type allocates its named buffers from its ``state`` in `init`, computes the
/// values shared by all slices of update t once in ``constants(forStep:learningRate:)``
/// (bias corrections, a decayed step size) and applies the rule to one slice in
/// ``update(_:learningRate:constants:)``. This extension supplies the rest, written once:
/// the step count, the checkpoint buffers, the check that the shard has P elements and the
/// loop over the slices with elements in it, each with the regularization that applies to it
/// (λ and l1 only where ``ParameterSlice/decays``).
///
/// A rule that needs sums over a whole tensor before updating it (a layer-wise trust ratio)
/// sets ``layerSumCount`` and adds each part's contribution in
/// ``accumulateLayerSums(_:constants:into:)``; the sums of every part on every rank arrive in
/// ``OptimizerSlice/layerSums`` (one all-reduce of (slices × layerSumCount) doubles when the
/// update is sharded), so a tensor split between ranks gets the same ratio as a whole one.
public protocol SliceOptimizer: Optimizer {
    /// Values shared by every slice of one update; `Void` when there are none.
    associatedtype StepConstants = Void
    /// The update count and the named state buffers.
    var state: OptimizerState { get }
    /// λ (weight decay, coupled or decoupled as the optimizer documents) and l1.
    var regularization: Regularization { get }
    /// The values shared by every slice of update t (t = 1 first) at learning rate η.
    func constants(forStep t: Int, learningRate: Float) -> StepConstants
    /// Applies the update rule to one slice.
    func update(_ slice: OptimizerSlice, learningRate: Float, constants: StepConstants)
    /// Number of sums over a whole tensor the rule needs before updating it (default 0).
    var layerSumCount: Int { get }
    /// First pass over one part of a tensor, before any ``update(_:learningRate:constants:)``
    /// of this step: adds the part's contributions to the ``layerSumCount`` `sums` (default: none).
    func accumulateLayerSums(_ slice: OptimizerSlice, constants: StepConstants,
                             into sums: UnsafeMutableBufferPointer<Double>)
}

extension SliceOptimizer {
    /// Updates applied so far (t; the first update has t = 1). Restored from checkpoints
    /// together with ``stateBuffers``.
    public var stepCount: Int {
        get { state.stepCount }
        set { state.stepCount = newValue }
    }

    /// The state buffers under their checkpoint names, P floats each, valid while the
    /// optimizer is alive.
    public var stateBuffers: [(name: String, buffer: UnsafeMutableBufferPointer<Float>)] { state.buffers }

    /// Number of elements P this optimizer was built for: the store's count, or the block's
    /// when the update is sharded (its state buffers hold P floats each).
    public var parameterCount: Int { state.parameterCount }

    /// λ, the weight-decay coefficient (applied to slices with `decays` only).
    public var weightDecay: Float { regularization.weightDecay }

    /// The L1 coefficient (applied to slices with `decays` only).
    public var l1: Float { regularization.l1 }

    /// No sums over whole tensors.
    public var layerSumCount: Int { 0 }

    /// Nothing to add.
    public func accumulateLayerSums(_ slice: OptimizerSlice, constants: StepConstants,
                                    into sums: UnsafeMutableBufferPointer<Double>) {}

    /// One update of every parameter from `store.gradients` at learning rate η.
    public func step(store: ParameterStore, learningRate: Float) {
        do {
            try step(store: store, learningRate: learningRate, shard: .whole(store))
        } catch {
            preconditionFailure("an unsharded update has no collective to fail: \(error)")
        }
    }

    /// One update of the elements in `shard.range` from `shard.gradients` at learning rate η:
    /// per-tensor sums first when the rule has any (completed over the ranks), then the rule
    /// on each slice's part.
    public func step(store: ParameterStore, learningRate: Float, shard: OptimizerShard) throws {
        precondition(shard.range.count == parameterCount && shard.range.upperBound <= store.count,
                     "\(Self.self) was built for \(parameterCount) parameters, the shard has \(shard.range.count)")
        stepCount += 1
        let shared = constants(forStep: stepCount, learningRate: learningRate)
        var parts = store.slices.map { OptimizerSlice($0, of: store, shard: shard, regularization: regularization) }
        let n = layerSumCount
        if n > 0 {
            var sums = [Double](repeating: 0, count: parts.count * n)
            sums.withUnsafeMutableBufferPointer { all in
                for (index, part) in parts.enumerated() {
                    guard let part else { continue }
                    accumulateLayerSums(part, constants: shared,
                                        into: UnsafeMutableBufferPointer(rebasing: all[(index * n)..<((index + 1) * n)]))
                }
            }
            try shard.communicator?.allReduceSum(&sums)
            for index in parts.indices { parts[index]?.layerSums = Array(sums[(index * n)..<((index + 1) * n)]) }
        }
        for case let part? in parts {
            update(part, learningRate: learningRate, constants: shared)
        }
    }
}

extension SliceOptimizer where StepConstants == Void {
    /// No per-step values.
    public func constants(forStep t: Int, learningRate: Float) {}
}
