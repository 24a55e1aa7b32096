import Foundation

/// A complete, validated training configuration (DESIGN §4): the YAML file with
/// `key.path=value` overrides applied, every key type- and range-checked, unknown keys
/// rejected, and every default filled in (``resolved``).
public struct TrainingConfig: Equatable, Sendable {
    public var name: String
    public var seed: UInt64
    /// Run directory (default `runs/<name>`).
    public var output: String
    public var data: DataConfig
    /// Per-sample input shape (for example `[784]` or `[1, 28, 28]`).
    public var inputShape: [Int]
    public var layers: [LayerConfig]
    /// Initial weights from a safetensors file (nil: from the seed).
    public var initFrom: String?
    /// A name ``LossCatalog`` knows: softmax_cross_entropy, mean_squared_error (mse),
    /// mean_absolute_error (mae, l1), binary_cross_entropy (bce), binary_cross_entropy_with_logits
    /// (bce_with_logits).
    public var loss: String
    public var optimizer: OptimizerConfig
    public var batch: BatchConfig
    public var schedule: ScheduleConfig
    public var train: TrainConfig
    /// The whole configuration with defaults, as saved to `config.resolved.yaml`.
    public var resolved: ConfigValue

    public static let losses = LossCatalog.names + ["cross_entropy", "mse", "mae", "l1", "bce", "bce_with_logits"]

    /// Reads `file`, applies `overrides` and validates.
    public static func load(file: String, overrides: [String] = []) throws -> TrainingConfig {
        let text = try YAMLInputLimits.readFile(file)
        let parsed = try ConfigValue.parse(yaml: text, file: file)
        switch parsed {
        case .map, .null: break
        default:
            throw ConfigError.inconsistent(message: "\(file): the top level is \(parsed.kindDescription), but a config is a map "
                + "of keys (name:, data:, model:, optimizer:, …): remove the leading '- ' or write the keys out")
        }
        return try TrainingConfig(try parsed.applying(overrides: overrides))
    }

    /// Validates a configuration tree.
    public init(_ tree: ConfigValue) throws {
        let root = try ConfigReader(tree)
        name = try root.string("name", default: "run")
        let seedValue = try root.int("seed", default: 1, allowed: "a seed ≥ 0", where: { $0 >= 0 })
        seed = UInt64(seedValue)
        output = try root.string("output", default: "runs/\(name)")
        data = try DataConfig(try root.section("data"))
        let model = try root.section("model")
        let shape = try model.doubles("input", default: [784], allowed: "a shape of whole numbers ≥ 1",
                                      where: { $0 >= 1 && $0 == $0.rounded() })
        inputShape = shape.map { Int($0) }
        let items = try model.list("layers")
        guard !items.isEmpty else {
            throw ConfigError.missing(path: "model.layers", hint: "a list such as [{dense: 128, activation: relu}, {dense: 10}]")
        }
        layers = try items.enumerated().map { index, item in
            try LayerConfig(try model.element(of: "layers", index: index, item))
        }
        initFrom = model.raw("init_from") == nil ? nil : try model.string("init_from")
        loss = try root.string("loss", default: "softmax_cross_entropy", choices: TrainingConfig.losses)
        optimizer = try OptimizerConfig(try root.section("optimizer"))
        batch = try BatchConfig(try root.section("batch"))
        schedule = try ScheduleConfig(try root.section("lr_schedule"))
        train = try TrainConfig(try root.section("train"), microBatch: batch.micro)
        try root.finish()
        resolved = root.resolved
        if train.earlyStopping != .none, data.validation == 0 {
            throw ConfigError.inconsistent(message:
                "train.early_stopping needs a validation split: set data.validation to a number of samples (e.g. 5000)")
        }
        if case .plateau = schedule.kind, data.validation == 0 {
            throw ConfigError.inconsistent(message:
                "lr_schedule.name: plateau needs a validation split to watch (without one it would watch the test loss "
                + "and the test set would steer training): set data.validation to a number of samples (e.g. 5000), "
                + "or choose another lr_schedule.name")
        }
        if let adaptive = batch.adaptive {
            if train.noiseEvery == 0 {
                throw ConfigError.inconsistent(message: "batch.adaptive decides from the online noise-scale estimate, "
                    + "but train.noise_every is 0 (never measured): set train.noise_every ≥ 1 (e.g. 5)")
            }
            if adaptive.learningRate == .adascale, schedule.unit != .epochs {
                throw ConfigError.inconsistent(message: "batch.adaptive.lr: adascale runs the LR schedule on the "
                    + "scale-invariant clock in epochs: set lr_schedule.unit: epochs, or choose batch.adaptive.lr: none, linear or sqrt")
            }
        }
        if batch.micro > batch.global {
            throw ConfigError.inconsistent(message:
                "batch.micro (\(batch.micro)) is larger than batch.global (\(batch.global)); set batch.micro ≤ batch.global")
        }
    }

    /// The resolved configuration as YAML text.
    public var resolvedYAML: String { resolved.yaml() }

    /// The resolved configuration without `output`: what the trained weights depend on (saved in
    /// `final.safetensors` metadata, so the same run written to two places gives the same bytes).
    public var resolvedYAMLWithoutOutput: String {
        guard case let .map(entries, line) = resolved else { return resolvedYAML }
        return ConfigValue.map(entries.filter { $0.key != "output" }, line: line).yaml()
    }
}
