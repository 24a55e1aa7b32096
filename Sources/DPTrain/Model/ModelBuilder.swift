/// Builds a ``Sequential`` model from `model.layers` (DESIGN §4), checking shapes as it goes.
///
/// Layer i of the list is named `<kind>.<i>` (`dense.1`, `dropout.2`), so parameter names are
/// `dense.1.weight` `[out, in]` and `dense.1.bias` `[out]` — the safetensors names. Image
/// layers take and give `[C, H, W]` (conv2d, maxpool, avgpool, residual; global_avgpool gives
/// `[C]`); a shape that does not fit throws an error naming `model.layers.<index>`.
///
/// Fusion: a `batchnorm` directly followed by an `activation` whose derivative is a function
/// of its output (relu, leaky_relu, sigmoid, tanh, hard_tanh, elu) becomes one ``BatchNorm``
/// with that activation fused (same values and gradients, one pass less over the activations
/// each way); the activation's position then has no layer of its own (it has no parameters,
/// so every parameter name is unchanged).
public enum ModelBuilder {
    /// Throws unless `shape` is `[C, H, W]`.
    private static func requireImage(_ shape: [Int], index: Int, kind: String) throws {
        guard shape.count == 3 else {
            throw ConfigError.inconsistent(message:
                "model.layers.\(index) (\(kind)) needs an image input [C, H, W] but gets \(shape); "
                + "set model.input to e.g. [1, 28, 28] and put \(kind) before any flatten/dense")
        }
    }

    /// Throws unless a k×k window (after padding) fits `shape`'s height and width.
    private static func requireFit(_ shape: [Int], kernel: [Int], padding: Int, index: Int, kind: String) throws {
        guard shape[1] + 2 * padding >= kernel[0], shape[2] + 2 * padding >= kernel[1] else {
            throw ConfigError.inconsistent(message:
                "model.layers.\(index) (\(kind)): window \(kernel[0])×\(kernel[1]) with padding \(padding) does not fit its input \(shape)")
        }
    }

    public static func build(layers: [LayerConfig], inputShape: [Int]) throws -> Sequential {
        var shape = inputShape
        var built: [any Layer] = []
        var fusedIndex: Int?
        var positions: [Int] = []
        for (index, layer) in layers.enumerated() where index != fusedIndex {
            let size = shape.reduce(1, *)
            positions.append(index)
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
            case let .conv2d(channels, kernel, stride, padding, activation, bias, initializer):
                try requireImage(shape, index: index, kind: "conv2d")
                try requireFit(shape, kernel: kernel, padding: padding, index: index, kind: "conv2d")
                let conv = Conv2D(name: "conv2d.\(index)", inputShape: shape, outputChannels: channels,
                                  kernel: (kernel[0], kernel[1]), stride: stride, padding: padding,
                                  activation: makeActivation(activation), usesBias: bias,
                                  weightInitializer: try makeInitializer(initializer, path: "model.layers.\(index).init"))
                built.append(conv)
                shape = conv.outputShape
            case let .maxPool(kernel, stride):
                try requireImage(shape, index: index, kind: "maxpool")
                try requireFit(shape, kernel: [kernel, kernel], padding: 0, index: index, kind: "maxpool")
                let pool = MaxPool2D(name: "maxpool.\(index)", inputShape: shape, kernel: kernel, stride: stride)
                built.append(pool)
                shape = pool.outputShape
            case let .avgPool(kernel, stride):
                try requireImage(shape, index: index, kind: "avgpool")
                try requireFit(shape, kernel: [kernel, kernel], padding: 0, index: index, kind: "avgpool")
                let pool = AvgPool2D(name: "avgpool.\(index)", inputShape: shape, kernel: kernel, stride: stride)
                built.append(pool)
                shape = pool.outputShape
            case .globalAvgPool:
                try requireImage(shape, index: index, kind: "global_avgpool")
                built.append(GlobalAvgPool(name: "global_avgpool.\(index)", inputShape: shape))
                shape = [shape[0]]
            case let .batchNorm(synchronized, momentum, epsilon):
                guard (1...3).contains(shape.count) else {
                    throw ConfigError.inconsistent(message:
                        "model.layers.\(index) (batchnorm) needs an input of shape [C, H, W], [C, L] or [F], gets \(shape)")
                }
                var fused = Activation.identity
                if index + 1 < layers.count, case let .activation(next) = layers[index + 1],
                   !makeActivation(next).derivativeNeedsPreActivation {
                    fused = makeActivation(next)
                    fusedIndex = index + 1
                }
                built.append(BatchNorm(name: "batchnorm.\(index)", inputShape: shape, momentum: momentum,
                                       epsilon: epsilon, synchronized: synchronized, activation: fused))
            case let .layerNorm(epsilon):
                built.append(LayerNorm(name: "layernorm.\(index)", shape: shape, epsilon: epsilon))
            case let .residual(channels, stride, synchronized):
                try requireImage(shape, index: index, kind: "residual")
                let block = ResidualBlock.basic(name: "residual.\(index)", inputShape: shape, channels: channels,
                                                stride: stride, synchronizedBatchNorm: synchronized)
                built.append(block)
                shape = block.outputShape
            }
        }
        return Sequential(built, positions: positions)
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
