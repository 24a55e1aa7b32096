/// One entry of `model.layers`: the layer's kind as its only key of a fixed set, plus options.
///
///     {dense: 1024, activation: relu, init: he_normal, bias: true, bias_init: 0.0}
///     {dropout: 0.2}
///     {activation: tanh}          # standalone activation (also leaky_relu with slope)
///     {flatten: {}}   {softmax: {}}
///
/// Image layers (per-sample shapes flow as `[C, H, W]`; set `model.input: [1, 28, 28]`):
///
///     {conv2d: 32, kernel: 3, stride: 1, padding: 1, activation: relu, bias: false, init: he_normal}
///         kernel: k or [kh, kw] (default 3); stride default 1; padding default 0;
///         activation default identity; bias default true; init default he_normal
///     {maxpool: 2}  {maxpool: 3, stride: 2}       stride defaults to the window
///     {avgpool: 2}  {avgpool: 2, stride: 1}
///     {global_avgpool: {}}                         [C, H, W] → [C]
///     {batchnorm: {}}  {batchnorm: {sync: true, momentum: 0.1, eps: 1e-5}}
///         per channel for [C, H, W], per feature for flat inputs; sync = global-batch statistics
///     {layernorm: {}}  {layernorm: {eps: 1e-5}}     per sample over all its elements
///     {residual: 64, stride: 1, sync: false}       basic ResNet block (two 3×3 conv + BN, ReLU),
///                                                  1×1 projection shortcut when the shape changes
public enum LayerConfig: Equatable, Sendable {
    case dense(units: Int, activation: ActivationConfig, initializer: String, bias: Bool, biasInit: Double)
    case dropout(rate: Double)
    case activation(ActivationConfig)
    case flatten
    case softmax
    /// `{conv2d: O, kernel, stride, padding, activation, bias, init}`.
    case conv2d(channels: Int, kernel: [Int], stride: Int, padding: Int, activation: ActivationConfig,
                bias: Bool, initializer: String)
    /// `{maxpool: k, stride}` (stride nil = k).
    case maxPool(kernel: Int, stride: Int?)
    /// `{avgpool: k, stride}` (stride nil = k).
    case avgPool(kernel: Int, stride: Int?)
    /// `{global_avgpool: {}}`.
    case globalAvgPool
    /// `{batchnorm: {sync, momentum, eps}}`.
    case batchNorm(synchronized: Bool, momentum: Double, epsilon: Double)
    /// `{layernorm: {eps}}`.
    case layerNorm(epsilon: Double)
    /// `{residual: O, stride, sync}`.
    case residual(channels: Int, stride: Int, synchronized: Bool)

    public static let kinds = ["dense", "dropout", "activation", "flatten", "softmax", "conv2d", "maxpool",
                               "avgpool", "global_avgpool", "batchnorm", "layernorm", "residual"]
    public static let activations = Activation.configNames
    public static let initializers = Initializer.configNames

    init(_ reader: ConfigReader) throws {
        // `activation` is a layer kind and also an option of dense and conv2d layers: in
        // {dens: 64, activation: relu} the misspelt key beside it is the intended kind.
        let unknownKind = reader.keys.first { key in
            !LayerConfig.kinds.contains(key) && ConfigReader.nearest(to: key, in: LayerConfig.kinds) != nil
        }
        let kind = reader.keys.first(where: { LayerConfig.kinds.contains($0) })
        guard let kind, kind != "activation" || unknownKind == nil else {
            let found = unknownKind ?? reader.keys.first ?? "(nothing)"
            throw ConfigError.unknownKey(path: reader.path + "." + found, line: reader.raw(found)?.line,
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
        case "conv2d":
            let channels = try reader.int("conv2d", allowed: "a number of output channels ≥ 1", where: { $0 >= 1 })
            let kernel = try reader.doubles("kernel", default: [3], allowed: "a kernel size k ≥ 1 or [kh, kw]",
                                            where: { $0 >= 1 && $0 == $0.rounded() })
            guard kernel.count == 1 || kernel.count == 2 else {
                throw ConfigError.outOfRange(path: reader.path + ".kernel", line: nil, value: "\(kernel.map { Int($0) })",
                                             allowed: "k or [kh, kw]")
            }
            let activation = try ActivationConfig(reader, key: "activation", default: "identity")
            self = .conv2d(channels: channels, kernel: kernel.count == 1 ? [Int(kernel[0]), Int(kernel[0])] : kernel.map { Int($0) },
                           stride: try reader.int("stride", default: 1, allowed: "a stride ≥ 1", where: { $0 >= 1 }),
                           padding: try reader.int("padding", default: 0, allowed: "a padding ≥ 0", where: { $0 >= 0 }),
                           activation: activation,
                           bias: try reader.bool("bias", default: true),
                           initializer: try reader.string("init", default: "he_normal", choices: LayerConfig.initializers))
        case "maxpool", "avgpool":
            let window = try reader.int(kind, allowed: "a window size ≥ 1", where: { $0 >= 1 })
            let stride = reader.contains("stride")
                ? try reader.int("stride", allowed: "a stride ≥ 1", where: { $0 >= 1 }) : nil
            if stride == nil { _ = reader.raw("stride") }
            self = kind == "maxpool" ? .maxPool(kernel: window, stride: stride) : .avgPool(kernel: window, stride: stride)
        case "global_avgpool":
            _ = reader.raw("global_avgpool")
            self = .globalAvgPool
        case "batchnorm":
            let options = try reader.section("batchnorm")
            self = .batchNorm(synchronized: try options.bool("sync", default: false),
                              momentum: try options.double("momentum", default: 0.1, allowed: "a momentum in (0, 1]",
                                                           where: { $0 > 0 && $0 <= 1 }),
                              epsilon: try options.double("eps", default: 1e-5, allowed: "an epsilon > 0", where: { $0 > 0 }))
        case "layernorm":
            let options = try reader.section("layernorm")
            self = .layerNorm(epsilon: try options.double("eps", default: 1e-5, allowed: "an epsilon > 0", where: { $0 > 0 }))
        case "residual":
            self = .residual(channels: try reader.int("residual", allowed: "a number of output channels ≥ 1", where: { $0 >= 1 }),
                             stride: try reader.int("stride", default: 1, allowed: "a stride ≥ 1", where: { $0 >= 1 }),
                             synchronized: try reader.bool("sync", default: false))
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
