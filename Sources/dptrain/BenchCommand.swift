import ArgumentParser
import DPTrain
import Foundation

/// `dptrain bench [CONFIG]` — GEMM, all-reduce and training-step measurements.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure GEMM speed, all-reduce time and the training-step breakdown of a config.",
        discussion: """
            Run it like training (alone, or under mpirun / launch/bench). It reports:
            the BLAS kernel set in use; GFLOP/s of cblas_sgemm at the model's own shapes; the \
            MPI all-reduce time and bandwidth for the model's gradient size; and, per rank, the \
            time per optimizer step spent in data, forward, backward, exposed communication \
            and optimizer, the time inside sgemm and its share of the step, with steady-state \
            samples/s (after --warmup steps); with 2+ ranks, a timeline of the collectives \
            (per rank: time between collectives, time waiting in each kind of collective for the \
            last rank to arrive, how often each rank arrived last, CPU time and involuntary \
            context switches per step) and an overlap probe (does a \
            non-blocking all-reduce hide behind backward-length GEMM work?); and each rank's \
            memory: parameters, gradients, optimizer state, buffers and dataset against its \
            peak resident set. With --predict, an α-β model extrapolates the step time to \
            W = 2 … 1024 ranks.
            """)

    @Argument(help: "The YAML config to measure.")
    var config: String = "configs/bench-mlp.yaml"

    @Argument(help: "Overrides, each key.path=value.")
    var overrides: [String] = []

    @Option(help: "Measured optimizer steps.")
    var steps: Int = 100

    @Option(help: "Steps run before measuring.")
    var warmup: Int = 20

    @Flag(help: "Print one JSON object instead of tables.")
    var json = false

    @Flag(help: "Predict step time and scaling efficiency for W = 2 … 1024.")
    var predict = false

    func validate() throws {
        guard steps > 0 else { throw ValidationError("--steps must be positive (got \(steps))") }
        guard warmup >= 0 else { throw ValidationError("--warmup must be ≥ 0 (got \(warmup))") }
    }

    func run() throws {
        // `dptrain bench batch.micro=256` means the default config with an override.
        var file = self.config, overrides = self.overrides
        if file.contains("="), !FileManager.default.fileExists(atPath: file) {
            overrides.insert(file, at: 0)
            file = "configs/bench-mlp.yaml"
        }
        try CollectiveRun.run { communicator in
            let benchOverrides = ["train.max_steps=\(warmup + steps)", "train.epochs=100000", "train.eval_every=0",
                                  "train.log_every=100000000", "train.noise_every=0", "train.checkpoint.every=0"]
            let config = try TrainingConfig.load(file: file, overrides: overrides + benchOverrides)
            // The run's collectives go through a recorder: when each rank enters and leaves each one.
            let timeline = CollectiveTimeline(base: communicator)
            let builder = try RunBuilder(config: config, communicator: timeline)
            let decomposition = try builder.makePlan().phases[0]
            let report = try BenchReport.measure(builder: builder, decomposition: decomposition,
                                                 warmup: warmup, steps: steps, communicator: communicator,
                                                 timeline: timeline)
            guard communicator.isRoot else { return }
            print(json ? report.json : report.table)
            if predict, !json { print(report.prediction) }
        }
    }
}
