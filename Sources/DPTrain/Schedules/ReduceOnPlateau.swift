/// Reduces the learning rate when a monitored metric stops improving —
/// `torch.optim.lr_scheduler.ReduceLROnPlateau` semantics.
///
/// Call ``observe(_:)`` once after each evaluation with the metric (for example the
/// validation loss). For each observation:
///
///     better = mode min, rel:  x < best·(1 − threshold)     abs: x < best − threshold
///              mode max, rel:  x > best·(1 + threshold)     abs: x > best + threshold
///     if better: best ← x, bad ← 0   else: bad ← bad + 1
///     if cooldownCounter > 0: cooldownCounter ← cooldownCounter − 1, bad ← 0
///     if bad > patience:
///         new = max(η·factor, η_min);  if η − new > ε: η ← new
///         cooldownCounter ← cooldown, bad ← 0
///
/// so the rate drops on the (patience + 1)-th consecutive observation without improvement,
/// and for `cooldown` observations after a drop bad observations are not counted.
/// ``learningRate(at:)`` ignores t and returns the current η. State (``best``,
/// ``badObservations``, ``cooldownCounter``, ``currentLearningRate``) is public for
/// checkpoints.
public final class ReduceOnPlateau: LearningRateSchedule {
    /// Whether lower or higher metric values are better.
    public enum Mode: String, Sendable {
        case min
        case max
    }

    /// Whether `threshold` is relative to ``best`` or absolute.
    public enum ThresholdMode: String, Sendable {
        case relative = "rel"
        case absolute = "abs"
    }

    /// Default `.min`.
    public let mode: Mode
    /// Multiplier on each reduction, 0 < factor < 1, default 0.1.
    public let factor: Double
    /// Observations without improvement tolerated before reducing, default 10.
    public let patience: Int
    /// Minimum improvement that counts, default 1e-4.
    public let threshold: Double
    /// Default `.relative`.
    public let thresholdMode: ThresholdMode
    /// Observations after a reduction during which bad observations are ignored, default 0.
    public let cooldown: Int
    /// η_min, the floor, default 0.
    public let minimumLearningRate: Double
    /// Reductions smaller than ε are skipped, default 1e-8.
    public let epsilon: Double

    /// The current rate η.
    public var currentLearningRate: Double
    /// Best metric so far (+∞ for min mode, −∞ for max mode before any observation).
    public var best: Double
    /// Consecutive observations without improvement (torch's num_bad_epochs).
    public var badObservations = 0
    /// Observations left in the current cooldown.
    public var cooldownCounter = 0
    /// Observations so far.
    public var observationCount = 0

    /// - Parameters:
    ///   - baseLearningRate: the initial η.
    ///   - mode: default `.min`.
    ///   - factor: default 0.1.
    ///   - patience: default 10.
    ///   - threshold: default 1e-4.
    ///   - thresholdMode: default `.relative`.
    ///   - cooldown: default 0.
    ///   - minimumLearningRate: default 0.
    ///   - epsilon: default 1e-8.
    public init(baseLearningRate: Double, mode: Mode = .min, factor: Double = 0.1,
                patience: Int = 10, threshold: Double = 1e-4,
                thresholdMode: ThresholdMode = .relative, cooldown: Int = 0,
                minimumLearningRate: Double = 0, epsilon: Double = 1e-8) {
        precondition(factor > 0 && factor < 1, "Factor should be < 1.0 and > 0: \(factor)")
        precondition(patience >= 0 && cooldown >= 0, "patience and cooldown must be ≥ 0")
        self.mode = mode
        self.factor = factor
        self.patience = patience
        self.threshold = threshold
        self.thresholdMode = thresholdMode
        self.cooldown = cooldown
        self.minimumLearningRate = minimumLearningRate
        self.epsilon = epsilon
        self.currentLearningRate = baseLearningRate
        self.best = mode == .min ? .infinity : -.infinity
    }

    /// Whether `metric` improves on ``best`` by more than the threshold.
    public func isBetter(_ metric: Double) -> Bool {
        switch (mode, thresholdMode) {
        case (.min, .relative): return metric < best * (1 - threshold)
        case (.min, .absolute): return metric < best - threshold
        case (.max, .relative): return metric > best * (1 + threshold)
        case (.max, .absolute): return metric > best + threshold
        }
    }

    /// Records one evaluation's metric and reduces η if it has plateaued (rule on the type).
    /// Returns whether η was reduced.
    @discardableResult
    public func observe(_ metric: Double) -> Bool {
        observationCount += 1
        if isBetter(metric) {
            best = metric
            badObservations = 0
        } else {
            badObservations += 1
        }
        if cooldownCounter > 0 {
            cooldownCounter -= 1
            badObservations = 0
        }
        guard badObservations > patience else { return false }
        cooldownCounter = cooldown
        badObservations = 0
        let reduced = max(currentLearningRate * factor, minimumLearningRate)
        guard currentLearningRate - reduced > epsilon else { return false }
        currentLearningRate = reduced
        return true
    }

    /// The current η (independent of t).
    public func learningRate(at progress: Double) -> Double { currentLearningRate }
}

extension ReduceOnPlateau {
    /// `lr_schedule: {name: plateau, factor, patience, threshold, cooldown, min_factor}`: the
    /// options of reduce-on-plateau, driven by the validation loss of each evaluation.
    public struct Options: Equatable, Sendable {
        /// `factor` (default 0.1, in (0, 1)): multiplier on each reduction.
        public var factor: Double
        /// `patience` (default 10, ≥ 0): evaluations without improvement tolerated.
        public var patience: Int
        /// `threshold` (default 1e-4, ≥ 0): relative improvement that counts.
        public var threshold: Double
        /// `cooldown` (default 0, ≥ 0): evaluations ignored after a reduction.
        public var cooldown: Int
        /// `min_factor` (default 0, in [0, 1]): η_min as a factor of the base rate.
        public var minFactor: Double

        init(_ reader: ConfigReader) throws {
            factor = try reader.double("factor", default: 0.1, allowed: "a factor in (0, 1)", where: { $0 > 0 && $0 < 1 })
            patience = try reader.int("patience", default: 10, allowed: "evaluations ≥ 0", where: { $0 >= 0 })
            threshold = try reader.double("threshold", default: 1e-4, allowed: "a relative threshold ≥ 0", where: { $0 >= 0 })
            cooldown = try reader.int("cooldown", default: 0, allowed: "evaluations ≥ 0", where: { $0 >= 0 })
            minFactor = try reader.double("min_factor", default: 0, allowed: "a factor in [0, 1]", where: ScheduleOptionRange.unit)
        }

        /// A fresh scheduler whose rate is a multiplier starting at 1.
        public func makeScheduler() -> ReduceOnPlateau {
            ReduceOnPlateau(baseLearningRate: 1, factor: factor, patience: patience, threshold: threshold,
                            cooldown: cooldown, minimumLearningRate: minFactor)
        }
    }
}

extension ReduceOnPlateau {
    /// The mutable state for checkpoints: [current rate, best, bad observations, cooldown, observations].
    public var state: [Double] {
        get { [currentLearningRate, best, Double(badObservations), Double(cooldownCounter), Double(observationCount)] }
        set {
            guard newValue.count == 5 else { return }
            currentLearningRate = newValue[0]
            best = newValue[1]
            badObservations = Int(newValue[2])
            cooldownCounter = Int(newValue[3])
            observationCount = Int(newValue[4])
        }
    }
}
