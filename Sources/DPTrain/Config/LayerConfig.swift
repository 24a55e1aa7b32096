/// One entry of `model.layers`: the layer's kind as its only key of a fixed set, plus options.
///
///     {dense: 1024, activation: relu, init: he_normal, bias: true, bias_init: 0.0}
///     {dropout: 0.2}
///     {activation: tanh}          # standalone activation (also leaky_relu with slope)
///     {flatten: {}}   {softmax: {}}
public enum LayerConfig: Equatable, Sendable {
    case dense(units: Int, activation: ActivationConfig, initializer: String, bias: Bool, biasInit: Double)
    case dropout(rate: Double)
    case activation(ActivationConfig)
    case flatten
    case softmax

    public static let kinds = ["dense", "dropout", "activation", "flatten", "softmax"]
    public static let activations = Activation.configNames
    public static let initializers = Initializer.configNames

    init(_ reader: ConfigReader) throws {
        let kind = reader.keys.first(where: { LayerConfig.kinds.contains($0) })
        guard let kind else {
            let found = reader.keys.first ?? "(nothing)"
            throw ConfigError.unknownKey(path: reader.path + "." + found, line: nil,
                                         suggestion: ConfigReader.nearest(to: found, in: LayerConfig.kinds),
                                         valid: LayerConfig.kinds)
        }
        switch kind {
        case "dense":
            let units = try reader.int("dense", allowed: "a number of units ≥ 1", where: { $0 >= 1 })
            let activation = try ActivationConfig(reader, key: "activation", default: "identity")
            let initDefault = activation.name == "relu" || activation.name == "leaky_relu" ? "he_normal" : "xavier_uniform"
            self = .dense(units: units, activation: activation,
                          initializer: try reader.string("init", default: initDefault, choices: LayerConfig.initializers),
                          bias: try reader.bool("bias", default: true),
                          biasInit: try reader.double("bias_init", default: 0))
        case "dropout":
            self = .dropout(rate: try reader.double("dropout", allowed: "a probability in [0, 1)",
                                                    where: { $0 >= 0 && $0 < 1 }))
        case "activation":
            self = .activation(try ActivationConfig(reader, key: "activation", default: nil))
        case "flatten":
            _ = reader.raw("flatten")
            self = .flatten
        default:
            _ = reader.raw("softmax")
            self = .softmax
        }
        try reader.finish()
    }
}

/// An activation function by name, with its parameters (`slope` for leaky ReLU,
/// `min`/`max` for hard tanh, `alpha` for ELU).
public struct ActivationConfig: Equatable, Sendable {
    public var name: String
    public var slope: Double
    public var minimum: Double
    public var maximum: Double
    public var alpha: Double

    init(_ reader: ConfigReader, key: String, default defaultName: String?) throws {
        name = try reader.string(key, default: defaultName, choices: LayerConfig.activations)
        slope = name == "leaky_relu" ? try reader.double("slope", default: 0.01) : 0.01
        minimum = name == "hard_tanh" ? try reader.double("min", default: -1) : -1
        maximum = name == "hard_tanh" ? try reader.double("max", default: 1) : 1
        alpha = name == "elu" ? try reader.double("alpha", default: 1) : 1
    }
}
