import ArgumentParser
import DPTrain
import Foundation

/// `dptrain export CHECKPOINT --to FILE` — a checkpoint's parameters as safetensors.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a checkpoint's parameters as a safetensors file.",
        discussion: """
            Verifies CHECKPOINT (CRC-32), then writes its parameters with the same names, \
            shapes and layout as final.safetensors (float32, dense.<i>.weight [out, in], \
            dense.<i>.bias [out]) and __metadata__ format=dptrain, config (the resolved config \
            without 'output'), step, samples and epoch. The epoch is fractional when the \
            config's training data can be read here (its sample count fixes the fraction); \
            otherwise it is the whole epochs completed, with a note. The optimizer state is \
            not exported. The file is written atomically.

            Examples:
              dptrain export runs/smoke/checkpoints/step-000000640.ckpt --to smoke-640.safetensors
              python3 -c "from safetensors.numpy import load_file; print(load_file('smoke-640.safetensors').keys())"
            """)

    @Argument(help: "The checkpoint (.ckpt) to export.")
    var checkpoint: String

    @Option(help: "The safetensors file to write.")
    var to: String

    @Flag(help: "Export the best parameters kept for early stopping (restore_best) instead of the current ones.")
    var best = false

    func run() throws {
        let file: Checkpoint
        do {
            file = try Checkpoint.read(from: URL(fileURLWithPath: checkpoint))
        } catch {
            throw InspectFailure.exit("\(error)")
        }
        let header = file.header
        let count = header.tensors.reduce(0) { $0 + $1.shape.reduce(1, *) }
        guard count == header.parameterCount else {
            throw InspectFailure.exit("checkpoint \(checkpoint) is not valid: its tensors hold \(count) values, "
                + "but it stores \(header.parameterCount) parameters")
        }
        var start = 0
        if best {
            guard header.hasBestParameters else {
                throw InspectFailure.exit("checkpoint \(checkpoint) holds no best parameters "
                    + "(they are kept only with train.early_stopping restore_best); export without --best")
            }
            start = (1 + header.stateBuffers.count) * header.parameterCount
        }
        var tensors: [SafeTensors.Tensor] = []
        for entry in header.tensors {
            let size = entry.shape.reduce(1, *)
            tensors.append(.init(name: entry.name, shape: entry.shape, values: Array(file.payload[start ..< start + size])))
            start += size
        }
        var metadata = [
            "format": "dptrain",
            "config": header.config,
            "step": String(header.state.step),
            "samples": String(header.state.samples),
            "epoch": String(Double(header.state.epoch)),
        ]
        if let config = CheckpointConfig(header: header, file: checkpoint) {
            metadata["config"] = config.config.resolvedYAMLWithoutOutput
            if let epoch = config.epoch {
                metadata["epoch"] = String(epoch)
            } else if header.state.cursor > 0 {
                FileHandle.standardError.write(Data(("note: the config's training data cannot be read here, so the "
                    + "exported epoch is \(header.state.epoch) (whole epochs; \(header.state.cursor) samples into the next)\n").utf8))
            }
        }
        do {
            try SafeTensors(tensors: tensors, metadata: metadata).write(to: URL(fileURLWithPath: to))
        } catch {
            throw InspectFailure.exit("cannot write \(to): \(error)")
        }
        print("exported \(header.tensors.count) tensors, \(Format.grouped(Double(header.parameterCount))) parameters "
            + "(\(best ? "best" : "step \(header.state.step)")) from \(checkpoint) to \(to)")
    }
}

/// A checkpoint's saved config, parsed, and its fractional epoch e + c/N when the config's
/// training data can be read here (N is its sample count after the validation split).
struct CheckpointConfig {
    var config: TrainingConfig
    var epoch: Double?

    /// Nil when the saved config does not parse with this dptrain.
    init?(header: Checkpoint.Header, file: String) {
        guard let config = try? TrainingConfig(ConfigValue.parse(yaml: header.config, file: file)) else { return nil }
        self.config = config
        if let data = try? DataPreparation.load(config.data, seed: config.seed), data.train.count > 0 {
            epoch = header.state.progress(sampleCount: data.train.count)
        }
    }
}
