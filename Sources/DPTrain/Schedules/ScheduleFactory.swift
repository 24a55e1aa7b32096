/// Makes the schedule multiplier φ(t) of `lr_schedule:` (see ``TrainingPlan``): every
/// schedule is built with a base rate of 1, so η(t) = η_base · s(B) · φ(t).
public enum ScheduleFactory {
    /// φ with its warmup. `length` is the run's length in the schedule's unit (the default T
    /// of cosine, polynomial and one-cycle); `warmupStart` is φ at t = 0 of the warmup.
    /// Returns the plateau scheduler separately: it is driven by evaluations, not by t.
    public static func make(_ config: ScheduleConfig, length: Double, warmupStart: Double)
        -> (schedule: LearningRateSchedule, plateau: ReduceOnPlateau?)
    {
        let duration = config.length ?? length
        var plateau: ReduceOnPlateau?
        var schedule: LearningRateSchedule
        switch config.name {
        case "step":
            schedule = StepDecay(baseLearningRate: 1, stepSize: config.stepSize, gamma: config.gamma)
        case "multistep":
            schedule = MultiStepDecay(baseLearningRate: 1, milestones: config.milestones, gamma: config.gamma)
        case "exponential":
            schedule = ExponentialDecay(baseLearningRate: 1, gamma: config.gamma)
        case "inverse":
            schedule = InverseTimeDecay(baseLearningRate: 1, gamma: config.gamma, power: config.power)
        case "polynomial":
            schedule = PolynomialDecay(baseLearningRate: 1, endLearningRate: config.endFactor, duration: duration,
                                       power: config.power)
        case "cosine":
            if let period = config.restartPeriod {
                schedule = CosineDecay(baseLearningRate: 1, minimumLearningRate: config.minFactor, duration: period,
                                       warmRestarts: true, periodMultiplier: config.restartMultiplier)
            } else {
                schedule = CosineDecay(baseLearningRate: 1, minimumLearningRate: config.minFactor, duration: duration)
            }
        case "cyclical":
            let mode: CyclicalSchedule.Mode
            switch config.cycleMode {
            case "triangular2": mode = .triangular2
            case "exp_range": mode = .exponentialRange(gamma: config.gamma)
            default: mode = .triangular
            }
            schedule = CyclicalSchedule(baseLearningRate: 1, maxLearningRate: config.maxFactor,
                                        stepSize: config.stepSize, mode: mode)
        case "one_cycle":
            schedule = OneCycleSchedule(maxLearningRate: 1, duration: duration, pctStart: config.pctStart,
                                        divFactor: config.divFactor, finalDivFactor: config.finalDivFactor)
        case "plateau":
            plateau = ReduceOnPlateau(baseLearningRate: 1, factor: config.gamma, patience: config.patience,
                                      threshold: config.threshold, cooldown: config.cooldown,
                                      minimumLearningRate: config.minFactor)
            schedule = ConstantSchedule(learningRate: 1)
        default:
            schedule = ConstantSchedule(learningRate: 1)
        }
        if config.warmup > 0 {
            schedule = LinearWarmup(schedule, duration: config.warmup, startLearningRate: warmupStart)
        }
        return (schedule, plateau)
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
