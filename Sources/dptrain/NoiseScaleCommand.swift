import ArgumentParser
import DPTrain
import Foundation

/// `dptrain noise-scale CONFIG --weights FILE [--batch b]` — the exact gradient noise scale of
/// saved weights over one epoch (``NoiseScaleMeasurement``).
struct NoiseScaleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "noise-scale",
        abstract: "Measure the gradient noise scale B_simple = tr(Σ)/|G|² of saved weights over one epoch.",
        discussion: """
            Builds the model and data of CONFIG (with overrides), loads WEIGHTS (a run's \
            final.safetensors, an exported safetensors file, or a checkpoint .ckpt), cuts the \
            training set in the order of epoch E (seed from the config) into n = floor(N/b) \
            batches of b samples (the tail is dropped, as in training) and computes every batch's \
            mean gradient g_j exactly as a training step does: training mode (dropout masks and \
            augmentation of that epoch), loss gradients scaled by 1/b, accumulated over \
            micro-batches of batch.micro. Clipping, gradient noise and weight decay are not part \
            of g_j. With G_N the mean of the g_j it prints

              tr(Σ) = b · Σ_j |g_j − G_N|² / (n − 1)
              |G|²  = |G_N|² − tr(Σ)/(n·b)
              B_simple = tr(Σ) / |G|²

            tr(Σ) is the per-sample gradient covariance trace (no further finite-population \
            correction: the n − 1 divisor with the batches' exact mean makes it unbiased); |G|² \
            removes from |G_N|² the sampling noise of the n·b samples. These are the quantities \
            the online estimate b_simple in metrics.jsonl (train.noise_every) tracks during \
            training. A smaller b gives more batches and a tighter tr(Σ) at the same cost. Runs \
            alone or under mpirun: the batches are spread over the ranks and the result does \
            not depend on their number (up to float rounding).

            Examples:
              dptrain noise-scale configs/smoke.yaml --weights runs/smoke/final.safetensors
              mpirun -n 2 dptrain noise-scale configs/fashion-mnist-mlp.yaml \\
                --weights runs/fashion-mnist-mlp/checkpoints/step-000002340.ckpt \\
                --batch 64 --json
            """)

    @Argument(help: "The YAML config file the weights were trained with.")
    var config: String

    @Argument(help: "Overrides, each key.path=value.")
    var overrides: [String] = []

    @Option(help: "Safetensors file or checkpoint (.ckpt) with the model's parameters.")
    var weights: String

    @Option(help: ArgumentHelp("Samples per batch b (default: the config's batch.global).",
                               discussion: "At most batch.micro, or a multiple of it; at most half the training set."))
    var batch: Int?

    @Option(help: "The epoch whose sample order, dropout masks and augmentation are used.")
    var epoch = 0

    @Flag(help: "Print the result as one JSON object.")
    var json = false

    func run() throws {
        try CollectiveRun.run { communicator in
            let config = try TrainingConfig.load(file: self.config, overrides: overrides)
            let builder = try RunBuilder(config: config, communicator: communicator)
            try WeightsFile.read(weights).load(into: builder.model.store, file: weights)
            let result = try NoiseScaleMeasurement.measure(builder, batch: batch ?? config.batch.global, epoch: epoch)
            guard communicator.isRoot else { return }
            // |G|² ≤ 0: the mean gradient is within the sampling noise of the samples (B_simple ≫ N).
            let bSimple = result.gradientSquared > 0 ? result.bSimple : nil
            if json {
                print(JSONOutput.text([
                    "b_simple": bSimple, "trace": result.trace, "gradient_squared": result.gradientSquared,
                    "gradient_squared_full": result.fullGradientSquared, "batch": result.batch,
                    "batches": result.batchCount, "samples": result.samples, "training_samples": result.trainingSamples,
                    "epoch": result.epoch, "world": communicator.worldSize,
                ]))
            } else {
                let undefined = "not defined: |G|² ≤ 0, the mean gradient is within the sampling noise of the "
                    + "\(result.samples) samples (B_simple far above them)"
                print("""
                    B_simple = tr(Σ)/|G|² = \(bSimple.map(Format.significant) ?? undefined)
                    tr(Σ) = \(result.trace)  (per sample)
                    |G|² = \(result.gradientSquared)  (|G_N|² = \(result.fullGradientSquared), of the mean gradient of the samples used)
                    from \(result.batchCount) batches of b = \(result.batch) (\(result.samples) of \(result.trainingSamples) \
                    training samples, epoch \(result.epoch) order) on \(communicator.worldSize) rank(s)
                    """)
            }
        }
    }
}
