import Foundation

/// A study: a family of training runs built from one base config (DESIGN §1, "someone
/// studying optimisation"), read from a YAML file with strict keys.
///
///     base: ../fashion-mnist-mlp.yaml          # relative to the study file
///     overrides: ["train.epochs=8"]            # applied to every run
///     output: runs/studies/smith2017           # each run in <output>/<variant>-s<seed>/
///     variants:                                # either variants ...
///       - {name: lr-decay, overrides: ["lr_schedule.name=multistep"]}
///     grid: {"optimizer.lr": [0.05, 0.1], "batch.global": [256, 1024]}   # ... or a grid
///     seeds: [1, 2, 3]                         # default: the base config's seed
///     target: {metric: val_accuracy, value: 0.88, subset: 2000}   # stop each run when first
///                                              # reached, checked at step resolution (optional)
///     budget: {epochs: 10}                     # train.epochs (and max_steps) of every run
///     claims:                                  # statements the report checks
///       - {variant: batch-increase, reference: lr-decay, tolerance: 0.005}
///
/// A grid is the cartesian product of its axes, in the order written (the last axis varies
/// fastest); each run is named from its values, such as `lr0.05-B256`. An axis can also be
/// written `{label: warmup, values: [0, 5]}` to choose the word in the names.
public struct Study: Equatable, Sendable {
    /// The study's name (default: the file name without extension).
    public var name: String
    /// The study file, as given to ``load(file:)``.
    public var file: String
    /// The base config every run starts from (`base:`), resolved against the study file's
    /// directory unless absolute.
    public var base: String
    /// `key.path=value` overrides applied to every run before the variant's own (`overrides:`).
    public var overrides: [String]
    /// The directory holding one run directory per run and the report (`output:`, default
    /// `runs/studies/<name>`).
    public var output: String
    /// The variants, in order: those listed under `variants:`, or the grid's combinations.
    public var variants: [Variant]
    /// The grid's axes when the study is a grid (empty for a list of variants).
    public var grid: [GridAxis]
    /// Seeds; nil means the base config's own seed.
    public var seeds: [UInt64]?
    /// Where every run reaches a target (`target:`): it stops there, or with `stop: false` only
    /// records the crossing; nil for no target.
    public var target: Target?
    /// The length of every run (`budget:`), or nil to keep the base config's.
    public var budget: Budget?
    /// Statements the report checks on the results (`claims:`).
    public var claims: [Claim]
    /// A line or two describing the study for the report.
    public var description: String

    /// One named set of overrides.
    public struct Variant: Equatable, Sendable {
        /// Names the variant's runs (`variants.N.name`, or built from a grid's values such as
        /// `lr0.05-B256`).
        public var name: String
        /// `key.path=value` overrides of this variant (`variants.N.overrides`, or one per grid axis).
        public var overrides: [String]
        /// Grid coordinates (override path → value text); empty for listed variants.
        public var coordinates: [String: String]
        /// A variant with its name, overrides and (for grids) coordinates.
        public init(name: String, overrides: [String], coordinates: [String: String] = [:]) {
            self.name = name
            self.overrides = overrides
            self.coordinates = coordinates
        }
    }

    /// One axis of a grid: an override path and its values.
    public struct GridAxis: Equatable, Sendable {
        /// The config path the axis overrides (the key under `grid:`, such as `optimizer.lr`).
        public var path: String
        /// The word before each value in run names (`grid.<path>.label`, default a short word
        /// for well-known paths such as `lr` or `B`, else the path's last component).
        public var label: String
        /// The values, as written (`grid.<path>` or `grid.<path>.values`).
        public var values: [String]
    }

