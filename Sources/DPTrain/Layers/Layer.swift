/// One stage of a network: an explicit forward/backward pair over micro-batches (STYLE B2).
///
/// Shapes: `forward` takes an `n × inputSize` matrix (one row per sample, `inputSize` =
/// product of ``inputShape``) and returns `n × outputSize`. `backward` takes ∂L/∂output
/// (`n × outputSize`) for the batch of the last `forward`, **adds** ∂L/∂θ into the layer's
/// gradient slices of the ``ParameterStore`` (so micro-steps accumulate), and returns
/// ∂L/∂input (`n × inputSize`) — or an empty matrix when ``needsInputGradient`` is false.
/// Returned matrices are views of buffers the layer owns; they stay valid until the layer's
/// next call. Layers allocate only when a larger batch than before arrives.
public protocol Layer: AnyObject {
    /// Name used as the prefix of its parameters, `<kind>.<index>` (for example `dense.0`).
    var name: String { get }
    /// Per-sample input shape (for example `[784]` or `[1, 28, 28]`).
    var inputShape: [Int] { get }
    /// Per-sample output shape.
    var outputShape: [Int] { get }
    /// The parameter tensors this layer needs (empty for parameter-free layers).
    var parameterSpecs: [ParameterSpec] { get }
    /// False for the first layer of a model: its input gradient is never used, so backward
    /// may skip computing it (one GEMM saved for a dense layer).
    var needsInputGradient: Bool { get set }
    /// Called once after the store exists: the layer looks up its slices by name.
    func bind(to store: ParameterStore)
    /// Writes initial values into this layer's parameters, drawing from `generator`.
    func initializeParameters(in store: ParameterStore, generator: inout SplitMix64)
    /// y = f(x; θ) for a micro-batch; caches what backward needs.
    func forward(_ input: Matrix, context: PassContext) -> Matrix
    /// Given ∂L/∂y, adds ∂L/∂θ into the gradients and returns ∂L/∂x.
    func backward(_ outputGradient: Matrix, context: PassContext) -> Matrix
    /// Whether ``backward(_:context:)`` writes every element of this layer's parameter
    /// gradients, instead of adding to them, when `context.accumulatesGradients` is false.
    var overwritesParameterGradients: Bool { get }
}

extension Layer {
    /// Layers without parameters have nothing to overwrite; layers with parameters add unless
    /// they say otherwise.
    public var overwritesParameterGradients: Bool { parameterSpecs.isEmpty }

    /// Number of floats per sample in the input: product of ``inputShape``.
    public var inputSize: Int { inputShape.reduce(1, *) }
    /// Number of floats per sample in the output: product of ``outputShape``.
    public var outputSize: Int { outputShape.reduce(1, *) }
}
