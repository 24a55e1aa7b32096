/// 2-D max pooling over NCHW samples, without padding:
///
///     Y[c, y, x] = max_{0≤i<k, 0≤j<k} X[c, y·s + i, x·s + j]
///
/// Shapes: X `n × (C·H·W)` → Y `n × (C·OH·OW)`, OH = ⌊(H − k)/s⌋ + 1, OW = ⌊(W − k)/s⌋ + 1.
/// Forward caches, per output element, the flat index (within the sample) of the first
/// maximum in window order (row by row), as PyTorch does for ties. Backward:
/// dX[argmax] += dY, every other element 0. No parameters.
public final class MaxPool2D: Layer {
    /// The layer's name, `<kind>.<position>` (``Layer/name``).
    public let name: String
    /// Per-sample input shape `[C, H, W]`.
    public let inputShape: [Int]
    /// Per-sample output shape `[C, OH, OW]`.
    public let outputShape: [Int]
    /// Window size k (k × k).
    public let kernel: Int
    /// Stride s (default k: non-overlapping windows).
    public let stride: Int
    /// Whether backward computes dX (``Sequential`` clears it where dX is never used).
    public var needsInputGradient = true
    /// None: this layer has no parameters.
    public var parameterSpecs: [ParameterSpec] { [] }

    /// Y, `n × (C·OH·OW)`.
    private let output = FloatBuffer()
    /// Argmax per output element, `n × (C·OH·OW)` indices into the sample's C·H·W elements.
    private var argmax: UnsafeMutablePointer<Int32>
    private var argmaxCapacity = 0
    /// dX, `n × (C·H·W)`.
    private let inputGradient = FloatBuffer()
    /// Rows of the last forward (−1 before the first).
    private var rows = -1

    /// - Parameters:
    ///   - name: by convention `maxpool.<position in the model>`.
    ///   - inputShape: `[C, H, W]`.
    ///   - kernel: k ≥ 1.
    ///   - stride: s ≥ 1, default k.
    /// Precondition: k ≤ H and k ≤ W.
    public init(name: String, inputShape: [Int], kernel: Int, stride: Int? = nil) {
        let s = stride ?? kernel
        precondition(inputShape.count == 3 && kernel >= 1 && s >= 1 && kernel <= inputShape[1] && kernel <= inputShape[2],
                     "MaxPool2D \(name): window \(kernel) does not fit input \(inputShape)")
        self.name = name
        self.inputShape = inputShape
        self.kernel = kernel
        self.stride = s
        outputShape = [inputShape[0], (inputShape[1] - kernel) / s + 1, (inputShape[2] - kernel) / s + 1]
        argmax = .allocate(capacity: 1)
    }

    deinit { argmax.deallocate() }

    /// Nothing to bind.
    public func bind(to store: ParameterStore) {}
    /// Nothing to initialise.
    public func initializeParameters(in store: ParameterStore, generator: inout SplitMix64) {}

    /// Y = window maxima, `n × (C·OH·OW)` (a view of a buffer this layer owns).
    public func forward(_ input: Matrix, context: PassContext) -> Matrix {
        precondition(input.columns == inputSize, "MaxPool2D \(name): input has \(input.columns) columns, expected \(inputSize)")
        let n = input.rows, inSize = inputSize, outSize = outputSize
        let c = inputShape[0], h = inputShape[1], w = inputShape[2], oh = outputShape[1], ow = outputShape[2]
        let k = kernel, s = stride
        if n * outSize > argmaxCapacity {
            argmax.deallocate()
            argmaxCapacity = n * outSize
            argmax = .allocate(capacity: argmaxCapacity)
        }
        rows = n
        let y = output.matrix(rows: n, columns: outSize)
        for sample in 0..<n {
            let x = input.base + sample * inSize
            let ys = y.base + sample * outSize, am = argmax + sample * outSize
            var o = 0
            if k == 2 && s == 2 {
                // The common 2×2/2 window, unrolled; the same comparisons in the same order
                // as the general loop below (first maximum in row-major order wins).
                for channel in 0..<c {
                    let plane = channel * h * w
                    for oy in 0..<oh {
                        let top = plane + 2 * oy * w, bottom = top + w
                        for ox in 0..<ow {
                            var best = top + 2 * ox
                            var value = x[best]
                            if x[top + 2 * ox + 1] > value { best = top + 2 * ox + 1; value = x[best] }
                            if x[bottom + 2 * ox] > value { best = bottom + 2 * ox; value = x[best] }
                            if x[bottom + 2 * ox + 1] > value { best = bottom + 2 * ox + 1; value = x[best] }
                            ys[o] = value
                            am[o] = Int32(best)
                            o += 1
                        }
                    }
                }
                continue
            }
            for channel in 0..<c {
                let plane = channel * h * w
                for oy in 0..<oh {
                    for ox in 0..<ow {
                        var best = plane + (oy * s) * w + ox * s
                        var value = x[best]
                        for i in 0..<k {
                            let rowStart = plane + (oy * s + i) * w + ox * s
                            for j in 0..<k where x[rowStart + j] > value {
                                value = x[rowStart + j]
                                best = rowStart + j
                            }
                        }
                        ys[o] = value
                        am[o] = Int32(best)
                        o += 1
                    }
                }
            }
        }
        return y
    }

    /// dX: each dY element added at its window's argmax, `n × (C·H·W)` (or `0 × (C·H·W)`).
    public func backward(_ outputGradient: Matrix, context: PassContext) -> Matrix {
        precondition(rows >= 0, "MaxPool2D \(name): backward without forward")
        precondition(outputGradient.rows == rows && outputGradient.columns == outputSize,
                     "MaxPool2D \(name): gradient shape does not match the last forward")
        let inSize = inputSize, outSize = outputSize
        guard needsInputGradient else { return Matrix(base: inputGradient.base, rows: 0, columns: inSize) }
        let dX = inputGradient.matrix(rows: rows, columns: inSize)
        dX.base.update(repeating: 0, count: rows * inSize)
        for sample in 0..<rows {
            let dx = dX.base + sample * inSize, dy = outputGradient.base + sample * outSize
            let am = argmax + sample * outSize
            for o in 0..<outSize { dx[Int(am[o])] += dy[o] }
        }
        return dX
    }
}
