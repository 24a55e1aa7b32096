/// The state every optimizer keeps: its update count t and its named state buffers, each P
/// floats parallel to the parameters (STYLE B1, B5) — mlx-swift's `newState`, done once.
///
/// An optimizer asks for its buffers with ``allocate(_:filledWith:)`` in the order checkpoints
/// record them, under torch's names (`exp_avg`, `exp_avg_sq`, `max_exp_avg_sq`, `sum`,
/// `square_avg`, `grad_avg`, `momentum_buffer`). The state owns the buffers and frees them in
/// `deinit`: a buffer is valid only while its optimizer is alive.
public final class OptimizerState {
    /// P, the ``ParameterStore/count`` of the stores the optimizer updates.
    public let parameterCount: Int
    /// Updates applied so far (t in the update rules; the first update has t = 1). Restored
    /// from checkpoints together with ``buffers``.
    public var stepCount = 0
    /// The buffers under their checkpoint names, in allocation order.
    public private(set) var buffers: [(name: String, buffer: UnsafeMutableBufferPointer<Float>)] = []

    /// - Parameter parameterCount: P, the number of floats of every buffer.
    public init(parameterCount: Int) {
        self.parameterCount = parameterCount
    }

    deinit {
        for (_, buffer) in buffers { buffer.baseAddress?.deallocate() }
    }

    /// A new buffer of P floats, each `value` (default 0), recorded under `name`.
    public func allocate(_ name: String, filledWith value: Float = 0) -> UnsafeMutableBufferPointer<Float> {
        let buffer = ParameterStore.allocate(parameterCount)
        if value != 0 { buffer.update(repeating: value) }
        buffers.append((name, buffer))
        return buffer
    }
}
