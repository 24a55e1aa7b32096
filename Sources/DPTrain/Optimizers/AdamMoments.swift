/// The state of Adam-family optimizers, P floats per buffer, parallel to the parameters:
/// m (`exp_avg`), v (`exp_avg_sq`) and, with AMSGrad, v̂ = max over time of v
/// (`max_exp_avg_sq`) — torch's names, which checkpoints use. Owned here and freed in `deinit`.
public final class AdamMoments {
    /// m, the first moment.
    public let first: UnsafeMutableBufferPointer<Float>
    /// v, the second moment.
    public let second: UnsafeMutableBufferPointer<Float>
    /// v̂, the running maximum of v (AMSGrad only).
    public let maximum: UnsafeMutableBufferPointer<Float>?

    /// Zero-filled buffers for `parameterCount` parameters.
    public init(parameterCount: Int, amsgrad: Bool) {
        first = ParameterStore.allocate(parameterCount)
        second = ParameterStore.allocate(parameterCount)
        maximum = amsgrad ? ParameterStore.allocate(parameterCount) : nil
    }

    deinit {
        first.baseAddress?.deallocate()
        second.baseAddress?.deallocate()
        maximum?.baseAddress?.deallocate()
    }

    /// The buffers under their checkpoint names.
    public var named: [(name: String, buffer: UnsafeMutableBufferPointer<Float>)] {
        var buffers: [(name: String, buffer: UnsafeMutableBufferPointer<Float>)] =
            [("exp_avg", first), ("exp_avg_sq", second)]
        if let maximum { buffers.append(("max_exp_avg_sq", maximum)) }
        return buffers
    }
}
