/// A parameter-free 2-D pooling layer (``AvgPool2D``, ``MaxPool2D``): its shapes, window and
/// stride all come from its ``geometry``.
public protocol PoolingLayer: Layer {
    /// The layer's windows: input `[C, H, W]`, k × k window, stride s, output `[C, OH, OW]`.
    var geometry: PoolingGeometry { get }
}

extension PoolingLayer {
    /// Per-sample input shape `[C, H, W]`.
    public var inputShape: [Int] { geometry.inputShape }
    /// Per-sample output shape `[C, OH, OW]`.
    public var outputShape: [Int] { geometry.outputShape }
    /// Window size k (k × k).
    public var kernel: Int { geometry.kernel }
    /// Stride s (default k: non-overlapping windows).
    public var stride: Int { geometry.stride }
    /// None: pooling has no parameters.
    public var parameterSpecs: [ParameterSpec] { [] }

    /// Nothing to bind.
    public func bind(to store: ParameterStore) {}
    /// Nothing to initialise.
    public func initializeParameters(in store: ParameterStore, generator: inout SplitMix64) {}
}