    /// Stop a run at the first check where `metric` reaches `value` (≥ for accuracies, ≤ for
    /// losses), with the crossing interpolated between that check and the one before
    /// (``TargetCrossing``). Checks run between training steps, not at the evaluations:
    ///
    /// - `val_*` / `test_*`: the metric over a fixed subset of `subset` samples of that split
    ///   (drawn once from the run's seed; the same samples at every check and on any number of
    ///   ranks), at steps chosen by ``TargetSchedule`` — every `resolution`·s steps (at least 1)
    ///   once the metric is within `near` of the target, every `far`·s steps before.
    /// - `train_loss_ema`: the bias-corrected exponential moving average of the training loss
    ///   of every step (all ranks), ℓ̄ₛ = (1 − β)·Σᵢ β^(s−i)·ℓᵢ / (1 − β^s), β = `smoothing`
    ///   (McCandlish et al. 2018), checked after every step.
    ///
    /// With `stop: false` the crossing is recorded the same way (the `target` line) and the run
    /// trains on to its budget, with no checks after the crossing: a milestone on the way,
    /// so the report gives both the cost to the target and the result at the end.
    public struct Target: Equatable, Sendable {
        /// The metric (`target.metric`, one of ``metrics``; default `test_accuracy`).
        public var metric: String
        /// The value to reach (`target.value`).
        public var value: Double
        /// Samples of the split each check evaluates (`target.subset`, default 2,000; 0 or more
        /// than the split holds: all of it). Unused by `train_loss_ema`.
        public var subset: Int
        /// Checks near the target are `resolution`·s steps apart (`target.resolution`, default
        /// 0.02), so the two checks around the crossing lie within 2% of its step (or 1 step).
        public var resolution: Double
        /// Checks farther from the target are `far`·s steps apart (`target.far`, default 0.1).
        public var far: Double
        /// "Near": within this distance of the target in the metric's units (`target.near`;
        /// default 0.03 for accuracies, 10% of the target value for losses).
        public var near: Double
        /// β of the training-loss average (`target.smoothing`, default 0.9: a lag of about
        /// β/(1 − β) = 9 steps). Only for `train_loss_ema`.
        public var smoothing: Double
        /// Whether a run stops at its first check that reaches the target (`target.stop`,
        /// default true); false: the crossing is recorded and the run continues to its budget.
        public var stop: Bool

        /// The metrics a target may name (`target.metric`).
        public static let metrics = ["test_accuracy", "val_accuracy", "test_loss", "val_loss", "train_loss_ema"]
        /// The smoothed training loss (checked after every step, no evaluation).
        public static let trainLossEMA = "train_loss_ema"

        /// A target of `value` on `metric`; the check settings default as documented on each.
        public init(metric: String, value: Double, subset: Int = 2_000, resolution: Double = 0.02, far: Double = 0.1,
                    near: Double? = nil, smoothing: Double = 0.9, stop: Bool = true) {
            self.metric = metric
            self.value = value
            self.subset = subset
            self.resolution = resolution
            self.far = far
            self.near = near ?? Target.defaultNear(metric: metric, value: value)
            self.smoothing = smoothing
            self.stop = stop
        }

        /// 0.03 for accuracies, 10% of |value| for losses.
        public static func defaultNear(metric: String, value: Double) -> Double {
            metric.hasSuffix("accuracy") ? 0.03 : 0.1 * abs(value)
        }

        /// True when larger is better (accuracies).
        public var higherIsBetter: Bool { metric.hasSuffix("accuracy") }
        /// True when checks evaluate a split (`val_*`, `test_*`) rather than read the training loss.
        public var isEvaluated: Bool { metric != Target.trainLossEMA }
        /// Whether `measured` reaches the target.
        public func isReached(by measured: Double) -> Bool {
            higherIsBetter ? measured >= value : measured <= value
        }
    }

    /// Length of every run.
    public struct Budget: Equatable, Sendable {
        /// Epochs per run (`budget.epochs`, overriding `train.epochs`), or nil to keep the base's.
        public var epochs: Double?
        /// Most parameter updates per run (`budget.max_steps`, overriding `train.max_steps`), or nil.
        public var maxSteps: Int?
    }

