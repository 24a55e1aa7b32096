/// An update rule θ ← U(θ, g, state; η) applied to a whole ``ParameterStore`` (STYLE B5).
///
/// Conforming types hold their hyperparameters, their update count and their state in flat
/// buffers parallel to the parameters (P floats each). The update is a pure function over
/// contiguous ranges; weight decay applies to slices whose ``ParameterSlice/decays`` is true.
/// Every optimizer here conforms through ``SliceOptimizer``, which supplies the bookkeeping;
/// configs name them through ``OptimizerRegistry``.
public protocol Optimizer: AnyObject {
    /// Config name (`sgd`, `adam`, …), also written in checkpoints.
    var name: String { get }
    /// Updates applied so far (t in the update rules; the first step has t = 1).
    var stepCount: Int { get set }
    /// Named state buffers for checkpoints, each P floats (empty for plain SGD); with a
    /// sharded update, each holds only this rank's block.
    var stateBuffers: [(name: String, buffer: UnsafeMutableBufferPointer<Float>)] { get }
    /// One update of every parameter from `store.gradients` at learning rate η.
    func step(store: ParameterStore, learningRate: Float)
    /// One update of the elements of `shard` (this rank's block of a sharded update) from its
    /// reduced gradient at learning rate η; throws when completing a per-tensor sum fails.
    func step(store: ParameterStore, learningRate: Float, shard: OptimizerShard) throws
}
