import Foundation

/// The 1cycle policy (Smith & Topin) — `torch.optim.lr_scheduler.OneCycleLR` with
/// `three_phase = False`, on continuous progress over a total duration T.
///
///     η_init = η_max / divFactor,   η_final = η_init / finalDivFactor,   T_up = pctStart·T
///     0 ≤ t ≤ T_up:  η = anneal(η_init, η_max, t / T_up)
///     T_up < t < T:  η = anneal(η_max, η_final, (t − T_up)/(T − T_up))
///     t ≥ T:         η = η_final  (clamped; torch raises an error past total_steps)
///
/// with cosine annealing anneal(a, b, p) = b + ½(a − b)(1 + cos(πp)) (torch's default) or
/// linear anneal(a, b, p) = a + p(b − a). Continuous in t.
///
/// Deviation from torch: torch counts discrete steps s = 0 … T−1 and ends its phases at
/// s = pctStart·T − 1 and s = T − 1; on continuous progress the phases end at pctStart·T and
/// T, so η_final is reached at t = T rather than one step earlier.
///
/// Reference: Smith & Topin, "Super-Convergence: Very Fast Training of Neural Networks Using
/// Large Learning Rates", 2017, https://arxiv.org/abs/1708.07120
public struct OneCycleSchedule: LearningRateSchedule, Sendable, Equatable {
    /// The interpolation within each phase.
    public enum AnnealStrategy: String, Sendable, Equatable {
        case cosine
        case linear
    }

    /// η_max, the peak.
    public var maxLearningRate: Double
    /// T > 0, the whole cycle (epochs or updates).
    public var duration: Double
    /// Fraction of T spent increasing, default 0.3.
    public var pctStart: Double
    /// η_init = η_max / divFactor, default 25.
    public var divFactor: Double
    /// η_final = η_init / finalDivFactor, default 1e4.
    public var finalDivFactor: Double
    /// Default `.cosine`.
    public var annealStrategy: AnnealStrategy

    /// - Parameters:
    ///   - maxLearningRate: η_max.
    ///   - duration: T > 0.
    ///   - pctStart: in (0, 1), default 0.3.
    ///   - divFactor: default 25.
    ///   - finalDivFactor: default 1e4.
    ///   - annealStrategy: default `.cosine`.
    public init(maxLearningRate: Double, duration: Double, pctStart: Double = 0.3,
                divFactor: Double = 25, finalDivFactor: Double = 1e4,
                annealStrategy: AnnealStrategy = .cosine) {
        precondition(duration > 0, "Invalid duration value: \(duration)")
        precondition(pctStart > 0 && pctStart < 1, "Invalid pct_start value: \(pctStart)")
        precondition(divFactor > 0 && finalDivFactor > 0, "Invalid div factors")
        self.maxLearningRate = maxLearningRate
        self.duration = duration
        self.pctStart = pctStart
        self.divFactor = divFactor
        self.finalDivFactor = finalDivFactor
        self.annealStrategy = annealStrategy
    }

    /// η_init = η_max / divFactor.
    public var initialLearningRate: Double { maxLearningRate / divFactor }
    /// η_final = η_init / finalDivFactor.
    public var finalLearningRate: Double { initialLearningRate / finalDivFactor }

    /// η(t) as documented on the type.
    public func learningRate(at progress: Double) -> Double {
        let t = min(max(progress, 0), duration)
        let rise = pctStart * duration
        if t <= rise {
            return anneal(from: initialLearningRate, to: maxLearningRate, fraction: t / rise)
        }
        return anneal(from: maxLearningRate, to: finalLearningRate,
                      fraction: (t - rise) / (duration - rise))
    }

    func anneal(from start: Double, to end: Double, fraction p: Double) -> Double {
        switch annealStrategy {
        case .cosine: return end + 0.5 * (start - end) * (1 + cos(Double.pi * p))
        case .linear: return start + p * (end - start)
        }
    }
}

extension OneCycleSchedule {
    /// `lr_schedule: {name: one_cycle, length, pct_start, div_factor, final_div_factor}`: the
    /// options of the 1cycle policy (the configured rate is the peak η_max).
    public struct Options: Equatable, Sendable {
        /// `length` (> 0): T; nil means the run's length.
        public var length: Double?
        /// `pct_start` (default 0.3, in (0, 1)).
        public var pctStart: Double
        /// `div_factor` (default 25, ≥ 1).
        public var divFactor: Double
        /// `final_div_factor` (default 1e4, ≥ 1).
        public var finalDivFactor: Double

        init(_ reader: ConfigReader) throws {
            length = try reader.optionalDouble("length", allowed: "a length > 0", where: ScheduleOptionRange.positive)
            pctStart = try reader.double("pct_start", default: 0.3, allowed: "a fraction in (0, 1)", where: { $0 > 0 && $0 < 1 })
            divFactor = try reader.double("div_factor", default: 25, allowed: "a factor ≥ 1", where: { $0 >= 1 })
            finalDivFactor = try reader.double("final_div_factor", default: 1e4, allowed: "a factor ≥ 1", where: { $0 >= 1 })
        }

        /// φ(t): the 1cycle curve with η_max = 1 over T = `length` ?? `runLength`.
        public func multiplier(runLength: Double) -> OneCycleSchedule {
            OneCycleSchedule(maxLearningRate: 1, duration: length ?? runLength, pctStart: pctStart,
                             divFactor: divFactor, finalDivFactor: finalDivFactor)
        }
    }
}
