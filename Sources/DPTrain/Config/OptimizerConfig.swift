/// `optimizer:` — which update rule, parsed once into that optimizer's own options, plus the
/// keys every optimizer reads. Named and defaulted as in `torch.optim` (README "Optimizers"
/// gives each rule and its keys).
///
/// The map is read in a fixed order — `name`, `lr`, `weight_decay`, `l1`, then the chosen
/// optimizer's own keys (``OptimizerKind/readOptions``) — which is also the order of
/// `config.resolved.yaml`.
public struct OptimizerConfig: Equatable, Sendable {
    /// The `optimizer.name` chosen (`sgd`, `adamw`, …), for printing; behaviour lives in ``options``.
    public let name: String
    /// `lr`: learning rate for the base batch (`lr_schedule.scale.base_batch`), > 0;
    /// default 0.001 for adam, adamw and lamb, else 0.01.
    public var learningRate: Double
    /// `weight_decay`: λ ≥ 0, coupled (L2) or, for `adamw`, `lamb` and `decoupled: true`,
    /// decoupled; default 0.01 for adamw, else 0.
    public var weightDecay: Double
    /// `l1`: L1 penalty coefficient (adds l1·sign(θ) to the gradient), ≥ 0, default 0.
    public var l1: Double
    /// The chosen optimizer's own keys (for example ``SGD/Options``).
    public let options: any OptimizerOptions

    /// μ, the momentum the noise-scale metric uses: `momentum` for sgd, lars and rmsprop, 0
    /// for the others.
    public var momentum: Double { options.momentum }

    /// The values `optimizer.name` accepts.
    public static var names: [String] { OptimizerRegistry.names }

    init(_ reader: ConfigReader) throws {
        name = try reader.string("name", default: "sgd", choices: OptimizerRegistry.names)
        guard let kind = OptimizerRegistry.kind(named: name) else { preconditionFailure("\(name) is a choice") }
        let nonNegative: (Double) -> Bool = { $0 >= 0 && $0.isFinite }
        learningRate = try reader.double("lr", default: kind.defaultLearningRate,
                                         allowed: "a learning rate > 0", where: { $0 > 0 && $0.isFinite })
        weightDecay = try reader.double("weight_decay", default: kind.defaultWeightDecay,
                                        allowed: "a coefficient ≥ 0", where: nonNegative)
        l1 = try reader.double("l1", default: 0, allowed: "a coefficient ≥ 0", where: nonNegative)
        options = try kind.readOptions(reader)
    }

    /// The configured optimizer for P = `parameterCount` parameters.
    public func makeOptimizer(parameterCount: Int) -> any Optimizer {
        options.makeOptimizer(parameterCount: parameterCount, weightDecay: Float(weightDecay), l1: Float(l1))
    }

    public static func == (lhs: OptimizerConfig, rhs: OptimizerConfig) -> Bool {
        lhs.name == rhs.name && lhs.learningRate == rhs.learningRate && lhs.weightDecay == rhs.weightDecay
            && lhs.l1 == rhs.l1 && lhs.options.isEqual(to: rhs.options)
    }
}
