/// Reshapes each sample to a vector: `[d₁, d₂, …]` → `[d₁·d₂·…]`.
///
/// A ``Matrix`` row already holds a sample's elements contiguously (NCHW order for images), so
/// forward returns its input and backward its output gradient unchanged: zero-copy, no
/// buffers, no parameters.
public final class Flatten: Layer {
    /// The layer's name, `<kind>.<position>`; prefixes its parameters (``Layer/name``).
    public let name: String
    /// Per-sample input shape.
    public let inputShape: [Int]
    /// `[product of inputShape]`.
    public var outputShape: [Int] { [inputSize] }
    /// Whether backward computes dX (``Sequential`` clears it where dX is never used).
    public var needsInputGradient = true
    /// None: this layer has no parameters.
    public var parameterSpecs: [ParameterSpec] { [] }

    /// - Parameters:
    ///   - name: by convention `flatten.<position in the model>`.
    ///   - inputShape: per-sample shape, for example `[1, 28, 28]`.
    public init(name: String, inputShape: [Int]) {
        self.name = name
        self.inputShape = inputShape
    }

    /// Nothing to bind.
    public func bind(to store: ParameterStore) {}
    /// Nothing to initialise.
    public func initializeParameters(in store: ParameterStore, generator: inout SplitMix64) {}

    /// Returns `input` itself (`n × size`).
    public func forward(_ input: Matrix, context: PassContext) -> Matrix {
        precondition(input.columns == inputSize, "\(name): input has \(input.columns) columns, expected \(inputSize)")
        return input
    }

    /// Returns `outputGradient` itself (or `0 × size` when `needsInputGradient` is false).
    public func backward(_ outputGradient: Matrix, context: PassContext) -> Matrix {
        guard needsInputGradient else { return Matrix(base: outputGradient.base, rows: 0, columns: inputSize) }
        return outputGradient
    }
}
