import DPTrain
import Foundation
import Testing

/// Config choices are read once into types (`lr_schedule`, `train.early_stopping`, `data`):
/// each name becomes its case with its options and defaults, and prints as its YAML spelling.
@Suite("Config choices as types")
struct ConfigChoiceTests {
    static func config(_ sections: String) throws -> TrainingConfig {
        try TrainingTestSupport.config("model: {layers: [{dense: 10}]}\n" + sections)
    }

    static func schedule(_ yaml: String) throws -> ScheduleConfig {
        // The plateau schedule watches the validation loss, so every schedule gets a split.
        try config("data: {validation: 10}\nlr_schedule: \(yaml)").schedule
    }

    /// The fewest options each schedule needs.
    static let minimalSchedules = [
        "constant": "{name: constant}", "step": "{name: step, step_size: 2}",
        "multistep": "{name: multistep, milestones: [1, 2]}", "exponential": "{name: exponential, gamma: 0.9}",
        "inverse": "{name: inverse, gamma: 0.5}", "polynomial": "{name: polynomial}", "cosine": "{name: cosine}",
        "cyclical": "{name: cyclical, step_size: 2}", "one_cycle": "{name: one_cycle}", "plateau": "{name: plateau}",
    ]

    @Test("every schedule name prints as its YAML spelling")
    func scheduleNames() throws {
        #expect(ScheduleFactory.names == ["constant", "step", "multistep", "exponential", "inverse", "polynomial",
                                          "cosine", "cyclical", "one_cycle", "plateau"])
        for name in ScheduleFactory.names {
            let schedule = try Self.schedule(try #require(Self.minimalSchedules[name]))
            #expect(schedule.name == name && "\(schedule.kind)" == name)
        }
        #expect(try Self.schedule("{}").kind == .constant)
    }

    @Test("each schedule carries its own options, with their defaults")
    func scheduleOptions() throws {
        guard case let .step(step) = try Self.schedule("{name: step, step_size: 3}").kind else { Issue.record(); return }
        #expect(step.stepSize == 3 && step.gamma == 0.1)
        guard case let .multistep(multistep) = try Self.schedule("{name: multistep, milestones: [10, 20], gamma: 0.2}").kind
        else { Issue.record(); return }
        #expect(multistep.milestones == [10, 20] && multistep.gamma == 0.2)
        guard case let .inverse(inverse) = try Self.schedule("{name: inverse, gamma: 0.5}").kind else { Issue.record(); return }
        #expect(inverse.gamma == 0.5 && inverse.power == 1)
        guard case let .polynomial(polynomial) = try Self.schedule("{name: polynomial, power: 2}").kind else { Issue.record(); return }
        #expect(polynomial.power == 2 && polynomial.endFactor == 0 && polynomial.length == nil)
        guard case let .cosine(cosine) = try Self.schedule("{name: cosine, restart_period: 4}").kind else { Issue.record(); return }
        #expect(cosine.minFactor == 0 && cosine.length == nil && cosine.restartPeriod == 4 && cosine.restartMultiplier == 1)
        guard case let .oneCycle(oneCycle) = try Self.schedule("{name: one_cycle, length: 8}").kind else { Issue.record(); return }
        #expect(oneCycle.length == 8 && oneCycle.pctStart == 0.3 && oneCycle.divFactor == 25 && oneCycle.finalDivFactor == 1e4)
        guard case let .plateau(plateau) = try Self.schedule("{name: plateau, factor: 0.5}").kind else { Issue.record(); return }
        #expect(plateau.factor == 0.5 && plateau.patience == 10 && plateau.threshold == 1e-4 && plateau.cooldown == 0
                && plateau.minFactor == 0)
    }

    /// φ at anchor points, with a run length of 10 where the schedule defaults to it.
    @Test("each schedule's options build its multiplier φ")
    func multipliers() throws {
        func phi(_ yaml: String, at t: Double) throws -> Double {
            try ScheduleFactory.make(Self.schedule(yaml), length: 10, warmupStart: 0.25).schedule.learningRate(at: t)
        }
        #expect(try phi("{name: step, step_size: 2, gamma: 0.5}", at: 2) == 0.5)
        #expect(try phi("{name: multistep, milestones: [1, 3], gamma: 0.5}", at: 3) == 0.25)
        #expect(try phi("{name: exponential, gamma: 0.5}", at: 2) == 0.25)
        #expect(try phi("{name: inverse, gamma: 1, power: 2}", at: 1) == 0.25)
        #expect(try phi("{name: polynomial}", at: 5) == 0.5)                       // T = run length 10
        #expect(try phi("{name: polynomial, length: 4, end_factor: 0.5}", at: 2) == 0.75)
        #expect(abs(try phi("{name: cosine}", at: 5) - 0.5) < 1e-15)              // ½(1 + cos(π/2))
        #expect(try phi("{name: cosine, restart_period: 4}", at: 4) == 1)           // warm restart
        #expect(abs(try phi("{name: one_cycle}", at: 3) - 1) < 1e-12)             // peak at 0.3·T
        #expect(try phi("{name: cyclical, step_size: 1, mode: exp_range, gamma: 0.5}", at: 1) == 5.5)  // 1 + 9·0.5
        #expect(try phi("{name: constant, warmup: {epochs: 2}}", at: 1) == 0.625)  // 0.25 + (1 − 0.25)/2
        let plateau = ScheduleFactory.make(try Self.schedule("{name: plateau, factor: 0.5, patience: 0}"), length: 10,
                                           warmupStart: 0)
        #expect(plateau.schedule.learningRate(at: 7) == 1 && plateau.plateau?.factor == 0.5 && plateau.plateau?.patience == 0)
        #expect(ScheduleFactory.make(try Self.schedule("{name: cosine}"), length: 10, warmupStart: 0).plateau == nil)
    }

    @Test("the cyclical mode is a type; exp_range carries gamma")
    func cyclicalModes() throws {
        let expected: [String: CyclicalSchedule.Mode] = [
            "triangular": .triangular, "triangular2": .triangular2, "exp_range": .exponentialRange(gamma: 0.9),
        ]
        for (spelling, mode) in expected {
            guard case let .cyclical(options) = try Self.schedule("{name: cyclical, mode: \(spelling), step_size: 2, gamma: 0.9}").kind
            else { Issue.record(); return }
            #expect(options.mode == mode && "\(options.mode)" == spelling)
            #expect(options.maxFactor == 10 && options.stepSize == 2)
        }
        guard case let .cyclical(defaults) = try Self.schedule("{name: cyclical, step_size: 2}").kind else { Issue.record(); return }
        #expect(defaults.mode == .triangular)
    }

    @Test("unit and scaling rule are types that print as their YAML spelling")
    func unitAndScaling() throws {
        let defaults = try Self.schedule("{}")
        #expect(defaults.unit == .epochs && defaults.scaleRule == .none && defaults.baseBatch == 256)
        let updates = try Self.schedule("{unit: updates, scale: {rule: sqrt, base_batch: 64}}")
        #expect(updates.unit == .updates && "\(updates.unit)" == "updates")
        #expect(updates.scaleRule == .sqrt && "\(updates.scaleRule)" == "sqrt" && updates.baseBatch == 64)
        #expect(ScalingRule.spellings == ["none", "linear", "sqrt"] && ScheduleUnit.spellings == ["epochs", "updates"])
    }

    /// s(1024) with B_base = 256: 1, 4, 2; the warmup starts at 1/s (0 without scaling).
    @Test("the scaling rule computes s(B) and the warmup start 1/s(B)")
    func scalingFormula() {
        #expect(ScalingRule.none.scale(forBatch: 1024, baseBatch: 256) == 1)
        #expect(ScalingRule.linear.scale(forBatch: 1024, baseBatch: 256) == 4)
        #expect(ScalingRule.sqrt.scale(forBatch: 1024, baseBatch: 256) == 2)
        #expect(ScalingRule.linear.scale(forBatch: 100, baseBatch: 256) == 100.0 / 256)
        #expect(ScalingRule.none.warmupStartFactor(forBatch: 1024, baseBatch: 256) == 0)
        #expect(ScalingRule.linear.warmupStartFactor(forBatch: 1024, baseBatch: 256) == 0.25)
        #expect(ScalingRule.sqrt.warmupStartFactor(forBatch: 1024, baseBatch: 256) == 0.5)
    }

    @Test("early-stopping criteria carry their own options, with their defaults")
    func earlyStoppingCriteria() throws {
        func criterion(_ yaml: String) throws -> EarlyStoppingCriterion {
            try Self.config("data: {dataset: spirals, validation: 100}\ntrain: {early_stopping: \(yaml)}").train.earlyStopping
        }
        #expect(try criterion("{}") == .none)
        #expect(try criterion("{criterion: patience}") == .patience(patience: 5, minDelta: 0))
        #expect(try criterion("{criterion: patience, patience: 3, min_delta: 0.01}") == .patience(patience: 3, minDelta: 0.01))
        #expect(try criterion("{criterion: gl}") == .gl(alpha: 5))
        #expect(try criterion("{criterion: gl, alpha: 2}") == .gl(alpha: 2))
        #expect("\(try criterion("{criterion: gl}"))" == "gl" && "\(EarlyStoppingCriterion.none)" == "none")
    }

    @Test("dataset kinds carry their files or sizes, with their defaults")
    func datasetKinds() throws {
        #expect(try Self.config("").data.dataset == .fashionMNIST(directory: "/usr/share/datasets/fashion-mnist"))
        #expect(try Self.config("data: {dataset: idx, path: /d}").data.dataset == .idx(directory: "/d"))
        #expect(try Self.config("data: {dataset: npy, train: a.npz}").data.dataset == .npy(train: "a.npz", test: nil))
        #expect(try Self.config("data: {dataset: csv, train: a.csv, test: b.csv, label_column: y}").data.dataset
                == .csv(train: "a.csv", test: "b.csv", labelColumn: "y"))
        #expect(try Self.config("data: {dataset: csv, train: a.csv}").data.dataset
                == .csv(train: "a.csv", test: nil, labelColumn: "label"))
        let spirals = try Self.config("data: {dataset: spirals}").data
        #expect(spirals.dataset == .spirals(samples: 2000, testSamples: 1000, noise: 0.05) && spirals.normalize == .standardize)
        let regression = try Self.config("data: {dataset: linear_regression, features: 4}").data
        #expect(regression.dataset == .linearRegression(samples: 4096, testSamples: 1000, features: 4, noise: 1.0))
        #expect(regression.normalize == .none)
        #expect(try Self.config("data: {dataset: spirals, normalize: minmax}").data.normalize == .minmax)
        for spelling in DatasetKind.spellings where !["npy", "csv"].contains(spelling) {
            #expect("\(try Self.config("data: {dataset: \(spelling)}").data.dataset)" == spelling)
        }
    }

    /// `config.resolved.yaml` lists keys in the order they are read; the types must not change it.
    @Test("the resolved config keeps its key order")
    func resolvedOrder() throws {
        let config = try Self.config("""
            data: {dataset: csv, train: a.csv, label_column: y, validation: 10}
            lr_schedule: {name: cyclical, step_size: 2, mode: exp_range, unit: updates, scale: {rule: linear}}
            train: {early_stopping: {criterion: patience}}
            """)
        let yaml = config.resolvedYAML
        func order(_ keys: [String]) -> Bool {
            let positions = keys.map { yaml.range(of: $0)?.lowerBound }
            guard positions.allSatisfy({ $0 != nil }) else { return false }
            return zip(positions, positions.dropFirst()).allSatisfy { $0! < $1! }
        }
        #expect(order(["dataset: csv", "path: ", "train: a.csv", "label_column: y", "normalize: standardize",
                       "validation: 10"]), "\(yaml)")
        #expect(order(["name: cyclical", "unit: updates", "mode: exp_range", "max_factor: 10", "step_size: 2",
                       "gamma: 1", "warmup:", "rule: linear", "base_batch: 256"]), "\(yaml)")
        #expect(order(["criterion: patience", "patience: 5", "min_delta: 0", "checkpoint:"]), "\(yaml)")
    }
}
