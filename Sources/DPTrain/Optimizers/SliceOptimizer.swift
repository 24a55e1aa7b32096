/// An ``Optimizer`` written as state buffers plus an update kernel over one contiguous slice:
/// mlx-swift's `newState`/`applySingle` split (STYLE B5).
///
/// A conforming type allocates its named buffers from its ``state`` in `init`, computes the
/// values shared by all slices of update t once in ``constants(forStep:learningRate:)``
/// (bias corrections, a decayed step size) and applies the rule to one slice in
/// ``update(_:learningRate:constants:)``. This extension supplies the rest, written once:
/// the step count, the checkpoint buffers, the check that the store has P parameters and the
/// loop over the non-empty slices, each with the regularization that applies to it
/// (λ and l1 only where ``ParameterSlice/decays``).
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

    /// Number of parameters P this optimizer was built for.
    public var parameterCount: Int { state.parameterCount }

    /// λ, the weight-decay coefficient (applied to slices with `decays` only).
    public var weightDecay: Float { regularization.weightDecay }

    /// The L1 coefficient (applied to slices with `decays` only).
    public var l1: Float { regularization.l1 }

    /// One update of every parameter from `store.gradients` at learning rate η.
    public func step(store: ParameterStore, learningRate: Float) {
        precondition(store.count == parameterCount,
                     "\(Self.self) was built for \(parameterCount) parameters, the store has \(store.count)")
        stepCount += 1
        let shared = constants(forStep: stepCount, learningRate: learningRate)
        for slice in store.slices where slice.count > 0 {
            update(OptimizerSlice(slice, of: store, regularization: regularization),
                   learningRate: learningRate, constants: shared)
        }
    }
}

extension SliceOptimizer where StepConstants == Void {
    /// No per-step values.
    public func constants(forStep t: Int, learningRate: Float) {}
}
