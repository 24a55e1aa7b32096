/// `lr_schedule:` — the learning rate as a function of progress, its warmup and its
/// scaling with the batch size (DESIGN §3.5–3.6).
public struct ScheduleConfig: Equatable, Sendable {
    /// constant, step, multistep, exponential, inverse, polynomial, cosine, cyclical, one_cycle, plateau.
    public var name: String
    /// `epochs` (default) or `updates`: the unit of every progress value below.
    public var unit: String
    public var stepSize: Double
    public var milestones: [Double]
    public var gamma: Double
    public var power: Double
    public var endFactor: Double
    /// Length T of polynomial/cosine/one-cycle schedules (default: `train.epochs`).
    public var length: Double?
    public var minFactor: Double
    public var restartPeriod: Double?
    public var restartMultiplier: Double
    public var cycleMode: String
    public var maxFactor: Double
    public var pctStart: Double
    public var divFactor: Double
    public var finalDivFactor: Double
    public var patience: Int
    public var threshold: Double
    public var cooldown: Int
    /// Linear warmup length (0 = none) and the factor of the target LR it starts from
    /// (nil: the unscaled base LR, as in Goyal et al. 2017).
    public var warmup: Double
    public var warmupStartFactor: Double?
    /// `none`, `linear` (η·B/base) or `sqrt` (η·√(B/base)).
    public var scaleRule: String
    public var baseBatch: Int

    public static let names = ["constant", "step", "multistep", "exponential", "inverse", "polynomial",
                               "cosine", "cyclical", "one_cycle", "plateau"]

    init(_ reader: ConfigReader) throws {
        name = try reader.string("name", default: "constant", choices: ScheduleConfig.names)
        unit = try reader.string("unit", default: "epochs", choices: ["epochs", "updates"])
        let positive: (Double) -> Bool = { $0 > 0 && $0.isFinite }
        stepSize = 1; milestones = []; gamma = 0.1; power = 1; endFactor = 0; length = nil; minFactor = 0
        restartPeriod = nil; restartMultiplier = 1; cycleMode = "triangular"; maxFactor = 10
        pctStart = 0.3; divFactor = 25; finalDivFactor = 1e4; patience = 10; threshold = 1e-4; cooldown = 0
        switch name {
        case "step":
            stepSize = try reader.double("step_size", allowed: "a length > 0", where: positive)
            gamma = try reader.double("gamma", default: 0.1, allowed: "a factor > 0", where: positive)
        case "multistep":
            milestones = try reader.doubles("milestones", allowed: "increasing progress values ≥ 0", where: { $0 >= 0 })
            guard zip(milestones, milestones.dropFirst()).allSatisfy({ $0 < $1 }) else {
                throw ConfigError.outOfRange(path: "lr_schedule.milestones", line: nil, value: "\(milestones)",
                                             allowed: "strictly increasing")
            }
            gamma = try reader.double("gamma", default: 0.1, allowed: "a factor > 0", where: positive)
        case "exponential":
            gamma = try reader.double("gamma", allowed: "a factor per unit of progress > 0", where: positive)
        case "inverse":
            gamma = try reader.double("gamma", allowed: "a rate ≥ 0", where: { $0 >= 0 })
            power = try reader.double("power", default: 1, allowed: "a power > 0", where: positive)
        case "polynomial":
            power = try reader.double("power", default: 1, allowed: "a power > 0", where: positive)
            endFactor = try reader.double("end_factor", default: 0, allowed: "a factor in [0, 1]", where: { $0 >= 0 && $0 <= 1 })
            length = try reader.optionalDouble("length", allowed: "a length > 0", where: positive)
        case "cosine":
            minFactor = try reader.double("min_factor", default: 0, allowed: "a factor in [0, 1]", where: { $0 >= 0 && $0 <= 1 })
            length = try reader.optionalDouble("length", allowed: "a length > 0", where: positive)
            restartPeriod = try reader.optionalDouble("restart_period", allowed: "a length > 0", where: positive)
            restartMultiplier = try reader.double("restart_multiplier", default: 1, allowed: "a factor ≥ 1", where: { $0 >= 1 })
        case "cyclical":
            cycleMode = try reader.string("mode", default: "triangular", choices: ["triangular", "triangular2", "exp_range"])
            maxFactor = try reader.double("max_factor", default: 10, allowed: "a factor ≥ 1", where: { $0 >= 1 })
            stepSize = try reader.double("step_size", allowed: "a half-cycle length > 0", where: positive)
            gamma = try reader.double("gamma", default: 1, allowed: "a factor > 0", where: positive)
        case "one_cycle":
            length = try reader.optionalDouble("length", allowed: "a length > 0", where: positive)
            pctStart = try reader.double("pct_start", default: 0.3, allowed: "a fraction in (0, 1)", where: { $0 > 0 && $0 < 1 })
            divFactor = try reader.double("div_factor", default: 25, allowed: "a factor ≥ 1", where: { $0 >= 1 })
            finalDivFactor = try reader.double("final_div_factor", default: 1e4, allowed: "a factor ≥ 1", where: { $0 >= 1 })
        case "plateau":
            gamma = try reader.double("factor", default: 0.1, allowed: "a factor in (0, 1)", where: { $0 > 0 && $0 < 1 })
            patience = try reader.int("patience", default: 10, allowed: "evaluations ≥ 0", where: { $0 >= 0 })
            threshold = try reader.double("threshold", default: 1e-4, allowed: "a relative threshold ≥ 0", where: { $0 >= 0 })
            cooldown = try reader.int("cooldown", default: 0, allowed: "evaluations ≥ 0", where: { $0 >= 0 })
            minFactor = try reader.double("min_factor", default: 0, allowed: "a factor in [0, 1]", where: { $0 >= 0 && $0 <= 1 })
        default:
            break
        }
        let warmupReader = try reader.section("warmup")
        warmup = try warmupReader.double("epochs", default: 0, allowed: "a length ≥ 0", where: { $0 >= 0 })
        warmupStartFactor = try warmupReader.optionalDouble("start_factor", allowed: "a factor in [0, 1]",
                                                             where: { $0 >= 0 && $0 <= 1 })
        let scale = try reader.section("scale")
        scaleRule = try scale.string("rule", default: "none", choices: ["none", "linear", "sqrt"])
        baseBatch = try scale.int("base_batch", default: 256, allowed: "a batch size ≥ 1", where: { $0 >= 1 })
    }
}
