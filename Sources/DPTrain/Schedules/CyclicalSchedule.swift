import Foundation

/// Cyclical learning rates (Smith 2017) — `torch.optim.lr_scheduler.CyclicLR` on progress t.
///
/// With up-length S_up = `stepSize`, down-length S_down (default S_up), L = S_up + S_down:
///
///     c = ⌊1 + t/L⌋                  (cycle number, from 1)
///     x = 1 + t/L − c                (position in the cycle, 0 ≤ x < 1)
///     h = x / r            if x ≤ r   (r = S_up / L)
///       = (x − 1)/(r − 1)  otherwise
///     η(t) = η_base + (η_max − η_base) · h · s
///
/// with s = 1 (`triangular`), s = 1/2^(c−1) (`triangular2`, amplitude halves each cycle) or
/// s = γ^t (`exponentialRange`). Continuous in t; it starts at η_base, reaches η_max at
/// t = S_up and returns to η_base at t = L.
///
/// Reference: Smith, "Cyclical Learning Rates for Training Neural Networks", WACV 2017,
/// https://arxiv.org/abs/1506.01186
public struct CyclicalSchedule: LearningRateSchedule, Sendable, Equatable {
    /// How the amplitude changes from cycle to cycle.
    public enum Mode: Sendable, Equatable {
        /// Constant amplitude, s = 1.
        case triangular
        /// Amplitude halved each cycle, s = 1/2^(c−1).
        case triangular2
        /// Amplitude scaled by γ^t (t in progress units, torch's "iterations" scale mode).
        case exponentialRange(gamma: Double)
    }

    /// η_base, the lower bound.
    public var baseLearningRate: Double
    /// η_max, the upper bound of the first cycle.
    public var maxLearningRate: Double
    /// S_up > 0, progress from η_base to η_max.
    public var stepSize: Double
    /// S_down > 0, progress from η_max back to η_base.
    public var stepSizeDown: Double
    /// Default `.triangular`.
    public var mode: Mode

    /// - Parameters:
    ///   - baseLearningRate: η_base.
    ///   - maxLearningRate: η_max.
    ///   - stepSize: S_up > 0 (torch's step_size_up).
    ///   - stepSizeDown: S_down, default S_up.
    ///   - mode: default `.triangular`.
    public init(baseLearningRate: Double, maxLearningRate: Double, stepSize: Double,
                stepSizeDown: Double? = nil, mode: Mode = .triangular) {
        precondition(stepSize > 0, "Invalid step_size value: \(stepSize)")
        precondition((stepSizeDown ?? stepSize) > 0, "Invalid step_size_down value: \(stepSizeDown ?? 0)")
        self.baseLearningRate = baseLearningRate
        self.maxLearningRate = maxLearningRate
        self.stepSize = stepSize
        self.stepSizeDown = stepSizeDown ?? stepSize
        self.mode = mode
    }

    /// η(t) as documented on the type.
    public func learningRate(at progress: Double) -> Double {
        let t = max(progress, 0)
        let total = stepSize + stepSizeDown
        let ratio = stepSize / total
        let cycle = (1 + t / total).rounded(.down)
        let x = 1 + t / total - cycle
        let height = x <= ratio ? x / ratio : (x - 1) / (ratio - 1)
        let scale: Double
        switch mode {
        case .triangular: scale = 1
        case .triangular2: scale = 1 / pow(2, cycle - 1)
        case .exponentialRange(let gamma): scale = pow(gamma, t)
        }
        return baseLearningRate + (maxLearningRate - baseLearningRate) * height * scale
    }
}

extension CyclicalSchedule.Mode: CustomStringConvertible {
    /// The YAML spellings of `lr_schedule.mode`, in the order errors list them.
    static let spellings = ["triangular", "triangular2", "exp_range"]

    /// The YAML spelling: `triangular`, `triangular2` or `exp_range`.
    public var description: String {
        switch self {
        case .triangular: return "triangular"
        case .triangular2: return "triangular2"
        case .exponentialRange: return "exp_range"
        }
    }
}

extension CyclicalSchedule {
    /// `lr_schedule: {name: cyclical, mode, max_factor, step_size, gamma}`: the options of a
    /// cyclical schedule (the configured rate is the lower bound η_base).
    public struct Options: Equatable, Sendable {
        /// `mode` (default `triangular`); `exp_range` carries `gamma` (default 1, > 0), which the
        /// other modes read but do not use.
        public var mode: Mode
        /// `max_factor` (default 10, ≥ 1): η_max as a factor of η_base.
        public var maxFactor: Double
        /// `step_size` (required, > 0): the half-cycle S_up = S_down.
        public var stepSize: Double

        init(_ reader: ConfigReader) throws {
            let mode = try reader.string("mode", default: "triangular", choices: Mode.spellings)
            maxFactor = try reader.double("max_factor", default: 10, allowed: "a factor ≥ 1", where: { $0 >= 1 })
            stepSize = try reader.double("step_size", allowed: "a half-cycle length > 0", where: ScheduleOptionRange.positive)
            let gamma = try reader.double("gamma", default: 1, allowed: "a factor > 0", where: ScheduleOptionRange.positive)
            switch mode {
            case "triangular2": self.mode = .triangular2
            case "exp_range": self.mode = .exponentialRange(gamma: gamma)
            default: self.mode = .triangular
            }
        }

        /// φ(t) between 1 and `max_factor`, as documented on ``CyclicalSchedule``.
        public func multiplier() -> CyclicalSchedule {
            CyclicalSchedule(baseLearningRate: 1, maxLearningRate: maxFactor, stepSize: stepSize, mode: mode)
        }
    }
}
