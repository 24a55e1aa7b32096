import Foundation

/// Cosine annealing from η₀ to η_min over T (Loshchilov & Hutter), optionally with warm
/// restarts (SGDR).
///
/// Without restarts (`torch.optim.lr_scheduler.CosineAnnealingLR`'s closed form, clamped):
///
///     η(t) = η_min + ½(η₀ − η_min)(1 + cos(π·min(t, T)/T))
///
/// so η(t) = η_min for every t ≥ T (torch's recursive form would rise again past T).
///
/// With warm restarts (`CosineAnnealingWarmRestarts`): cycle i has length Tᵢ = T₀·T_multⁱ
/// (T₀ = `duration`), t_cur is the progress since cycle i started, and
///
///     η(t) = η_min + ½(η₀ − η_min)(1 + cos(π·t_cur/Tᵢ))
///
/// Restarts are inclusive: at t = T₀ the rate is η₀ again. Continuous within each cycle.
///
/// Reference: Loshchilov & Hutter, "SGDR: Stochastic Gradient Descent with Warm Restarts",
/// ICLR 2017, https://arxiv.org/abs/1608.03983
public struct CosineDecay: LearningRateSchedule, Sendable, Equatable {
    /// η₀.
    public var baseLearningRate: Double
    /// η_min, default 0.
    public var minimumLearningRate: Double
    /// T (without restarts) or T₀, the first cycle's length (with restarts); > 0.
    public var duration: Double
    /// Restart at the end of each cycle instead of staying at η_min. Default false.
    public var warmRestarts: Bool
    /// T_mult ≥ 1, the growth factor of cycle lengths with restarts. Default 1.
    public var periodMultiplier: Double

    /// - Parameters:
    ///   - baseLearningRate: η₀.
    ///   - minimumLearningRate: η_min, default 0.
    ///   - duration: T, or T₀ with restarts; > 0.
    ///   - warmRestarts: default false.
    ///   - periodMultiplier: T_mult ≥ 1, default 1 (used only with restarts).
    public init(baseLearningRate: Double, minimumLearningRate: Double = 0, duration: Double,
                warmRestarts: Bool = false, periodMultiplier: Double = 1) {
        precondition(duration > 0, "Invalid duration value: \(duration)")
        precondition(periodMultiplier >= 1, "Invalid period multiplier value: \(periodMultiplier)")
        self.baseLearningRate = baseLearningRate
        self.minimumLearningRate = minimumLearningRate
        self.duration = duration
        self.warmRestarts = warmRestarts
        self.periodMultiplier = periodMultiplier
    }

    /// η(t) as documented on the type.
    public func learningRate(at progress: Double) -> Double {
        let t = max(progress, 0)
        let (position, length) = warmRestarts ? cycle(containing: t) : (min(t, duration), duration)
        return minimumLearningRate
            + 0.5 * (baseLearningRate - minimumLearningRate) * (1 + cos(Double.pi * position / length))
    }

    /// (t_cur, Tᵢ) for progress t with warm restarts.
    func cycle(containing t: Double) -> (position: Double, length: Double) {
        if periodMultiplier == 1 {
            let index = ScheduleBoundary.completedIntervals(t, width: duration)
            return (max(t - index * duration, 0), duration)
        }
        // Cycle i starts at T₀(T_multⁱ − 1)/(T_mult − 1).
        var index = (log(t / duration * (periodMultiplier - 1) + 1) / log(periodMultiplier))
            .rounded(.down)
        func start(_ i: Double) -> Double { duration * (pow(periodMultiplier, i) - 1) / (periodMultiplier - 1) }
        // Repair rounding of the logarithm at cycle boundaries.
        while index > 0 && !ScheduleBoundary.reached(t, start(index)) { index -= 1 }
        while ScheduleBoundary.reached(t, start(index + 1)) { index += 1 }
        return (max(t - start(index), 0), duration * pow(periodMultiplier, index))
    }
}

extension CosineDecay {
    /// `lr_schedule: {name: cosine, min_factor, length, restart_period, restart_multiplier}`:
    /// the options of cosine annealing, with warm restarts when `restart_period` is set.
    public struct Options: Equatable, Sendable {
        /// `min_factor` (default 0, in [0, 1]): η_min as a factor of the base rate.
        public var minFactor: Double
        /// `length` (> 0): T without restarts; nil means the run's length.
        public var length: Double?
        /// `restart_period` (> 0): T₀ of SGDR; nil means no restarts.
        public var restartPeriod: Double?
        /// `restart_multiplier` (default 1, ≥ 1): T_mult of SGDR.
        public var restartMultiplier: Double

        init(_ reader: ConfigReader) throws {
            minFactor = try reader.double("min_factor", default: 0, allowed: "a factor in [0, 1]", where: ScheduleOptionRange.unit)
            length = try reader.optionalDouble("length", allowed: "a length > 0", where: ScheduleOptionRange.positive)
            restartPeriod = try reader.optionalDouble("restart_period", allowed: "a length > 0", where: ScheduleOptionRange.positive)
            restartMultiplier = try reader.double("restart_multiplier", default: 1, allowed: "a factor ≥ 1", where: { $0 >= 1 })
        }

        /// φ(t) = min_factor + ½(1 − min_factor)(1 + cos(π·t_cur/T)), with T = `length` ??
        /// `runLength` (no restarts) or the SGDR cycle length (restarts).
        public func multiplier(runLength: Double) -> CosineDecay {
            if let restartPeriod {
                return CosineDecay(baseLearningRate: 1, minimumLearningRate: minFactor, duration: restartPeriod,
                                   warmRestarts: true, periodMultiplier: restartMultiplier)
            }
            return CosineDecay(baseLearningRate: 1, minimumLearningRate: minFactor, duration: length ?? runLength)
        }
    }
}
