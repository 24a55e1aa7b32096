/// A residual block (He et al. 2016, "Deep Residual Learning for Image Recognition"):
///
///     y = f(F(x) + S(x))
///
/// F is a sequence of layers (the body), S the shortcut: the identity, or a layer (usually a
/// 1×1 ``Conv2D`` projection with the body's stride) when F changes the shape; f is applied
/// after the sum (ReLU by default). Shapes: X `n × inputSize` → Y `n × outputSize`, where the
/// body and the shortcut must produce the same per-sample shape. Backward, with dZ = dY ⊙ f′:
///
///     dX = backward_F(dZ) + backward_S(dZ)      (backward_S = identity for the identity shortcut)
///
/// Parameters are the sublayers' own, named `<block>.<sub>.weight` etc. (for example
/// `residual.3.conv1.weight`, `residual.3.bn1.running_mean`, `residual.3.shortcut.weight`),
/// body first, then the shortcut.
public final class ResidualBlock: Layer {
    /// The layer's name, `<kind>.<position>`; prefixes its sublayers' names (``Layer/name``).
    public let name: String
    /// Per-sample input shape.
    public let inputShape: [Int]
    /// Per-sample output shape (the body's).
    public let outputShape: [Int]
    /// F, applied in order.
    public let body: [any Layer]
    /// S, or nil for the identity.
    public let shortcut: (any Layer)?
    /// f after the sum.
    public let activation: Activation
    /// Whether backward computes dX; passed on to the body's first layer and the shortcut.
    public var needsInputGradient = true {
        didSet {
            body[0].needsInputGradient = needsInputGradient
            shortcut?.needsInputGradient = needsInputGradient
        }
    }

    /// Body then shortcut (what ``BatchNormSynchronizer`` walks).
    public var sublayers: [any Layer] { body + (shortcut.map { [$0] } ?? []) }

    /// X, a view of the caller's input (valid until backward).
    private var input: Matrix?
    /// Z = F(X) + S(X), `n × out`; only kept apart from Y when f is not the identity.
    private let sum = FloatBuffer()
    /// Y = f(Z), `n × out`.
    private let output = FloatBuffer()
    /// dZ, `n × out`.
    private let sumGradient = FloatBuffer()
    /// dX, `n × in`.
    private let inputGradient = FloatBuffer()

    /// - Parameters:
    ///   - name: by convention `residual.<position in the model>`.
    ///   - inputShape: per-sample input shape.
    ///   - body: F, at least one layer, consecutive shapes agreeing, first taking `inputShape`.
    ///   - shortcut: S (taking `inputShape`, producing the body's output shape) or nil
    ///     (identity; then the body must preserve the shape).
    ///   - activation: f, default `.relu`.
    public init(name: String, inputShape: [Int], body: [any Layer], shortcut: (any Layer)?,
                activation: Activation = .relu) {
        precondition(!body.isEmpty, "ResidualBlock \(name): empty body")
        precondition(body[0].inputSize == inputShape.reduce(1, *), "ResidualBlock \(name): body does not take \(inputShape)")
        for i in body.indices.dropFirst() {
            precondition(body[i - 1].outputSize == body[i].inputSize,
                         "ResidualBlock \(name): \(body[i - 1].name) outputs \(body[i - 1].outputShape) but \(body[i].name) expects \(body[i].inputShape)")
        }
        let out = body[body.count - 1].outputShape
        if let shortcut {
            precondition(shortcut.inputSize == inputShape.reduce(1, *) && shortcut.outputSize == out.reduce(1, *),
                         "ResidualBlock \(name): shortcut maps \(shortcut.inputShape) → \(shortcut.outputShape), need \(inputShape) → \(out)")
        } else {
            precondition(out.reduce(1, *) == inputShape.reduce(1, *),
                         "ResidualBlock \(name): identity shortcut needs the body to keep \(inputShape), it gives \(out)")
        }
        self.name = name
        self.inputShape = inputShape
        self.outputShape = out
        self.body = body
        self.shortcut = shortcut
        self.activation = activation
    }

