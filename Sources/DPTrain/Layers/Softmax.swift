import Foundation

/// Row-wise softmax, y_j = e^(x_j − m) / Σ_k e^(x_k − m) with m = max_k x_k (stable).
///
/// Shapes: X `n × c` → Y `n × c`. Backward is the Jacobian–vector product
/// dx_j = y_j·(dy_j − Σ_k dy_k·y_k). No parameters. For classification, prefer
/// ``SoftmaxCrossEntropy`` on logits: it fuses this with the loss and is more accurate.
public final class Softmax: Layer {
    /// The layer's name, `<kind>.<position>`; prefixes its parameters (``Layer/name``).
    public let name: String
    /// Per-sample input shape.
    public let inputShape: [Int]
    /// Per-sample output shape: the input shape.
    public var outputShape: [Int] { inputShape }
    /// Whether backward computes dX (``Sequential`` clears it where dX is never used).
    public var needsInputGradient = true
    /// None: this layer has no parameters.
    public var parameterSpecs: [ParameterSpec] { [] }

    /// Y, `n × c` (rows of the last forward in `rows`).
    private let output = FloatBuffer()
    private var rows = -1
    /// dX, `n × c`.
    private let inputGradient = FloatBuffer()

    /// - Parameters:
    ///   - name: by convention `softmax.<position in the model>`.
    ///   - size: c, the number of entries normalised together (one row per sample).
    public init(name: String, size: Int) {
        self.name = name
        self.inputShape = [size]
    }

    /// Nothing to bind.
    public func bind(to store: ParameterStore) {}
    /// Nothing to initialise.
    public func initializeParameters(in store: ParameterStore, generator: inout SplitMix64) {}

    /// Y = softmax(X) per row, `n × c`.
    public func forward(_ input: Matrix, context: PassContext) -> Matrix {
        let c = inputSize
        precondition(input.columns == c, "\(name): input has \(input.columns) columns, expected \(c)")
        rows = input.rows
        let y = output.matrix(rows: input.rows, columns: c)
        for row in 0..<input.rows {
            let x = input.base + row * c, out = y.base + row * c
            var maximum = x[0]
            for j in 1..<c where x[j] > maximum { maximum = x[j] }
            var sum: Float = 0
            for j in 0..<c { let e = Foundation.exp(x[j] - maximum); out[j] = e; sum += e }
            let inverse = 1 / sum
            for j in 0..<c { out[j] *= inverse }
        }
        return y
    }

    /// dX = Y ⊙ (dY − rowsum(dY ⊙ Y)), `n × c`.
    public func backward(_ outputGradient: Matrix, context: PassContext) -> Matrix {
        let c = inputSize
        precondition(rows >= 0, "\(name): backward without forward")
        precondition(outputGradient.rows == rows && outputGradient.columns == c,
                     "\(name): gradient shape does not match the last forward")
        guard needsInputGradient else { return Matrix(base: inputGradient.base, rows: 0, columns: c) }
        let dX = inputGradient.matrix(rows: rows, columns: c)
        for row in 0..<rows {
            let y = output.base + row * c, dy = outputGradient.base + row * c, dx = dX.base + row * c
            var dot: Float = 0
            for j in 0..<c { dot += dy[j] * y[j] }
            for j in 0..<c { dx[j] = y[j] * (dy[j] - dot) }
        }
        return dX
    }
}
