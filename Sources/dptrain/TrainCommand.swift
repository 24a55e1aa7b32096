import ArgumentParser
import DPTrain
import Foundation

/// `dptrain train CONFIG [key.path=value …]` — train on this process's ranks.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a model from a YAML config (alone, or as one rank of an MPI job).",
        discussion: """
            Settings come from CONFIG; each key.path=value argument overrides one key \
            (for example optimizer.lr=0.05 batch.global=1024 model.layers.0.dense=512). \
            Rank 0 prints the resolved config, then progress, and writes the run directory \
            (config key 'output'): config.resolved.yaml, metrics.jsonl, metrics.csv, \
            final.safetensors and a DONE marker.

            The same command, run again, continues: an unfinished run resumes from its \
            newest valid checkpoint, a finished run (DONE marker) is left alone, and a run \
            written with a different config is refused naming the key. --fresh starts over; \
            the previous run is then moved aside to OUTPUT.replaced-<date>, never deleted.

            Examples:
              dptrain train configs/smoke.yaml
              mpirun -n 2 dptrain train configs/fashion-mnist-mlp.yaml seed=2
              dptrain train configs/smoke.yaml --fresh
            """)

    @Argument(help: "The YAML config file.")
    var config: String

    @Argument(help: "Overrides, each key.path=value.")
    var overrides: [String] = []

    @Flag(help: ArgumentHelp("Start over: move the run directory's previous run aside (to OUTPUT.replaced-<date>) and train from the beginning.",
                             discussion: "The old run is renamed, not deleted, and only after the config and data are validated."))
    var fresh = false

    @Flag(help: ArgumentHelp("Accepted for compatibility; continuing is the default.",
                             discussion: "Without --fresh, train always continues an unfinished run from its newest valid checkpoint."))
    var resume = false

    @Flag(help: ArgumentHelp("Check the config, data, model and batch plan, print the banner, and exit.",
                             discussion: "Reads every input training would read (config, data files, init_from weights) and writes nothing."))
    var dryRun = false

    @Flag(help: "Print only the final summary (rank 0).")
    var quiet = false

    @Flag(help: "On a terminal, also print the step log lines that the progress bar replaces.")
    var verbose = false

    func validate() throws {
        if fresh && resume {
            throw ValidationError("--fresh starts over and --resume continues: give one (continuing is the default)")
        }
    }

    func run() throws {
        try CollectiveRun.run { communicator in
            let config = try TrainingConfig.load(file: self.config, overrides: overrides)
            try ConfigAgreement.check(config, communicator: communicator)
            let display = communicator.isRoot && !quiet ? ProgressDisplay(verbose: verbose) : nil
            let lifecycle = RunLifecycle(config: config, communicator: communicator) { print($0); fflush(nil) }
            let builder = try RunBuilder(config: config, communicator: communicator)
            _ = try builder.makePlan()  // every check before anything in the run directory changes
            try lifecycle.checkOutput()
            display?.line(try Banner.lines(config: config, configFile: self.config, builder: builder,
                                           communicator: communicator).joined(separator: "\n"))
            if dryRun {
                lifecycle.say("dry run: \(self.config) and its data are valid; nothing was trained or written")
                return
            }
            let decision = try lifecycle.decide(fresh: fresh, onConfigChange: .fail)
            if case .finished = decision {
                lifecycle.say("\(config.output) already holds a finished run (DONE marker); nothing to do. "
                    + "Its weights are \(config.output)/final.safetensors. To train again, use another 'output', "
                    + "or add --fresh (the finished run is then moved aside to \(config.output).replaced-<date>, not deleted).")
                return
            }
            try lifecycle.prepare(decision, sampleCount: builder.data.train.count)
            let trainer = try lifecycle.makeTrainer(builder, decision: decision)
            trainer.observer = display
            let summary = try trainer.run()
            display?.finish()
            if communicator.isRoot {
                print(Banner.summary(summary, runDirectory: config.output))
            }
        }
    }
}

/// `dptrain eval CONFIG --weights FILE` — test metrics of saved weights.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate saved weights on the config's test (and validation) data.",
        discussion: """
            Builds the model and data of CONFIG (with overrides), loads WEIGHTS (a \
            safetensors file such as runs/NAME/final.safetensors) and prints loss, accuracy \
            and the number of correct predictions. Runs alone or under mpirun; every sample \
            is evaluated exactly once whatever the number of ranks.
            """)

    @Argument(help: "The YAML config file the weights were trained with.")
    var config: String

    @Argument(help: "Overrides, each key.path=value.")
    var overrides: [String] = []

    @Option(help: "Safetensors file with the model's parameters.")
    var weights: String

    @Flag(help: "Print the result as one JSON object.")
    var json = false

    func run() throws {
        try CollectiveRun.run { communicator in
            let config = try TrainingConfig.load(file: self.config, overrides: overrides)
            let builder = try RunBuilder(config: config, communicator: communicator)
            let file = try SafeTensors.read(from: URL(fileURLWithPath: weights))
            try file.load(into: builder.model.store, file: weights)
            let evaluator = builder.makeEvaluator()
            var lines: [String] = []
            var fields: [String: Any?] = ["world": communicator.worldSize]
            for (name, dataset) in [("test", builder.data.test), ("val", builder.data.validation)] {
                guard let dataset else { continue }
                let result = try evaluator.evaluate(dataset)
                let correct = Int((result.accuracy * Double(result.count)).rounded())
                lines.append("\(name): loss \(Format.fixed(result.loss, 6)) | accuracy \(Format.percent(result.accuracy)) "
                    + "(\(correct) of \(result.count) correct)")
                fields["\(name)_loss"] = result.loss
                fields["\(name)_accuracy"] = result.accuracy
                fields["\(name)_correct"] = correct
                fields["\(name)_count"] = result.count
            }
            if communicator.isRoot {
                print(json ? JSONOutput.text(fields) : lines.joined(separator: "\n"))
            }
        }
    }
}
