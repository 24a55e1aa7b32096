/// The buffers a pooling layer reuses from call to call, and the checks that tie a backward
/// to the forward before it.
///
/// Shapes: Y `n × (C·OH·OW)`, dX `n × (C·H·W)`, with n the rows of the last forward.
final class PoolingBuffers {
    /// Y, `n × (C·OH·OW)`.
    private let output = FloatBuffer()
    /// dX, `n × (C·H·W)`.
    private let inputGradient = FloatBuffer()
    /// Rows of the last forward (−1 before the first).
    private var rows = -1

    /// Y for a forward of `input` (`n × (C·H·W)`, checked), remembering n for backward.
    /// `layer` names the layer in precondition messages, for example `AvgPool2D avgpool.1`.
    @inline(__always)
    func output(for input: Matrix, geometry: PoolingGeometry, layer: @autoclosure () -> String) -> Matrix {
        let inSize = geometry.inputShape.reduce(1, *)
        precondition(input.columns == inSize, "\(layer()): input has \(input.columns) columns, expected \(inSize)")
        rows = input.rows
        return output.matrix(rows: input.rows, columns: geometry.outputShape.reduce(1, *))
    }

    /// dX for a backward of `outputGradient` (checked against the last forward), zeroed for
    /// the caller to add into; `0 × (C·H·W)` when the input gradient is not `needed`.
    @inline(__always)
    func zeroedInputGradient(for outputGradient: Matrix, geometry: PoolingGeometry, needed: Bool,
                             layer: @autoclosure () -> String) -> Matrix {
        precondition(rows >= 0, "\(layer()): backward without forward")
        precondition(outputGradient.rows == rows && outputGradient.columns == geometry.outputShape.reduce(1, *),
                     "\(layer()): gradient shape does not match the last forward")
        let inSize = geometry.inputShape.reduce(1, *)
        guard needed else { return Matrix(base: inputGradient.base, rows: 0, columns: inSize) }
        let dX = inputGradient.matrix(rows: rows, columns: inSize)
        dX.base.update(repeating: 0, count: rows * inSize)
        return dX
    }
}