    /// "Variant `variant`'s mean final accuracy is at most `tolerance` below `reference`'s."
    public struct Claim: Equatable, Sendable {
        /// The variant the claim is about (`claims.N.variant`).
        public var variant: String
        /// The variant it is compared with (`claims.N.reference`).
        public var reference: String
        /// How far below the reference's mean final accuracy the variant may be
        /// (`claims.N.tolerance`, an accuracy difference; default 0.005 = 0.5 pp).
        public var tolerance: Double
        /// The claim in words for the report (`claims.N.text`; empty: "<variant> is not worse
        /// than <reference>").
        public var text: String
    }

    /// One training run of the study: a variant with a seed, and its directory.
    public struct Run: Equatable, Sendable {
        /// The variant it trains.
        public var variant: Variant
        /// Its seed (one of `seeds:`), or nil for the base config's own seed.
        public var seed: UInt64?
        /// `<variant>-s<seed>` (or the variant's name when the base config's seed is used).
        public var name: String
        /// Its run directory, `<output>/<name>`.
        public var directory: String
    }

    // MARK: - Reading

    /// Reads and validates a study file (the base config is loaded once for every run to
    /// catch bad overrides early: see ``validateRuns()``).
    /// A problem inside the file is reported with the file's name (``StudyError/badFile(study:underlying:)``).
    public static func load(file: String) throws -> Study {
        let text = try YAMLInputLimits.readFile(file)
        let tree = try ConfigValue.parse(yaml: text, file: file)
        do {
            return try Study(tree, file: file)
        } catch let error as ConfigError {
            throw StudyError.badFile(study: file, underlying: error)
        }
    }

    /// Validates a study tree read from `file` (paths in it are relative to that file).
    public init(_ tree: ConfigValue, file: String) throws {
        self.file = file
        let root = try ConfigReader(tree)
        let fileName = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        name = try root.string("name", default: fileName)
        description = try root.string("description", default: "")
        let baseText = try root.string("base")
        if baseText.hasPrefix("/") {
            base = baseText
        } else {
            let directory = URL(fileURLWithPath: file).deletingLastPathComponent()
            base = directory.appendingPathComponent(baseText).standardizedFileURL.path
        }
        overrides = try Study.strings(root, "overrides")
        output = try root.string("output", default: "runs/studies/\(name)")

        // Variants or a grid.
        let hasVariants = root.raw("variants") != nil
        let hasGrid = root.raw("grid") != nil
        if hasVariants && hasGrid {
            throw ConfigError.inconsistent(message: "variants and grid are both given; a study has one of them: "
                + "remove 'variants' or 'grid'")
        }
        if !hasVariants && !hasGrid {
            // A misspelt 'variants' or 'grid' is the likely cause: name it.
            if let typo = root.keys.first(where: { !Study.keys.contains($0)
                                                   && ConfigReader.nearest(to: $0, in: ["variants", "grid"]) != nil }) {
                throw ConfigError.unknownKey(path: typo, line: root.raw(typo)?.line,
                                             suggestion: ConfigReader.nearest(to: typo, in: ["variants", "grid"]),
                                             valid: Study.keys)
            }
            throw ConfigError.missing(path: "variants",
                hint: "a list such as [{name: a, overrides: [optimizer.lr=0.1]}] or a grid such as {optimizer.lr: [0.05, 0.1]}")
        }
        if hasVariants {
            let items = try root.list("variants")
            guard !items.isEmpty else { throw ConfigError.missing(path: "variants", hint: "at least one variant") }
            variants = try items.enumerated().map { index, item in
                let reader = try root.element(of: "variants", index: index, item)
                let variantName = try reader.string("name")
                let variantOverrides = try Study.strings(reader, "overrides")
                try reader.finish()
                try Study.checkName(variantName, path: "variants.\(index).name")
                return Variant(name: variantName, overrides: variantOverrides)
            }
            grid = []
        } else {
            grid = try Study.readGrid(root.raw("grid")!)
            variants = Study.expand(grid)
        }
        var seen = Set<String>()
        for variant in variants where !seen.insert(variant.name).inserted {
            throw ConfigError.inconsistent(message: "two variants are named '\(variant.name)'; names must be unique: rename one")
        }

        if root.raw("seeds") != nil {
            let values = try root.doubles("seeds", allowed: "a list of whole numbers ≥ 0",
                                          where: { $0 >= 0 && $0 == $0.rounded() })
            guard !values.isEmpty else { throw ConfigError.missing(path: "seeds", hint: "at least one seed, or leave it out") }
            seeds = values.map { UInt64($0) }
        } else {
            seeds = nil
        }

        let targetReader = try root.section("target")
        if !targetReader.keys.isEmpty {
            target = try Study.readTarget(targetReader)
        } else {
            target = nil
        }
        let budgetReader = try root.section("budget")
        if !budgetReader.keys.isEmpty {
            let epochs = try budgetReader.optionalDouble("epochs", allowed: "a number of epochs > 0", where: { $0 > 0 })
            let steps = budgetReader.contains("max_steps")
                ? try budgetReader.int("max_steps", allowed: "updates ≥ 1", where: { $0 >= 1 }) : nil
            budget = Budget(epochs: epochs, maxSteps: steps)
        } else {
            budget = nil
        }

        claims = try root.list("claims").enumerated().map { index, item in
            let reader = try root.element(of: "claims", index: index, item)
            let variant = try reader.string("variant")
            let reference = try reader.string("reference")
            let tolerance = try reader.double("tolerance", default: 0.005, allowed: "an accuracy difference ≥ 0 (0.005 = 0.5 pp)",
                                              where: { $0 >= 0 })
            let text = try reader.string("text", default: "")
            try reader.finish()
            return Claim(variant: variant, reference: reference, tolerance: tolerance, text: text)
        }
        try root.finish()
        for (index, claim) in claims.enumerated() {
            for name in [claim.variant, claim.reference] where !variants.contains(where: { $0.name == name }) {
                throw ConfigError.outOfRange(path: "claims.\(index)", line: nil, value: "'\(name)'",
                    allowed: "the name of a variant (\(variants.map(\.name).joined(separator: ", ")))")
            }
        }
    }

