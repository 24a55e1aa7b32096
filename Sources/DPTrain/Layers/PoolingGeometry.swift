/// Where the windows of a 2-D pooling layer lie: a k × k window moved by stride s over each
/// channel of an NCHW sample, without padding.
///
/// Shapes: input `[C, H, W]` → output `[C, OH, OW]`, OH = ⌊(H − k)/s⌋ + 1, OW = ⌊(W − k)/s⌋ + 1.
/// Output element (c, y, x) pools the input elements (c, y·s + i, x·s + j), 0 ≤ i, j < k.
public struct PoolingGeometry: Sendable {
    /// Per-sample input shape `[C, H, W]`.
    public let inputShape: [Int]
    /// Per-sample output shape `[C, OH, OW]`.
    public let outputShape: [Int]
    /// Window size k (k × k).
    public let kernel: Int
    /// Stride s.
    public let stride: Int

    /// - Parameters:
    ///   - inputShape: `[C, H, W]`.
    ///   - kernel: k ≥ 1.
    ///   - stride: s ≥ 1, default k (non-overlapping windows).
    ///   - layer: names the layer in the precondition message, for example `MaxPool2D maxpool.1`.
    /// Precondition: k ≤ H and k ≤ W.
    public init(inputShape: [Int], kernel: Int, stride: Int?, layer: @autoclosure () -> String) {
        let s = stride ?? kernel
        precondition(inputShape.count == 3 && kernel >= 1 && s >= 1 && kernel <= inputShape[1] && kernel <= inputShape[2],
                     "\(layer()): window \(kernel) does not fit input \(inputShape)")
        self.inputShape = inputShape
        self.kernel = kernel
        self.stride = s
        outputShape = [inputShape[0], (inputShape[1] - kernel) / s + 1, (inputShape[2] - kernel) / s + 1]
    }

    /// W, the distance between two rows of a window in the flat sample.
    var inputWidth: Int { inputShape[2] }

    /// Calls `body(o, origin)` for every output element of one sample, in storage order
    /// (channel, then output row, then output column): `o` is its index in the `C·OH·OW`
    /// output, `origin` the index in the `C·H·W` input of its window's top-left element; the
    /// window's row i starts at `origin + i·W`.
    @inline(__always)
    func forEachWindow(_ body: (_ output: Int, _ origin: Int) -> Void) {
        let h = inputShape[1], w = inputShape[2], oh = outputShape[1], ow = outputShape[2], s = stride
        var o = 0
        for channel in 0..<inputShape[0] {
            let plane = channel * h * w
            for oy in 0..<oh {
                for ox in 0..<ow {
                    body(o, plane + oy * s * w + ox * s)
                    o += 1
                }
            }
        }
    }
}
