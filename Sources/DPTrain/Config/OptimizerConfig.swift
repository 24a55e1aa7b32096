/// `optimizer:` — the update rule and its hyperparameters, named and defaulted as in
/// `torch.optim` (README "Optimizers" gives each rule).
public struct OptimizerConfig: Equatable, Sendable {
    public var name: String
    /// Learning rate for the base batch (`lr_schedule.scale.base_batch`).
    public var learningRate: Double
    public var momentum: Double
    public var dampening: Double
    public var nesterov: Bool
    /// Coupled L2 weight decay (added to the gradient), or decoupled for `adamw`/`decoupled: true`.
    public var weightDecay: Double
    /// SGD only: apply weight decay decoupled (θ ← θ − η·λ·θ), as SGDW.
    public var decoupled: Bool
    /// L1 penalty coefficient (adds λ₁·sign(θ) to the gradient).
    public var l1: Double
    public var beta1: Double
    public var beta2: Double
    public var epsilon: Double
    public var amsgrad: Bool
    public var alpha: Double
    public var centered: Bool
    public var lrDecay: Double
    public var initialAccumulatorValue: Double
    public var trustCoefficient: Double

    public static let names = ["sgd", "adagrad", "rmsprop", "adam", "adamw", "lars", "lamb"]

    init(_ reader: ConfigReader) throws {
        name = try reader.string("name", default: "sgd", choices: OptimizerConfig.names)
        let positive: (Double) -> Bool = { $0 > 0 && $0.isFinite }
        let nonNegative: (Double) -> Bool = { $0 >= 0 && $0.isFinite }
        let unit: (Double) -> Bool = { $0 >= 0 && $0 < 1 }
        learningRate = try reader.double("lr", default: name == "adam" || name == "adamw" || name == "lamb" ? 0.001 : (name == "rmsprop" ? 0.01 : 0.01),
                                         allowed: "a learning rate > 0", where: positive)
        weightDecay = try reader.double("weight_decay", default: name == "adamw" ? 0.01 : 0,
                                        allowed: "a coefficient ≥ 0", where: nonNegative)
        l1 = try reader.double("l1", default: 0, allowed: "a coefficient ≥ 0", where: nonNegative)
        momentum = 0; dampening = 0; nesterov = false; decoupled = false
        beta1 = 0.9; beta2 = 0.999; epsilon = 1e-8; amsgrad = false
        alpha = 0.99; centered = false; lrDecay = 0; initialAccumulatorValue = 0; trustCoefficient = 0.001
        switch name {
        case "sgd", "lars":
            momentum = try reader.double("momentum", default: name == "lars" ? 0.9 : 0, allowed: "a value in [0, 1)", where: unit)
            if name == "sgd" {
                dampening = try reader.double("dampening", default: 0, allowed: "a value in [0, 1]", where: { $0 >= 0 && $0 <= 1 })
                nesterov = try reader.bool("nesterov", default: false)
                decoupled = try reader.bool("decoupled", default: false)
                if nesterov && (momentum == 0 || dampening != 0) {
                    throw ConfigError.inconsistent(message:
                        "optimizer.nesterov: true needs optimizer.momentum > 0 and optimizer.dampening: 0 (as in torch.optim.SGD)")
                }
            } else {
                trustCoefficient = try reader.double("trust_coefficient", default: 0.001, allowed: "a value > 0", where: positive)
                epsilon = try reader.double("eps", default: 1e-8, allowed: "a value ≥ 0", where: nonNegative)
            }
        case "adagrad":
            lrDecay = try reader.double("lr_decay", default: 0, allowed: "a value ≥ 0", where: nonNegative)
            initialAccumulatorValue = try reader.double("initial_accumulator_value", default: 0,
                                                        allowed: "a value ≥ 0", where: nonNegative)
            epsilon = try reader.double("eps", default: 1e-10, allowed: "a value ≥ 0", where: nonNegative)
        case "rmsprop":
            alpha = try reader.double("alpha", default: 0.99, allowed: "a value in [0, 1)", where: unit)
            epsilon = try reader.double("eps", default: 1e-8, allowed: "a value ≥ 0", where: nonNegative)
            momentum = try reader.double("momentum", default: 0, allowed: "a value in [0, 1)", where: unit)
            centered = try reader.bool("centered", default: false)
        default:  // adam, adamw, lamb
            let betas = try reader.doubles("betas", default: [0.9, 0.999], allowed: "two values in [0, 1)", where: unit)
            guard betas.count == 2 else {
                throw ConfigError.outOfRange(path: "optimizer.betas", line: nil, value: "\(betas)",
                                             allowed: "two values [beta1, beta2] in [0, 1)")
            }
            beta1 = betas[0]; beta2 = betas[1]
            epsilon = try reader.double("eps", default: name == "lamb" ? 1e-6 : 1e-8, allowed: "a value ≥ 0", where: nonNegative)
            if name != "lamb" { amsgrad = try reader.bool("amsgrad", default: false) }
        }
    }
}