    private static func readTarget(_ reader: ConfigReader) throws -> Target {
        if reader.contains("check_every") {
            throw ConfigError.inconsistent(message: "target.check_every is gone: the target is now checked between steps, "
                + "more often as the metric approaches it (target.resolution, target.far, target.near); remove check_every")
        }
        let metric = try reader.string("metric", default: "test_accuracy", choices: Target.metrics)
        let value = try reader.double("value")
        let subset = try reader.int("subset", default: 2_000, allowed: "samples ≥ 0 per check (0: the whole split)",
                                    where: { $0 >= 0 })
        let resolution = try reader.double("resolution", default: 0.02, allowed: "a fraction of the steps so far in (0, 1]",
                                           where: { $0 > 0 && $0 <= 1 })
        let far = try reader.double("far", default: 0.1, allowed: "a fraction of the steps so far in (0, 1], ≥ target.resolution",
                                    where: { $0 > 0 && $0 <= 1 })
        guard far >= resolution else {
            throw ConfigError.inconsistent(message: "target.far (\(ConfigReader.format(far))) is below target.resolution "
                + "(\(ConfigReader.format(resolution))): checks far from the target would be denser than near it; "
                + "raise target.far or lower target.resolution")
        }
        let near = try reader.double("near", default: Target.defaultNear(metric: metric, value: value),
                                     allowed: "a distance ≥ 0 from the target in the metric's units", where: { $0 >= 0 })
        let smoothing = try reader.double("smoothing", default: 0.9, allowed: "β in [0, 1) (0: no smoothing)",
                                          where: { $0 >= 0 && $0 < 1 })
        let stop = try reader.bool("stop", default: true)
        return Target(metric: metric, value: value, subset: subset, resolution: resolution, far: far, near: near,
                      smoothing: smoothing, stop: stop)
    }

