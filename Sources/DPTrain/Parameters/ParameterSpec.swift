/// A parameter tensor a layer asks for before the ``ParameterStore`` is allocated.
public struct ParameterSpec: Sendable, Equatable {
    /// Public name, for example `"dense.0.weight"` (the safetensors / checkpoint name).
    public var name: String
    /// Shape, outermost first: dense weights are `[out, in]`, biases `[out]`.
    public var shape: [Int]
    public var role: ParameterRole
    /// Whether weight decay (L2, decoupled or L1) applies; by default only to weights.
    public var decays: Bool

    public init(name: String, shape: [Int], role: ParameterRole, decays: Bool? = nil) {
        self.name = name
        self.shape = shape
        self.role = role
        self.decays = decays ?? (role == .weight)
    }

    /// Number of elements: the product of `shape`.
    public var count: Int { shape.reduce(1, *) }
}
