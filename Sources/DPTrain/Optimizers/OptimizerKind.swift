/// One value of `optimizer.name`: its defaults for the keys every optimizer reads and the
/// reader of its own keys. Each optimizer file declares its kind(s); ``OptimizerRegistry``
/// lists them.
public struct OptimizerKind: Sendable {
    /// The config name (`sgd`, `adamw`, …), also written in checkpoints.
    public let name: String
    /// Default of `optimizer.lr`.
    public let defaultLearningRate: Double
    /// Default of `optimizer.weight_decay`.
    public let defaultWeightDecay: Double
    /// Reads the optimizer's own keys from the `optimizer:` map, with their defaults and
    /// range checks (after `name`, `lr`, `weight_decay` and `l1`).
    public let readOptions: @Sendable (ConfigReader) throws -> any OptimizerOptions

    /// - Parameters:
    ///   - name: the config name.
    ///   - defaultLearningRate: default `lr`, 0.01 unless given.
    ///   - defaultWeightDecay: default `weight_decay`, 0 unless given.
    ///   - readOptions: the reader of the optimizer's own keys.
    public init(name: String, defaultLearningRate: Double = 0.01, defaultWeightDecay: Double = 0,
                readOptions: @escaping @Sendable (ConfigReader) throws -> any OptimizerOptions) {
        self.name = name
        self.defaultLearningRate = defaultLearningRate
        self.defaultWeightDecay = defaultWeightDecay
        self.readOptions = readOptions
    }
}
