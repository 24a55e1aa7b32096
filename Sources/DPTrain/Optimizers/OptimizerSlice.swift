/// One contiguous parameter slice as an update kernel sees it: its values, its gradients, its
/// place in the state buffers and the regularization that applies to it.
///
/// ``SliceOptimizer/step(store:learningRate:)`` makes one per non-empty ``ParameterSlice``.
public struct OptimizerSlice {
    /// θ, ``count`` floats, updated in place.
    public let values: UnsafeMutablePointer<Float>
    /// g, ``count`` floats (never written: g' = g + λ·θ + l1·sign(θ) exists only in the kernel).
    public let gradients: UnsafePointer<Float>
    /// Number of elements.
    public let count: Int
    /// Offset of the slice in the store, and so in every state buffer.
    public let offset: Int
    /// Whether weight decay, L1 and layer-wise adaptation apply (``ParameterSlice/decays``:
    /// weights yes, biases and normalisation parameters no).
    public let decays: Bool
    /// The optimizer's λ and l1 when ``decays``, else zeros (``Regularization/applying(to:)``).
    public let regularization: Regularization

    /// The view of `slice` in `store`, with the optimizer's `regularization`.
    public init(_ slice: ParameterSlice, of store: ParameterStore, regularization: Regularization) {
        values = store.values(of: slice)
        gradients = UnsafePointer(store.gradients(of: slice))
        count = slice.count
        offset = slice.offset
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
