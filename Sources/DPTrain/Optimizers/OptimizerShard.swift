/// The elements one ``Optimizer/step(store:learningRate:shard:)`` updates: the whole store, or
/// this rank's block of a ``ParameterShard`` when the optimizer update is sharded.
///
/// The optimizer's state buffers cover exactly ``range`` (state index = element − `range.lowerBound`),
/// the reduced gradient of element `range.lowerBound + i` is `gradients[i]`, and sums over a
/// whole tensor (LARS's and LAMB's trust ratios) are completed over the ranks holding the
/// tensor's other parts with one all-reduce on ``communicator``.
public struct OptimizerShard {
    /// The elements of the store to update.
    public let range: Range<Int>
    /// The reduced gradient of ``range``, `range.count` floats (never written by the optimizer).
    public let gradients: UnsafePointer<Float>
    /// Adds per-tensor sums over the ranks; nil when ``range`` is the whole store.
    public let communicator: Communicator?

    /// Elements `range` with their reduced gradient at `gradients`, per-tensor sums completed
    /// over `communicator` (nil: no other rank holds a part).
    public init(range: Range<Int>, gradients: UnsafePointer<Float>, communicator: Communicator?) {
        self.range = range
        self.gradients = gradients
        self.communicator = communicator
    }

    /// Every element of `store`, with the gradient in `store.gradients`.
    public static func whole(_ store: ParameterStore) -> OptimizerShard {
        OptimizerShard(range: 0..<store.count, gradients: UnsafePointer(store.gradients.baseAddress!), communicator: nil)
    }
}
