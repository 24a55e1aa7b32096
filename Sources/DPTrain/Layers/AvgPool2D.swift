/// 2-D average pooling over NCHW samples, without padding:
///
///     Y[c, y, x] = (1/k²) Σ_{0≤i<k, 0≤j<k} X[c, y·s + i, x·s + j]
///
/// Shapes: X `n × (C·H·W)` → Y `n × (C·OH·OW)`, OH = ⌊(H − k)/s⌋ + 1, OW = ⌊(W − k)/s⌋ + 1.
/// Backward spreads each dY/k² over its window (adding where windows overlap). No parameters.
public final class AvgPool2D: Layer {
    /// The layer's name, `<kind>.<position>` (``Layer/name``).
    public let name: String
    /// Per-sample input shape `[C, H, W]`.
    public let inputShape: [Int]
    /// Per-sample output shape `[C, OH, OW]`.
    public let outputShape: [Int]
    /// Window size k (k × k).
    public let kernel: Int
    /// Stride s (default k).
    public let stride: Int
    /// Whether backward computes dX (``Sequential`` clears it where dX is never used).
    public var needsInputGradient = true
    /// None: this layer has no parameters.
    public var parameterSpecs: [ParameterSpec] { [] }

    /// Y, `n × (C·OH·OW)`.
    private let output = FloatBuffer()
    /// dX, `n × (C·H·W)`.
    private let inputGradient = FloatBuffer()
    /// Rows of the last forward (−1 before the first).
    private var rows = -1

    /// - Parameters:
    ///   - name: by convention `avgpool.<position in the model>`.
    ///   - inputShape: `[C, H, W]`.
    ///   - kernel: k ≥ 1.
    ///   - stride: s ≥ 1, default k.
    /// Precondition: k ≤ H and k ≤ W.
    public init(name: String, inputShape: [Int], kernel: Int, stride: Int? = nil) {
        let s = stride ?? kernel
        precondition(inputShape.count == 3 && kernel >= 1 && s >= 1 && kernel <= inputShape[1] && kernel <= inputShape[2],
                     "AvgPool2D \(name): window \(kernel) does not fit input \(inputShape)")
        self.name = name
        self.inputShape = inputShape
        self.kernel = kernel
        self.stride = s
        outputShape = [inputShape[0], (inputShape[1] - kernel) / s + 1, (inputShape[2] - kernel) / s + 1]
    }

    /// Nothing to bind.
    public func bind(to store: ParameterStore) {}
    /// Nothing to initialise.
    public func initializeParameters(in store: ParameterStore, generator: inout SplitMix64) {}

    /// Y = window means, `n × (C·OH·OW)` (a view of a buffer this layer owns).
    public func forward(_ input: Matrix, context: PassContext) -> Matrix {
        precondition(input.columns == inputSize, "AvgPool2D \(name): input has \(input.columns) columns, expected \(inputSize)")
        let n = input.rows, inSize = inputSize, outSize = outputSize
        let c = inputShape[0], h = inputShape[1], w = inputShape[2], oh = outputShape[1], ow = outputShape[2]
        let k = kernel, s = stride, scale = 1 / Float(k * k)
        rows = n
        let y = output.matrix(rows: n, columns: outSize)
        for sample in 0..<n {
            let x = input.base + sample * inSize, ys = y.base + sample * outSize
            var o = 0
            for channel in 0..<c {
                let plane = x + channel * h * w
                for oy in 0..<oh {
                    for ox in 0..<ow {
                        var sum: Float = 0
                        for i in 0..<k {
                            let r = plane + (oy * s + i) * w + ox * s
                            for j in 0..<k { sum += r[j] }
                        }
                        ys[o] = sum * scale
                        o += 1
                    }
                }
            }
        }
        return y
    }

    /// dX[c, y·s + i, x·s + j] += dY[c, y, x] / k², `n × (C·H·W)` (or `0 × (C·H·W)`).
    public func backward(_ outputGradient: Matrix, context: PassContext) -> Matrix {
        precondition(rows >= 0, "AvgPool2D \(name): backward without forward")
        precondition(outputGradient.rows == rows && outputGradient.columns == outputSize,
                     "AvgPool2D \(name): gradient shape does not match the last forward")
        let inSize = inputSize, outSize = outputSize
        guard needsInputGradient else { return Matrix(base: inputGradient.base, rows: 0, columns: inSize) }
        let c = inputShape[0], h = inputShape[1], w = inputShape[2], oh = outputShape[1], ow = outputShape[2]
        let k = kernel, s = stride, scale = 1 / Float(k * k)
        let dX = inputGradient.matrix(rows: rows, columns: inSize)
        dX.base.update(repeating: 0, count: rows * inSize)
        for sample in 0..<rows {
            let dx = dX.base + sample * inSize, dy = outputGradient.base + sample * outSize
            var o = 0
            for channel in 0..<c {
                let plane = dx + channel * h * w
                for oy in 0..<oh {
                    for ox in 0..<ow {
                        let g = dy[o] * scale
                        for i in 0..<k {
                            let r = plane + (oy * s + i) * w + ox * s
                            for j in 0..<k { r[j] += g }
                        }
                        o += 1
                    }
                }
            }
        }
        return dX
    }
}