    /// The basic ResNet block on `[C, H, W]`: F = conv3×3(stride s, pad 1, no bias) → BN → ReLU
    /// → conv3×3(pad 1, no bias) → BN, named `conv1`, `bn1` (the ReLU fused into it), `conv2`, `bn2`; S = the
    /// identity when the shape is kept, else a 1×1 convolution with stride s and no bias
    /// (`shortcut`); ReLU after the sum.
    ///
    /// - Parameters:
    ///   - channels: output channels O.
    ///   - stride: s of the first convolution and the projection (default 1).
    ///   - synchronizedBatchNorm: BN mode of both BN layers (default ghost).
    public static func basic(name: String, inputShape: [Int], channels: Int, stride: Int = 1,
                             synchronizedBatchNorm: Bool = false, momentum: Double = 0.1,
                             epsilon: Double = 1e-5) -> ResidualBlock {
        let conv1 = Conv2D(name: "\(name).conv1", inputShape: inputShape, outputChannels: channels,
                           kernel: (3, 3), stride: stride, padding: 1, usesBias: false)
        let bn1 = BatchNorm(name: "\(name).bn1", inputShape: conv1.outputShape, momentum: momentum,
                            epsilon: epsilon, synchronized: synchronizedBatchNorm, activation: .relu)
        let conv2 = Conv2D(name: "\(name).conv2", inputShape: conv1.outputShape, outputChannels: channels,
                           kernel: (3, 3), stride: 1, padding: 1, usesBias: false)
        let bn2 = BatchNorm(name: "\(name).bn2", inputShape: conv2.outputShape, momentum: momentum,
                            epsilon: epsilon, synchronized: synchronizedBatchNorm)
        let shortcut: (any Layer)? = conv2.outputShape == inputShape ? nil
            : Conv2D(name: "\(name).shortcut", inputShape: inputShape, outputChannels: channels,
                     kernel: (1, 1), stride: stride, padding: 0, usesBias: false)
        return ResidualBlock(name: name, inputShape: inputShape, body: [conv1, bn1, conv2, bn2], shortcut: shortcut)
    }

    /// The sublayers' specs: body in order, then the shortcut.
    public var parameterSpecs: [ParameterSpec] { sublayers.flatMap(\.parameterSpecs) }

    /// Binds every sublayer.
    public func bind(to store: ParameterStore) { for layer in sublayers { layer.bind(to: store) } }

    /// Initialises the sublayers in order from the one generator.
    public func initializeParameters(in store: ParameterStore, generator: inout SplitMix64) {
        for layer in sublayers { layer.initializeParameters(in: store, generator: &generator) }
    }

    /// Y = f(F(X) + S(X)), `n × out` (a view of a buffer this block owns).
    public func forward(_ input: Matrix, context: PassContext) -> Matrix {
        precondition(input.columns == inputSize, "ResidualBlock \(name): input has \(input.columns) columns, expected \(inputSize)")
        self.input = input
        var h = input
        for layer in body { h = layer.forward(h, context: context) }
        let s = shortcut?.forward(input, context: context) ?? input
        let n = input.rows, count = n * outputSize
        let y = output.matrix(rows: n, columns: outputSize)
        let z = activation.isIdentity ? y : sum.matrix(rows: n, columns: outputSize)
        for i in 0..<count { z.base[i] = h.base[i] + s.base[i] }
        if !activation.isIdentity { activation.forward(z.base, output: y.base, count: count) }
        return y
    }

    /// dX = F′ᵀ·dZ + S′ᵀ·dZ with dZ = dY ⊙ f′(Z), `n × in` (or `0 × in`); sublayers add their
    /// parameter gradients.
    public func backward(_ outputGradient: Matrix, context: PassContext) -> Matrix {
        guard let input else { preconditionFailure("ResidualBlock \(name): backward without forward") }
        let n = input.rows, count = n * outputSize
        precondition(outputGradient.rows == n && outputGradient.columns == outputSize,
                     "ResidualBlock \(name): gradient shape does not match the last forward")
        let dZ: Matrix
        if activation.isIdentity {
            dZ = outputGradient
        } else {
            dZ = sumGradient.matrix(rows: n, columns: outputSize)
            activation.backward(preActivation: sum.base, output: output.base, outputGradient: outputGradient.base,
                                inputGradient: dZ.base, count: count)
        }
        var g = dZ
        for layer in body.reversed() { g = layer.backward(g, context: context) }
        let s = shortcut?.backward(dZ, context: context) ?? dZ
        guard needsInputGradient else { return Matrix(base: inputGradient.base, rows: 0, columns: inputSize) }
        let dX = inputGradient.matrix(rows: n, columns: inputSize)
        for i in 0..<(n * inputSize) { dX.base[i] = g.base[i] + s.base[i] }
        return dX
    }
}
