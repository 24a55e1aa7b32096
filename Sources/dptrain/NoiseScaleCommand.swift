import ArgumentParser
import DPTrain
import Foundation

/// `dptrain noise-scale CONFIG --weights FILE… [--batch b]` — the exact gradient noise scale of
/// saved weights over one epoch (``NoiseScaleMeasurement``), of each file and over all of them.
struct NoiseScaleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "noise-scale",
        abstract: "Measure the gradient noise scale B_simple = tr(Σ)/|G_N|² of saved weights over one epoch.",
        discussion: """
            Builds the model and data of CONFIG (with overrides), loads WEIGHTS (a run's \
            final.safetensors, an exported safetensors file, or a checkpoint .ckpt), cuts the \
            training set in the order of epoch E (seed from the config) into n = floor(N/b) \
            batches of b samples (the tail is dropped, as in training) and computes every batch's \
            mean gradient g_j exactly as a training step does: training mode (dropout masks and \
            augmentation of that epoch), loss gradients scaled by 1/b, accumulated over \
            micro-batches of batch.micro. Clipping, gradient noise and weight decay are not part \
            of g_j. With G_N the mean of the g_j (the full-training-set gradient) it prints

              tr(Σ) = b · Σ_j |g_j − G_N|² / (n − 1)
              B_simple = tr(Σ) / |G_N|²

            tr(Σ) is the per-sample gradient covariance trace (no further finite-population \
            correction: the n − 1 divisor with the batches' exact mean makes it unbiased). Also \
            printed: |G_N|² − tr(Σ)/(n·b), the squared gradient of the data distribution with the \
            samples' own noise removed. These are the quantities the online estimate b_simple in \
            metrics.jsonl (train.noise_every, train.noise_window) tracks during training.

            Give --weights several times (checkpoints of a stretch of training) to compare with \
            the online estimate, which averages over a window of steps: |G_N|² changes many-fold \
            from one step to the next while training, so one checkpoint is one draw from it. \
            Each file's figures are printed, and B_simple over all of them as the online window \
            forms it: mean tr(Σ) / mean |G_N|².

            A smaller b gives more batches and a tighter tr(Σ) at the same cost. Runs alone or \
            under mpirun: the batches are spread over the ranks and the result does not depend on \
            their number (up to float rounding).

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

    @Option(help: ArgumentHelp("Safetensors file or checkpoint (.ckpt) with the model's parameters.",
                               discussion: "Repeat it to measure several and average them."))
    var weights: [String]

    @Option(help: ArgumentHelp("Samples per batch b (default: the config's batch.global).",
                               discussion: "At most batch.micro, or a multiple of it; at most half the training set."))
    var batch: Int?

    @Option(help: "The epoch whose sample order, dropout masks and augmentation are used.")
    var epoch = 0

    @Flag(help: "Print the result as one JSON object.")
    var json = false

    func validate() throws {
        if weights.isEmpty { throw ValidationError("give the weights to measure: --weights FILE (repeat it for several)") }
    }

    func run() throws {
        try CollectiveRun.run { communicator in
            let config = try TrainingConfig.load(file: self.config, overrides: overrides)
            let builder = try RunBuilder(config: config, communicator: communicator)
            var results: [ExactNoiseScale] = []
            for file in weights {
                try WeightsFile.read(file).load(into: builder.model.store, file: file)
                results.append(try NoiseScaleMeasurement.measure(builder, batch: batch ?? config.batch.global, epoch: epoch))
            }
            guard communicator.isRoot else { return }
            let combined = ExactNoiseScale.bSimple(averagedOver: results)
            if json {
                var object = Self.fields(results[0])
                if results.count > 1 {
                    object = ["b_simple": combined, "weights": results.count,
                              "trace": results.reduce(0) { $0 + $1.trace } / Double(results.count),
                              "gradient_squared": results.reduce(0) { $0 + $1.gradientSquared } / Double(results.count),
                              "each": zip(weights, results).map { file, result in
                                  var fields = Self.fields(result)
                                  fields["file"] = file
                                  return fields
                              }]
                }
                object["world"] = communicator.worldSize
                print(JSONOutput.text(object))
            } else {
                for (file, result) in zip(weights, results) {
                    if results.count > 1 { print("\(file):") }
                    print("""
                        B_simple = tr(Σ)/|G_N|² = \(result.gradientSquared > 0 ? Format.significant(result.bSimple) : "not defined: |G_N|² = 0")
                        tr(Σ) = \(result.trace)  (per sample)
                        |G_N|² = \(result.gradientSquared)  (|G_N|² − tr(Σ)/(n·b) = \(result.populationGradientSquared))
                        from \(result.batchCount) batches of b = \(result.batch) (\(result.samples) of \(result.trainingSamples) \
                        training samples, epoch \(result.epoch) order) on \(communicator.worldSize) rank(s)
                        """)
                }
                if results.count > 1 {
                    print("over the \(results.count) weights: B_simple = mean tr(Σ) / mean |G_N|² = "
                          + (combined.map(Format.significant) ?? "not defined"))
                }
            }
        }
    }

    /// One measurement's JSON fields.
    static func fields(_ result: ExactNoiseScale) -> [String: Any?] {
        ["b_simple": result.gradientSquared > 0 ? result.bSimple : nil, "trace": result.trace,
         "gradient_squared": result.gradientSquared, "gradient_squared_population": result.populationGradientSquared,
         "batch": result.batch, "batches": result.batchCount, "samples": result.samples,
         "training_samples": result.trainingSamples, "epoch": result.epoch]
    }
}
