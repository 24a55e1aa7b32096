/// Global average pooling: the mean of each channel over all positions,
///
///     Y[c] = (1/(H·W)) Σ_{y,x} X[c, y, x]
///
/// Shapes: X `n × (C·H·W)` → Y `n × C`; backward dX[c, y, x] = dY[c]/(H·W). No parameters.
public final class GlobalAvgPool: Layer {
    /// The layer's name, `<kind>.<position>` (``Layer/name``).
    public let name: String
    /// Per-sample input shape `[C, H, W]`.
    public let inputShape: [Int]
    /// `[C]`.
    public var outputShape: [Int] { [inputShape[0]] }
    /// Whether backward computes dX (``Sequential`` clears it where dX is never used).
    public var needsInputGradient = true
    /// None: this layer has no parameters.
    public var parameterSpecs: [ParameterSpec] { [] }

    /// Y, `n × C`.
    private let output = FloatBuffer()
    /// dX, `n × (C·H·W)`.
    private let inputGradient = FloatBuffer()
    /// Rows of the last forward (−1 before the first).
    private var rows = -1

    /// - Parameters:
    ///   - name: by convention `global_avgpool.<position in the model>`.
    ///   - inputShape: `[C, H, W]`.
    public init(name: String, inputShape: [Int]) {
        precondition(inputShape.count == 3 && inputShape.allSatisfy { $0 > 0 },
                     "GlobalAvgPool \(name): input shape must be [C, H, W], got \(inputShape)")
        self.name = name
        self.inputShape = inputShape
    }

    /// Nothing to bind.
    public func bind(to store: ParameterStore) {}
    /// Nothing to initialise.
    public func initializeParameters(in store: ParameterStore, generator: inout SplitMix64) {}

    /// Y = per-channel means, `n × C` (a view of a buffer this layer owns).
    public func forward(_ input: Matrix, context: PassContext) -> Matrix {
        precondition(input.columns == inputSize, "GlobalAvgPool \(name): input has \(input.columns) columns, expected \(inputSize)")
        let n = input.rows, c = inputShape[0], area = inputShape[1] * inputShape[2]
        rows = n
        let y = output.matrix(rows: n, columns: c)
        let scale = 1 / Float(area)
        for sample in 0..<n {
            for channel in 0..<c {
                let r = input.base + sample * c * area + channel * area
                var sum: Float = 0
                for j in 0..<area { sum += r[j] }
                y.base[sample * c + channel] = sum * scale
            }
        }
        return y
    }

    /// dX[c, ·, ·] = dY[c]/(H·W), `n × (C·H·W)` (or `0 × (C·H·W)`).
    public func backward(_ outputGradient: Matrix, context: PassContext) -> Matrix {
        precondition(rows >= 0, "GlobalAvgPool \(name): backward without forward")
        let c = inputShape[0], area = inputShape[1] * inputShape[2]
        precondition(outputGradient.rows == rows && outputGradient.columns == c,
                     "GlobalAvgPool \(name): gradient shape does not match the last forward")
        guard needsInputGradient else { return Matrix(base: inputGradient.base, rows: 0, columns: inputSize) }
        let dX = inputGradient.matrix(rows: rows, columns: inputSize)
        let scale = 1 / Float(area)
        for sample in 0..<rows {
            for channel in 0..<c {
                let g = outputGradient.base[sample * c + channel] * scale
                let r = dX.base + sample * c * area + channel * area
                for j in 0..<area { r[j] = g }
            }
        }
        return dX
    }
}
