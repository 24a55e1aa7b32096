/// Reshapes each sample to a vector: `[d₁, d₂, …]` → `[d₁·d₂·…]`.
///
/// A ``Matrix`` row already holds a sample's elements contiguously (NCHW order for images), so
/// forward returns its input and backward its output gradient unchanged: zero-copy, no
/// buffers, no parameters.
public final class Flatten: Layer {
    public let name: String
    public let inputShape: [Int]
    public var outputShape: [Int] { [inputSize] }
    public var needsInputGradient = true
    public var parameterSpecs: [ParameterSpec] { [] }

    /// - Parameters:
    ///   - name: by convention `flatten.<position in the model>`.
    ///   - inputShape: per-sample shape, for example `[1, 28, 28]`.
    public init(name: String, inputShape: [Int]) {
        self.name = name
        self.inputShape = inputShape
    }

    public func bind(to store: ParameterStore) {}
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
