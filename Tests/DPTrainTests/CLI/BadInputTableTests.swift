import Foundation
import Testing
import DPTrain

/// A table of bad inputs (configs, arguments, data, weights, output directories): each gives a
/// non-zero exit and one `error:` line naming the offending key, path or value — and leaves an
/// existing run directory exactly as it was. (The multi-rank versions of the data and batch
/// cases are in `BadInputTests`.)
@Suite("Bad input table")
struct BadInputTableTests {
    struct Case: CustomStringConvertible, Sendable {
        var name: String
        var arguments: [String]
        var expected: [String]
        var description: String { name }
    }

    static let base = """
        name: table
        data: {dataset: spirals, samples: 256, test_samples: 64}
        model: {input: [2], layers: [{dense: 8, activation: relu}, {dense: 2}]}
        optimizer: {name: sgd, lr: 0.1}
        batch: {global: 32, micro: 16}
        train: {epochs: 1}
        """

    static let cases: [Case] = [
        Case(name: "micro-batch larger than the global batch", arguments: ["batch.micro=64"],
             expected: ["batch.micro (64) is larger than batch.global (32)"]),
        Case(name: "negative learning rate", arguments: ["optimizer.lr=-1"],
             expected: ["optimizer.lr", "-1", "a learning rate > 0"]),
        Case(name: "misspelt optimizer", arguments: ["optimizer.name=adamm"],
             expected: ["optimizer.name", "did you mean 'adam'"]),
        Case(name: "misspelt schedule", arguments: ["lr_schedule.name=cosin"],
             expected: ["lr_schedule.name", "did you mean 'cosine'"]),
        Case(name: "unknown layer kind", arguments: ["model.layers.0={denser: 8}"],
             expected: ["model.layers.0.denser", "did you mean 'dense'"]),
        Case(name: "empty layer list", arguments: ["model.layers=[]"],
             expected: ["model.layers", "is required"]),
        Case(name: "last layer does not match the classes", arguments: ["model.layers.1.dense=3"],
             expected: ["2 classes", "3 outputs"]),
        Case(name: "input shape does not match the data", arguments: ["model.input=[3]"],
             expected: ["model.input [3]", "set model.input: [2]"]),
        Case(name: "override index out of range", arguments: ["model.layers.9.dense=3"],
             expected: ["model.layers.9.dense=3", "not an index of the list"]),
        Case(name: "dropout rate of 1", arguments: ["model.layers.0={dropout: 1.0}"],
             expected: ["model.layers.0.dropout", "a probability in [0, 1)"]),
        Case(name: "batch milestones not increasing",
             arguments: ["batch.schedule=[{epoch: 2, factor: 2}, {epoch: 1, factor: 2}]"],
             expected: ["batch.schedule.1.epoch", "greater than the previous milestone"]),
        Case(name: "validation split as large as the data", arguments: ["data.validation=256"],
             expected: ["data.validation is too large"]),
        Case(name: "image augmentation on tabular data", arguments: ["data.augment.shift=2"],
             expected: ["shift"]),
        Case(name: "early stopping without validation", arguments: ["train.early_stopping.criterion=patience"],
             expected: ["train.early_stopping needs a validation split"]),
        Case(name: "nesterov without momentum", arguments: ["optimizer.nesterov=true"],
             expected: ["optimizer.nesterov: true needs optimizer.momentum > 0"]),
        Case(name: "YAML flow-map typo", arguments: ["optimizer={name:adam}"],
             expected: ["'name:adam' is read as one key"]),
        Case(name: "initial weights file missing", arguments: ["model.init_from=/nonexistent/w.safetensors"],
             expected: ["/nonexistent/w.safetensors", "no such file"]),
        Case(name: "initial weights not safetensors", arguments: ["model.init_from=GARBAGE"],
             expected: ["garbage.safetensors is not a valid safetensors file"]),
        Case(name: "initial weights of another model", arguments: ["model.init_from=OTHER"],
             expected: ["other.safetensors", "dense.0.weight", "[8, 2]"]),
        Case(name: "output is an existing file", arguments: ["output=FILE"],
             expected: ["a-file", "is not a directory"]),
        Case(name: "output not writable", arguments: ["output=/proc/dptrain-run"],
             expected: ["/proc/dptrain-run", "writable"]),
        Case(name: "wrong type for a boolean", arguments: ["data.shuffle=sometimes"],
             expected: ["data.shuffle", "true or false", "'sometimes'"]),
        Case(name: "non-numeric list element", arguments: ["lr_schedule={name: multistep, milestones: [1, x]}"],
             expected: ["lr_schedule.milestones.1", "a number"]),
        Case(name: "negative seed", arguments: ["seed=-3"], expected: ["seed", "-3"]),
        Case(name: "unknown loss", arguments: ["loss=hinge"], expected: ["loss", "'hinge'"]),
    ]

