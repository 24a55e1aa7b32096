/// A model: layers applied in order over one flat ``ParameterStore`` (STYLE B1, B2).
///
/// Building it collects every layer's ``ParameterSpec``s in layer order into one store, binds
/// each layer to it and sets `needsInputGradient = false` on the first layer and on every
/// layer with no parameterised layer before it (their dX is never used). Forward runs the layers in order, backward in reverse, each adding into
/// ``store``'s gradients.
///
/// Naming convention: layer `i` of the model is named `<kind>.<i>` (`dense.0`, `dropout.1`,
/// `dense.2`), so parameters are `dense.0.weight`, `dense.0.bias`, `dense.2.weight`, … —
/// the safetensors names of DESIGN §4. Names must be unique (checked here).
public final class Sequential {
    /// The layers in forward order.
    public let layers: [any Layer]
    /// All parameters and gradients, in layer order.
    public let store: ParameterStore

    /// The position of each layer in the model's config list (the initialisation stream of
    /// its parameters); `0 ..< layers.count` unless a builder fused layers away.
    public let positions: [Int]

    /// Builds the store and binds the layers.
    ///
    /// - Parameter positions: each layer's position in the config list (default: its index);
    ///   ``ModelBuilder`` passes them when a fused activation has no layer of its own, so the
    ///   layers after it keep their initial values.
    /// Preconditions: at least one layer; consecutive sizes agree
    /// (`layers[i].outputSize == layers[i+1].inputSize`); layer names are unique; `positions`
    /// has one increasing entry per layer.
    public init(_ layers: [any Layer], positions: [Int]? = nil) {
        precondition(!layers.isEmpty, "Sequential needs at least one layer")
        let positions = positions ?? Array(layers.indices)
        precondition(positions.count == layers.count && zip(positions, positions.dropFirst()).allSatisfy { $0 < $1 },
                     "Sequential: positions must be increasing, one per layer")
        self.positions = positions
        for i in layers.indices.dropFirst() {
            precondition(layers[i - 1].outputSize == layers[i].inputSize,
                         "\(layers[i - 1].name) outputs \(layers[i - 1].outputShape) but \(layers[i].name) expects \(layers[i].inputShape)")
        }
        precondition(Set(layers.map(\.name)).count == layers.count, "layer names must be unique")
        self.layers = layers
        self.store = ParameterStore(specs: layers.flatMap(\.parameterSpecs))
        for layer in layers { layer.bind(to: store) }
        // Layer i needs dX only if some layer before it has parameters: the first layer never
        // does, nor a dense layer behind a leading Flatten (one GEMM saved each).
        var parametersBefore = false
        for layer in layers {
            layer.needsInputGradient = parametersBefore
            parametersBefore = parametersBefore || !layer.parameterSpecs.isEmpty
        }
    }

    /// Convenience for `Sequential([a, b, c])`.
    public convenience init(_ layers: any Layer...) { self.init(layers, positions: nil) }

    /// P, the total number of parameters.
    public var parameterCount: Int { store.count }
    /// Per-sample input shape (of the first layer).
    public var inputShape: [Int] { layers[0].inputShape }
    /// Per-sample output shape (of the last layer).
    public var outputShape: [Int] { layers[layers.count - 1].outputShape }

    /// Initialises every layer's parameters. The layer at config position `i` (``positions``)
    /// draws from its own stream `SplitMix64(keys: seed, RandomStream.initialization.rawValue, i)`,
    /// so adding or changing one layer does not change the initial values of the others.
    public func initializeParameters(seed: UInt64) {
        for (position, layer) in zip(positions, layers) {
            var generator = SplitMix64(keys: seed, RandomStream.initialization.rawValue, UInt64(position))
            layer.initializeParameters(in: store, generator: &generator)
        }
    }

    /// Output of the last layer for `input` (`n × inputSize` → `n × outputSize`), a view of a
    /// buffer owned by a layer (or `input` itself), valid until the next call.
    /// `input` must stay valid until ``backward(_:context:)``.
    public func forward(_ input: Matrix, context: PassContext) -> Matrix {
        var x = input
        for layer in layers { x = layer.forward(x, context: context) }
        return x
    }

    /// Backpropagates ∂L/∂output (`n × outputSize`, for the last forward) through every
    /// layer in reverse, adding ∂L/∂θ into ``store``'s gradients.
    /// Whether every layer can write (not add) its parameter gradients: then the first
    /// micro-step of an update passes `accumulatesGradients: false` instead of zeroing ∇.
    public var overwritesParameterGradients: Bool { layers.allSatisfy(\.overwritesParameterGradients) }

    public func backward(_ outputGradient: Matrix, context: PassContext) {
        var gradient = outputGradient
        for layer in layers.reversed() { gradient = layer.backward(gradient, context: context) }
    }
}
