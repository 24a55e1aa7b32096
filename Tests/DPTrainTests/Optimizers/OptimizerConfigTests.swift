import DPTrain
import Testing

/// `optimizer:` is parsed once into the chosen optimizer's options: the registry names, the
/// per-optimizer defaults of the common keys, the momentum the noise-scale metric reads, the
/// key order of `config.resolved.yaml` and the rejection of another optimizer's keys. The
/// expected values are those of the string-keyed `OptimizerConfig` this replaced.
@Suite("Optimizer config")
struct OptimizerConfigTests {
    /// (name, default lr, default weight_decay, default momentum, keys in resolved order).
    static let expectations: [(String, Double, Double, Double, [String])] = [
        ("sgd", 0.01, 0, 0, ["momentum", "dampening", "nesterov", "decoupled", "momentum_correction"]),
        ("adagrad", 0.01, 0, 0, ["lr_decay", "initial_accumulator_value", "eps"]),
        ("rmsprop", 0.01, 0, 0, ["alpha", "eps", "momentum", "centered"]),
        ("adam", 0.001, 0, 0, ["betas", "eps", "amsgrad"]),
        ("adamw", 0.001, 0.01, 0, ["betas", "eps", "amsgrad"]),
        ("lars", 0.01, 0, 0.9, ["momentum", "trust_coefficient", "eps", "momentum_correction"]),
        ("lamb", 0.001, 0, 0, ["betas", "eps"]),
    ]

    static func config(_ optimizer: String, _ overrides: [String] = []) throws -> TrainingConfig {
        try TrainingTestSupport.config("""
            name: optimizer-config
            data: {dataset: spirals, samples: 64, test_samples: 16}
            model: {input: [2], layers: [{dense: 2}]}
            optimizer: \(optimizer)
            """, overrides)
    }

    static func resolvedKeys(_ config: TrainingConfig) -> [String] {
        guard case let .map(root, _) = config.resolved,
              case let .map(optimizer, _)? = root.first(where: { $0.key == "optimizer" })?.value else { return [] }
        return optimizer.map(\.key)
    }

    @Test("the registry lists the names in the order error messages give them")
    func names() {
        #expect(OptimizerRegistry.names == ["sgd", "adagrad", "rmsprop", "adam", "adamw", "lars", "lamb"])
        #expect(OptimizerConfig.names == OptimizerRegistry.names)
    }

    @Test("each name gets its defaults, its key order and its optimizer")
    func defaults() throws {
        for (name, learningRate, weightDecay, momentum, keys) in Self.expectations {
            let config = try Self.config("{name: \(name)}")
            #expect(config.optimizer.name == name)
            #expect(config.optimizer.learningRate == learningRate, "\(name)")
            #expect(config.optimizer.weightDecay == weightDecay, "\(name)")
            #expect(config.optimizer.l1 == 0, "\(name)")
            #expect(config.optimizer.momentum == momentum, "\(name)")
            #expect(Self.resolvedKeys(config) == ["name", "lr", "weight_decay", "l1"] + keys, "\(name)")
            let optimizer = config.optimizer.makeOptimizer(parameterCount: 3)
            #expect(optimizer.name == name)
        }
        #expect(try Self.config("null").optimizer.name == "sgd")
    }

    @Test("momentum (the noise-scale metric's μ) is the configured one for sgd, lars and rmsprop only")
    func momentum() throws {
        for name in ["sgd", "lars", "rmsprop"] {
            #expect(try Self.config("{name: \(name), momentum: 0.5}").optimizer.momentum == 0.5, "\(name)")
        }
    }

    @Test("options are typed values: adam and adamw differ only in the decay mode")
    func typedOptions() throws {
        let adam = try Self.config("{name: adam, betas: [0.8, 0.9], amsgrad: true}").optimizer
        let options = try #require(adam.options as? Adam.Options)
        #expect(options.beta1 == 0.8 && options.beta2 == 0.9 && options.amsgrad && options.weightDecayMode == .coupled)
        let adamW = try #require(try Self.config("{name: adamw}").optimizer.options as? Adam.Options)
        #expect(adamW.weightDecayMode == .decoupled)
        #expect(adam != (try Self.config("{name: adam}").optimizer))
        #expect(adam == (try Self.config("{name: adam, betas: [0.8, 0.9], amsgrad: true}").optimizer))
        let sgd = try #require(try Self.config("{name: sgd, momentum: 0.9, nesterov: true}").optimizer.options
                               as? SGD.Options)
        #expect(sgd.momentum == 0.9 && sgd.nesterov && !sgd.decoupled && sgd.dampening == 0 && sgd.momentumCorrection)
    }

    @Test("momentum_correction: true by default for sgd and lars; false builds the velocity form")
    func momentumCorrection() throws {
        for name in ["sgd", "lars"] {
            let corrected = try Self.config("{name: \(name), momentum: 0.9}").optimizer
            let uncorrected = try Self.config("{name: \(name), momentum: 0.9, momentum_correction: false}").optimizer
            #expect(corrected != uncorrected, "\(name)")
            let optimizers = [corrected, uncorrected].map { $0.makeOptimizer(parameterCount: 3) }
            #expect(optimizers.map { $0.stateBuffers.map(\.name) } == [["momentum_buffer"], ["velocity"]], "\(name)")
        }
        let sgd = try #require(try Self.config("{name: sgd, momentum: 0.9}", ["optimizer.momentum_correction=false"])
            .optimizer.makeOptimizer(parameterCount: 3) as? SGD)
        #expect(!sgd.momentumCorrection)
        let lars = try #require(try Self.config("{name: lars}").optimizer.makeOptimizer(parameterCount: 3) as? LARS)
        #expect(lars.momentumCorrection)
        #expect(throws: ConfigError.self) { try Self.config("{name: adam, momentum_correction: false}") }
    }

    @Test("a key of another optimizer is an unknown key naming the valid ones")
    func foreignKey() {
        do {
            _ = try Self.config("{name: adam}", ["optimizer.momentum=0.9"])
            Issue.record("optimizer.momentum was accepted for adam")
        } catch let ConfigError.unknownKey(path, _, _, valid) {
            #expect(path == "optimizer.momentum")
            #expect(valid == ["name", "lr", "weight_decay", "l1", "betas", "eps", "amsgrad"])
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }
}
