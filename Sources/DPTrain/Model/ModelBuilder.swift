/// Builds a ``Sequential`` model from `model.layers` (DESIGN §4), checking shapes as it goes.
///
/// Layer i of the list is named `<kind>.<i>` (`dense.1`, `dropout.2`), so parameter names are
/// `dense.1.weight` `[out, in]` and `dense.1.bias` `[out]` — the safetensors names.
public enum ModelBuilder {
    public static func build(layers: [LayerConfig], inputShape: [Int]) throws -> Sequential {
        var shape = inputShape
        var built: [any Layer] = []
        for (index, layer) in layers.enumerated() {
            let size = shape.reduce(1, *)
            switch layer {
            case let .dense(units, activation, initializer, bias, biasInit):
                guard shape.count == 1 else {
                    throw ConfigError.inconsistent(message:
                        "model.layers.\(index) (dense) gets input of shape \(shape); add {flatten: {}} before it")
                }
                built.append(Dense(name: "dense.\(index)", inputSize: size, outputSize: units,
                                   activation: makeActivation(activation), usesBias: bias,
                                   weightInitializer: try makeInitializer(initializer, path: "model.layers.\(index).init"),
                                   biasInitializer: biasInit == 0 ? .zeros : .constant(Float(biasInit))))
                shape = [units]
            case let .dropout(rate):
                built.append(Dropout(name: "dropout.\(index)", rate: Float(rate), shape: shape))
            case let .activation(activation):
                built.append(ActivationLayer(name: "activation.\(index)", activation: makeActivation(activation), shape: shape))
            case .flatten:
                built.append(Flatten(name: "flatten.\(index)", inputShape: shape))
                shape = [size]
            case .softmax:
                guard shape.count == 1 else {
                    throw ConfigError.inconsistent(message: "model.layers.\(index) (softmax) needs a flat input; add {flatten: {}}")
                }
                built.append(Softmax(name: "softmax.\(index)", size: size))
            }
        }
        return Sequential(built)
    }

    static func makeActivation(_ config: ActivationConfig) -> Activation {
        switch config.name {
        case "leaky_relu": return .leakyRelu(slope: Float(config.slope))
        case "hard_tanh": return .hardTanh(min: Float(config.minimum), max: Float(config.maximum))
        case "elu": return .elu(alpha: Float(config.alpha))
        default: return Activation(configName: config.name) ?? .identity
        }
    }

    static func makeInitializer(_ name: String, path: String) throws -> Initializer {
        guard let initializer = Initializer(configName: name) else {
            throw ConfigError.outOfRange(path: path, line: nil, value: name,
                                         allowed: Initializer.configNames.joined(separator: ", "))
        }
        return initializer
    }
}