    private static func strings(_ reader: ConfigReader, _ key: String) throws -> [String] {
        try reader.list(key).enumerated().map { index, item in
            guard case let .scalar(text, _) = item else {
                throw ConfigError.wrongType(path: "\(reader.path.isEmpty ? "" : reader.path + ".")\(key).\(index)",
                                            line: item.line, expected: "a key.path=value text", found: item.kindDescription)
            }
            return text
        }
    }

    private static func checkName(_ name: String, path: String) throws {
        let allowed = !name.isEmpty && name.allSatisfy { $0.isLetter || $0.isNumber || "._-+".contains($0) }
        guard allowed else {
            throw ConfigError.outOfRange(path: path, line: nil, value: "'\(name)'",
                                         allowed: "a name of letters, digits, '.', '_', '-' or '+' (it names a directory)")
        }
    }

    /// The keys a study file may hold.
    static let keys = ["name", "description", "base", "overrides", "output", "variants", "grid", "seeds", "target",
                       "budget", "claims"]

    /// Short words for well-known override paths in grid run names.
    static let gridLabels = ["optimizer.lr": "lr", "batch.global": "B", "batch.micro": "m", "seed": "seed",
                             "lr_schedule.warmup.epochs": "warmup", "train.epochs": "epochs",
                             "optimizer.momentum": "mom", "optimizer.weight_decay": "wd"]

    private static func readGrid(_ value: ConfigValue) throws -> [GridAxis] {
        guard case let .map(entries, _) = value else {
            throw ConfigError.wrongType(path: "grid", line: value.line,
                                        expected: "a map of override paths to value lists, e.g. {optimizer.lr: [0.05, 0.1]}",
                                        found: value.kindDescription)
        }
        guard !entries.isEmpty else {
            throw ConfigError.missing(path: "grid",
                                      hint: "the grid is empty; give at least one axis, e.g. grid: {optimizer.lr: [0.05, 0.1]}")
        }
        var axes: [GridAxis] = []
        for (path, node) in entries {
            var label = gridLabels[path] ?? String(path.split(separator: ".").last ?? Substring(path))
            let items: [ConfigValue]
            switch node {
            case let .list(list, _):
                items = list
            case .map:
                let reader = try ConfigReader(node, path: "grid.\(path)")
                label = try reader.string("label", default: label)
                items = try reader.list("values")
                try reader.finish()
            default:
                throw ConfigError.wrongType(path: "grid.\(path)", line: node.line,
                                            expected: "a list of values or {label: word, values: [...]}",
                                            found: node.kindDescription)
            }
            guard !items.isEmpty else { throw ConfigError.missing(path: "grid.\(path)", hint: "at least one value") }
            let values = try items.enumerated().map { index, item -> String in
                guard case let .scalar(text, _) = item else {
                    throw ConfigError.wrongType(path: "grid.\(path).\(index)", line: item.line,
                                                expected: "a single value", found: item.kindDescription)
                }
                return text
            }
            try checkName(label + values.joined(), path: "grid.\(path)")
            axes.append(GridAxis(path: path, label: label, values: values))
        }
        return axes
    }

    /// The cartesian product of the axes, in order (the last axis varies fastest).
    static func expand(_ axes: [GridAxis]) -> [Variant] {
        var combinations: [[(GridAxis, String)]] = [[]]
        for axis in axes {
            combinations = combinations.flatMap { prefix in axis.values.map { prefix + [(axis, $0)] } }
        }
        return combinations.map { combination in
            Variant(name: combination.map { "\($0.0.label)\($0.1)" }.joined(separator: "-"),
                    overrides: combination.map { "\($0.0.path)=\($0.1)" },
                    coordinates: Dictionary(uniqueKeysWithValues: combination.map { ($0.0.path, $0.1) }))
        }
    }

    // MARK: - Runs

    /// Every run of the study: each variant with each seed, variants in order.
    public var runs: [Run] {
        variants.flatMap { variant -> [Run] in
            guard let seeds else {
                return [Run(variant: variant, seed: nil, name: variant.name, directory: "\(output)/\(variant.name)")]
            }
            return seeds.map { seed in
                let name = "\(variant.name)-s\(seed)"
                return Run(variant: variant, seed: seed, name: name, directory: "\(output)/\(name)")
            }
        }
    }

