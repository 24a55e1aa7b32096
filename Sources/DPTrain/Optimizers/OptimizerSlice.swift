/// One contiguous parameter slice as an update kernel sees it: its values, its gradients, its
/// place in the state buffers and the regularization that applies to it.
///
/// ``SliceOptimizer/step(store:learningRate:shard:)`` makes one per ``ParameterSlice`` that
/// has elements in the shard: the whole tensor, or the part of it in this rank's block.
public struct OptimizerSlice {
    /// θ, ``count`` floats, updated in place.
    public let values: UnsafeMutablePointer<Float>
    /// g, ``count`` floats (never written: g' = g + λ·θ + l1·sign(θ) exists only in the kernel).
    public let gradients: UnsafePointer<Float>
    /// Number of elements.
    public let count: Int
    /// Offset of the slice's first element in every state buffer: its offset in the store,
    /// less the shard's first element when the update is sharded.
    public let offset: Int
    /// Whether weight decay, L1 and layer-wise adaptation apply (``ParameterSlice/decays``:
    /// weights yes, biases and normalisation parameters no).
    public let decays: Bool
    /// The optimizer's λ and l1 when ``decays``, else zeros (``Regularization/applying(to:)``).
    public let regularization: Regularization
    /// The ``SliceOptimizer/layerSumCount`` sums of the rule over the whole tensor (every
    /// part on every rank added up); empty when the rule asks for none.
    public internal(set) var layerSums: [Double] = []

    /// The view of `slice` in `store`, with the optimizer's `regularization`.
    public init(_ slice: ParameterSlice, of store: ParameterStore, regularization: Regularization) {
        values = store.values(of: slice)
        gradients = UnsafePointer(store.gradients(of: slice))
        count = slice.count
        offset = slice.offset
        decays = slice.decays
        self.regularization = regularization.applying(to: slice)
    }

    /// The part of `slice` inside `shard.range` (nil when they do not overlap), with the
    /// optimizer's `regularization`.
    public init?(_ slice: ParameterSlice, of store: ParameterStore, shard: OptimizerShard,
                 regularization: Regularization) {
        let first = max(slice.offset, shard.range.lowerBound)
        let end = min(slice.offset + slice.count, shard.range.upperBound)
        guard first < end else { return nil }
        values = store.values.baseAddress! + first
        gradients = shard.gradients + (first - shard.range.lowerBound)
        count = end - first
        offset = first - shard.range.lowerBound
        decays = slice.decays
        self.regularization = regularization.applying(to: slice)
    }

    /// This slice's part of a state buffer (P floats).
    @inline(__always)
    public func state(_ buffer: UnsafeMutableBufferPointer<Float>) -> UnsafeMutablePointer<Float> {
        buffer.baseAddress! + offset
    }

    /// This slice's part of an optional state buffer (nil when the buffer is not allocated).
    @inline(__always)
    public func state(_ buffer: UnsafeMutableBufferPointer<Float>?) -> UnsafeMutablePointer<Float>? {
        buffer.map { $0.baseAddress! + offset }
    }
}