    @Test("non-zero exit, one clear message, run directory untouched", arguments: cases)
    func badInput(_ c: Case) throws {
        let directory = try CommandRunner.temporaryDirectory("table")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("table.yaml")
        try Self.base.write(to: config, atomically: true, encoding: .utf8)
        try Data("not a safetensors file".utf8).write(to: directory.appendingPathComponent("garbage.safetensors"))
        try Data("x".utf8).write(to: directory.appendingPathComponent("a-file"))
        let other = SafeTensors(tensors: [.init(name: "dense.0.weight", shape: [4, 2], values: Array(repeating: 0, count: 8))])
        try other.write(to: directory.appendingPathComponent("other.safetensors"))
        // A finished run lives in the output directory; a failed start must not disturb it.
        let output = directory.appendingPathComponent("run")
        let first = try CommandRunner.dptrain(["train", config.path, "output=\(output.path)", "--quiet"])
        #expect(first.status == 0, "\(first.combined)")
        let before = try Data(contentsOf: output.appendingPathComponent("final.safetensors"))
        let arguments = c.arguments.map {
            $0.replacingOccurrences(of: "GARBAGE", with: directory.appendingPathComponent("garbage.safetensors").path)
              .replacingOccurrences(of: "OTHER", with: directory.appendingPathComponent("other.safetensors").path)
              .replacingOccurrences(of: "output=FILE", with: "output=" + directory.appendingPathComponent("a-file").path)
        }
        let outputArgument = arguments.contains { $0.hasPrefix("output=") } ? [] : ["output=\(output.path)"]
        let result = try CommandRunner.dptrain(["train", config.path] + outputArgument + arguments + ["--quiet"], timeout: 60)
        #expect(!result.timedOut)
        #expect(result.status != 0, "\(c.name): exit 0")
        let lines = result.error.split(separator: "\n").filter { $0.hasPrefix("error") }
        #expect(lines.count == 1, "\(c.name): \(result.error)")
        for fragment in c.expected {
            #expect(lines.first?.contains(fragment) == true, "\(c.name): '\(fragment)' not in \(lines)")
        }
        #expect(try Data(contentsOf: output.appendingPathComponent("final.safetensors")) == before)
        #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("DONE").path))
    }
}

/// A full disk while training: a tiny tmpfs as the run directory (needs root to mount).
@Suite("Disk full")
struct DiskFullTests {
    static var canMount: Bool { getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/bin/mount") }

    @Test("a checkpoint write on a full disk fails cleanly, naming the file and the reason",
          .enabled(if: canMount, "needs root to mount a tmpfs"))
    func diskFull() throws {
        let directory = try CommandRunner.temporaryDirectory("disk-full")
        defer {
            _ = try? CommandRunner.run("/bin/umount", [directory.path])
            try? FileManager.default.removeItem(at: directory)
        }
        let mount = try CommandRunner.run("/bin/mount", ["-t", "tmpfs", "-o", "size=48k", "tmpfs", directory.path])
        #expect(mount.status == 0, "\(mount.combined)")
        let result = try CommandRunner.dptrain(["train", CLITests.smokeConfig, "output=\(directory.path)/run", "--quiet"])
        #expect(!result.timedOut && result.status != 0)
        let lines = result.error.split(separator: "\n").filter { $0.hasPrefix("error") }
        #expect(lines.count == 1)
        #expect(lines.first?.contains("cannot write \(directory.path)/run/checkpoints/step-") == true, "\(lines)")
        #expect(lines.first?.contains("No space left on device") == true, "\(lines)")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path + "/run/checkpoints")
        #expect(names.isEmpty, "no partial checkpoint may remain: \(names)")
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/run/DONE"))
    }
}
