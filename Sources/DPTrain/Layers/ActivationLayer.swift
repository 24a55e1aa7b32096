/// A standalone elementwise activation, y = f(x), for any per-sample shape.
///
/// Shapes: X `n × size` → Y `n × size` (size = product of `shape`). Backward returns
/// dX = dY ⊙ f′(X). No parameters. Prefer the fused `activation:` of ``Dense`` after a
/// dense layer; this layer is for activations after other layers or configs that list
/// `{activation: tanh}` separately.
public final class ActivationLayer: Layer {
    /// The layer's name, `<kind>.<position>`; prefixes its parameters (``Layer/name``).
    public let name: String
    /// Per-sample input shape.
    public let inputShape: [Int]
    /// Per-sample output shape: the input shape.
    public var outputShape: [Int] { inputShape }
    /// The nonlinearity f.
    public let activation: Activation
    /// Whether backward computes dX (``Sequential`` clears it where dX is never used).
    public var needsInputGradient = true
    /// None: this layer has no parameters.
    public var parameterSpecs: [ParameterSpec] { [] }

    /// X, `n × size`: a view of the caller's input, valid until `backward`.
    private var input: Matrix?
    /// Y = f(X), `n × size`.
    private let output = FloatBuffer()
    /// dX, `n × size`.
    private let inputGradient = FloatBuffer()

    /// - Parameters:
    ///   - name: by convention `activation.<position in the model>`.
    ///   - activation: f.
    ///   - shape: per-sample shape (input = output).
    public init(name: String, activation: Activation, shape: [Int]) {
        self.name = name
        self.activation = activation
        self.inputShape = shape
    }

    /// Nothing to bind.
    public func bind(to store: ParameterStore) {}
    /// Nothing to initialise.
    public func initializeParameters(in store: ParameterStore, generator: inout SplitMix64) {}

    /// Y = f(X), `n × size` (a view of a buffer this layer owns).
    public func forward(_ input: Matrix, context: PassContext) -> Matrix {
        precondition(input.columns == inputSize,
                     "\(name): input has \(input.columns) columns, expected \(inputSize)")
        self.input = input
        let y = output.matrix(rows: input.rows, columns: input.columns)
        activation.forward(input.base, output: y.base, count: input.count)
        return y
    }

    /// dX = dY ⊙ f′(X), `n × size` (or `0 × size` when `needsInputGradient` is false).
    public func backward(_ outputGradient: Matrix, context: PassContext) -> Matrix {
        guard let input else { preconditionFailure("\(name): backward without forward") }
        precondition(outputGradient.rows == input.rows && outputGradient.columns == input.columns,
                     "\(name): gradient shape does not match the last forward")
        guard needsInputGradient else { return Matrix(base: inputGradient.base, rows: 0, columns: inputSize) }
        let dX = inputGradient.matrix(rows: input.rows, columns: input.columns)
        activation.backward(preActivation: input.base, output: output.base,
                            outputGradient: outputGradient.base, inputGradient: dX.base,
                            count: input.count)
        return dX
    }
}
