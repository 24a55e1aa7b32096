/// The fields of the `step`, `eval`, `summary` and `target` lines of metrics.jsonl (DESIGN §4), with
/// their names in the file, and the order in which each kind of line writes them: the one
/// field list every line is built from (``MetricRecord/init(kind:values:)``).
///
/// Every line starts with where training is (step, samples, epoch, lr, batch, accumulation,
/// world); the rest depends on the kind.
public enum MetricField: String, Sendable {
    /// Optimizer updates so far, samples used, and progress in (fractional) epochs.
    case step, samples, epoch
    /// η, B (the real count of a short step), K and W.
    case lr, batch, accumulation, world
    /// Mean training loss and accuracy over the steps since the previous step line (all ranks).
    case trainLoss = "train_loss", trainAccuracy = "train_accuracy"
    /// SGD noise scale g = ε(N/B − 1), with momentum μ: ε·N/(B(1 − μ)) (DESIGN §3.7).
    case noiseScale = "noise_scale", noiseScaleMomentum = "noise_scale_momentum"
    /// Smoothed gradient noise scale B_simple = tr(Σ)/|G|² (McCandlish et al. 2018).
    case bSimple = "b_simple"
    /// Its inputs: the window means of the |G_N|² and tr(Σ) estimates (``NoiseScaleEstimator``).
    case bSimpleGradientSquared = "b_simple_grad_sq", bSimpleTrace = "b_simple_trace"
    /// With `batch.adaptive`: the AdaScale gain r = (σ² + |G|²)/(σ²/S + |G|²) at the current B
    /// (``AdaScaleGain``), and under `lr: adascale` the schedule's scale-invariant clock τ (epochs).
    case adascaleGain = "adascale_gain", scheduleEpoch = "schedule_epoch"
    /// |∇| of the step's reduced gradient (before clipping).
    case gradNorm = "grad_norm"
    /// Non-finite steps skipped so far.
    case skippedSteps = "skipped_steps"
    /// Training samples per second since the previous step line (all ranks).
    case samplesPerSecond = "samples_per_second"
    /// Validation and test metrics over every sample once (DESIGN §3.9).
    case valLoss = "val_loss", valAccuracy = "val_accuracy", testLoss = "test_loss", testAccuracy = "test_accuracy"
    /// 1 on the summary of a run that stopped because its gradient diverged.
    case diverged
    /// Training wall seconds so far.
    case wallSeconds = "wall_seconds"
    /// A `target` line (a study run reached its target; ``TargetCrossing``): the target value,
    /// the metric at the first check that reached it (the line's step, samples, epoch), the
    /// check before it (step s₀, samples, value v₀; null when the first check reached it),
    /// the crossing interpolated between the two (step, samples, epoch, wall seconds), and the
    /// samples each check evaluated (0: the smoothed training loss, no evaluation).
    case target, checkValue = "check_value"
    case previousCheckStep = "previous_check_step", previousCheckSamples = "previous_check_samples"
    case previousCheckValue = "previous_check_value"
    case targetStep = "target_step", targetSamples = "target_samples", targetEpoch = "target_epoch"
    case targetWallSeconds = "target_wall_seconds", checkSamples = "check_samples"

    /// The fields every line starts with.
    public static let position: [MetricField] = [.step, .samples, .epoch, .lr, .batch, .accumulation, .world]

    /// The fields a line of `kind` may hold, in the order it writes them.
    public static func fields(of kind: MetricRecord.Kind) -> [MetricField] {
        switch kind {
        case .step:
            return position + [.trainLoss, .trainAccuracy, .noiseScale, .noiseScaleMomentum, .bSimple,
                               .bSimpleGradientSquared, .bSimpleTrace, .adascaleGain, .scheduleEpoch, .gradNorm,
                               .skippedSteps, .samplesPerSecond, .wallSeconds]
        case .eval:
            return position + [.valLoss, .valAccuracy, .testLoss, .testAccuracy, .wallSeconds]
        case .summary:
            return position + [.testLoss, .testAccuracy, .valLoss, .valAccuracy, .skippedSteps, .diverged, .wallSeconds]
        case .epoch:
            return position + [.trainLoss, .trainAccuracy, .wallSeconds]
        case .target:
            return position + [.target, .checkValue, .previousCheckStep, .previousCheckSamples, .previousCheckValue,
                               .targetStep, .targetSamples, .targetEpoch, .targetWallSeconds, .checkSamples,
                               .wallSeconds]
        }
    }
}
