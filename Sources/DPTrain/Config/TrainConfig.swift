/// `train:` — length, logging, evaluation, early stopping, checkpoints and safety checks.
public struct TrainConfig: Equatable, Sendable {
    public var epochs: Double
    /// Stop after this many optimizer updates (0 = no limit), whichever comes first.
    public var maxSteps: Int
    /// Evaluate every this many epochs (0 = only at the end).
    public var evalEvery: Double
    /// Log a `step` line every this many updates.
    public var logEvery: Int
    /// Estimate the gradient noise scale every this many updates (0 = never).
    public var noiseEvery: Int
    /// The noise-scale estimate averages the measurements of the last this many epochs
    /// (``NoiseScaleEstimator``).
    public var noiseWindow: Double
    /// `early_stopping:` — `none` (default), `patience` (validation loss did not improve for
    /// `patience` evaluations) or `gl` (Prechelt's generalisation loss
    /// GL(t) = 100·(E_va/E_opt − 1) > alpha), each with its own options.
    public var earlyStopping: EarlyStoppingCriterion
    /// Checkpoint every this many epochs (0 = only at the end), keeping the newest `keep`.
    public var checkpointEvery: Double
    public var checkpointKeep: Int
    /// Stop after this many non-finite reduced gradients in a row (each one is skipped).
    public var maxBadSteps: Int
    /// Clip the global gradient norm to this value (0 = off).
    public var clipNorm: Double
    /// Sharded optimizer update with W > 1 (ZeRO stage 1/2): reduce-scatter the gradient, each
    /// rank updates its 1/W block of parameters and optimizer state, all-gather the parameters.
    /// Default on; off: all-reduce and the whole update on every rank.
    public var shardOptimizer: Bool
    /// With the sharded update and every rank on one node, keep θ and ∇ in an MPI-3 shared
    /// window and reduce-scatter / all-gather through it instead of MPI messages (same floats
    /// bit for bit). Default on; off forces messages.
    public var sharedMemory: Bool
    /// Gradient noise (Neelakantan et al. 2015): variance η/(1+t)^γ; η = 0 turns it off.
    public var gradientNoiseEta: Double
    public var gradientNoiseGamma: Double
    /// All-reduce a parameter checksum every this many updates and fail if replicas differ (0 = off).
    public var checkReplicasEvery: Int
    /// Samples per evaluation micro-batch.
    public var evalBatch: Int
    /// End the job when no step or evaluation completes for this many seconds (0 = off).
    public var stallTimeout: Double

    init(_ reader: ConfigReader, microBatch: Int) throws {
        epochs = try reader.double("epochs", default: 10, allowed: "a number of epochs > 0", where: { $0 > 0 })
        maxSteps = try reader.int("max_steps", default: 0, allowed: "updates ≥ 0", where: { $0 >= 0 })
        evalEvery = try reader.double("eval_every", default: 1, allowed: "epochs ≥ 0", where: { $0 >= 0 })
        logEvery = try reader.int("log_every", default: 50, allowed: "updates ≥ 1", where: { $0 >= 1 })
        noiseEvery = try reader.int("noise_every", default: 10, allowed: "updates ≥ 0", where: { $0 >= 0 })
        if reader.contains("noise_smoothing") {
            throw ConfigError.inconsistent(message: "train.noise_smoothing is gone: the noise-scale estimate now averages "
                + "the measurements of a window of train.noise_window epochs (default 0.5) instead of an exponential "
                + "average; remove noise_smoothing (an EMA with weight s averaged about (1 + s)/(1 − s) measurements)")
        }
        noiseWindow = try reader.double("noise_window", default: 0.5, allowed: "epochs > 0", where: { $0 > 0 })
        earlyStopping = try EarlyStoppingCriterion(try reader.section("early_stopping"))
        let checkpoint = try reader.section("checkpoint")
        checkpointEvery = try checkpoint.double("every", default: 1, allowed: "epochs ≥ 0", where: { $0 >= 0 })
        checkpointKeep = try checkpoint.int("keep", default: 3, allowed: "a count ≥ 1", where: { $0 >= 1 })
        maxBadSteps = try reader.int("max_bad_steps", default: 5, allowed: "a count ≥ 1", where: { $0 >= 1 })
        clipNorm = try reader.double("clip_norm", default: 0, allowed: "a norm ≥ 0", where: { $0 >= 0 })
        shardOptimizer = try reader.bool("shard_optimizer", default: true)
        sharedMemory = try reader.bool("shared_memory", default: true)
        let noise = try reader.section("gradient_noise")
        gradientNoiseEta = try noise.double("eta", default: 0, allowed: "a variance ≥ 0", where: { $0 >= 0 })
        gradientNoiseGamma = try noise.double("gamma", default: 0.55, allowed: "an exponent ≥ 0", where: { $0 >= 0 })
        checkReplicasEvery = try reader.int("check_replicas_every", default: 0, allowed: "updates ≥ 0", where: { $0 >= 0 })
        evalBatch = try reader.int("eval_batch", default: max(microBatch, 500), allowed: "a batch ≥ 1", where: { $0 >= 1 })
        stallTimeout = try reader.double("stall_timeout", default: 300, allowed: "seconds ≥ 0", where: { $0 >= 0 })
    }
}