    /// The overrides of one run, in the order they apply: the study's, the variant's, the
    /// budget, the seed and the run directory.
    public func overrides(for run: Run) -> [String] {
        var result = overrides + run.variant.overrides
        if let epochs = budget?.epochs { result.append("train.epochs=\(ConfigReader.format(epochs))") }
        if let steps = budget?.maxSteps { result.append("train.max_steps=\(steps)") }
        if let seed = run.seed { result.append("seed=\(seed)") }
        result.append("output=\(run.directory)")
        result.append("name=\(name)-\(run.name)")
        return result
    }

    /// The validated training config of one run.
    public func config(for run: Run) throws -> TrainingConfig {
        do {
            return try TrainingConfig.load(file: base, overrides: overrides(for: run))
        } catch let error as ConfigError {
            throw StudyError.badRun(run: run.name, study: file, underlying: error)
        }
    }

    /// Builds every run's config once, so a typo in a variant fails before hours of training,
    /// and checks that every run produces the target's metric (a target on a metric a run
    /// never logs would silently never fire). Early stopping and the plateau schedule need a
    /// validation split too; ``TrainingConfig`` checks those for each run's resolved config.
    public func validateRuns() throws {
        for run in runs {
            let config = try config(for: run)
            if let target, let reason = Study.missingMetricReason(target.metric, in: config) {
                throw StudyError.metricNeverProduced(run: run.name, study: file, key: "target.metric",
                                                     metric: target.metric, reason: reason)
            }
        }
    }

    /// Why a run of `config` never logs `metric` (`val_*` without a validation split, `test_*`
    /// without a test file), or nil when it does.
    static func missingMetricReason(_ metric: String, in config: TrainingConfig) -> String? {
        if metric.hasPrefix("val_"), config.data.validation == 0 {
            return "the run has no validation split (data.validation: 0 after the study's and the variant's overrides)"
        }
        if metric.hasPrefix("test_") {
            switch config.data.dataset {
            case .npy(_, nil), .csv(_, nil, _):
                return "the run has no test set (data.test is not given)"
            default:
                break
            }
        }
        return nil
    }
}

/// Problems with a study.
public enum StudyError: Error, CustomStringConvertible {
    /// The config of run `run` (base config plus the study's and the variant's overrides) is invalid.
    case badRun(run: String, study: String, underlying: ConfigError)
    /// No run of the study has metrics yet, so there is nothing to report.
    case noRuns(study: String)
    /// The study file itself is invalid (a key, the grid, the variants).
    case badFile(study: String, underlying: ConfigError)
    /// Run `run` never logs `metric`, which the study's `key` (such as `target.metric`) names,
    /// for `reason`.
    case metricNeverProduced(run: String, study: String, key: String, metric: String, reason: String)

    /// The message, naming the study file, the run and how to proceed.
    public var description: String {
        switch self {
        case let .badRun(run, study, underlying):
            return "\(study): run '\(run)': \(underlying)"
        case let .badFile(study, underlying):
            let text = "\(underlying)"
            return text.hasPrefix(study) ? text : "\(study): \(text)"
        case let .metricNeverProduced(run, study, key, metric, reason):
            let other = metric.hasPrefix("val_") ? "test_" + metric.dropFirst(4) : "val_" + metric.dropFirst(5)
            let fix = metric.hasPrefix("val_")
                ? "hold out a validation split (overrides: [\"data.validation=5000\"], or data.validation: N in the base config)"
                : "give a test file (data.test) or hold out a validation split (data.validation: N)"
            return "\(study): run '\(run)': \(key) is \(metric), which this run never produces: \(reason); "
                + "\(fix), or set \(key) to another metric such as \(other)"
        case let .noRuns(study):
            return "\(study): no run directory has a metrics.jsonl yet; run the study first (dptrain study \(study))"
        }
    }
}
