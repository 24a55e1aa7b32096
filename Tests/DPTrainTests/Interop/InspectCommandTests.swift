import Foundation
import Testing
import DPTrain

/// `dptrain inspect` on checkpoints and safetensors files: golden-ish output, verification,
/// exit codes (STYLE B13.5).
@Suite("inspect command", .serialized)
struct InspectCommandTests {
    static let tensorNames = ["dense.0.weight", "dense.0.bias", "dense.2.weight", "dense.2.bias", "dense.3.weight", "dense.3.bias"]

    @Test("on a checkpoint: format, tensors with shapes, totals, optimizer, progress, world, config and 'checksum ok'")
    func checkpointSummary() throws {
        let file = try SmokeRun.checkpoint()
        let result = try CommandRunner.dptrain(["inspect", file.path])
        #expect(result.status == 0, "\(result.combined)")
        #expect(result.error.isEmpty)
        let text = result.output
        #expect(text.contains("dptrain checkpoint, version 1"))
        #expect(text.contains("checksum ok"))
        for name in Self.tensorNames { #expect(text.contains(name), "\(name) not listed") }
        #expect(text.contains("dense.2.weight  [64, 64]  4,096"))
        #expect(text.contains("tensors     6, 4,482 parameters"))
        #expect(text.contains("sgd, 32 updates, state buffers: momentum_buffer (4,482 floats)"))
        #expect(text.contains("step 32, 2,048 samples, epoch 1.0000"))
        #expect(text.contains("1 rank wrote it"))
        #expect(text.contains("(first 12 of"))
        #expect(text.contains("  name: smoke"))
        #expect(!text.contains("lr_schedule"), "only the first config lines without --config")

        let full = try CommandRunner.dptrain(["inspect", file.path, "--config"])
        #expect(full.status == 0)
        #expect(full.output.contains("lr_schedule"))
        #expect(!full.output.contains("first 12 of"))
    }

    @Test("--json on a checkpoint and on final.safetensors")
    func jsonSummary() throws {
        let checkpoint = try SmokeRun.checkpoint()
        let result = try CommandRunner.dptrain(["inspect", checkpoint.path, "--json"])
        #expect(result.status == 0, "\(result.combined)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        #expect(object["format"] as? String == "dptrain-checkpoint")
        #expect(object["ok"] as? Bool == true)
        #expect(object["checksum"] as? String == "ok")
        #expect(object["parameters"] as? Int == 4482)
        #expect(object["step"] as? Int == 32)
        #expect(object["samples"] as? Int == 2048)
        #expect(object["epoch"] as? Double == 1.0)
        #expect(object["world_size"] as? Int == 1)
        let optimizer = try #require(object["optimizer"] as? [String: Any])
        #expect(optimizer["name"] as? String == "sgd")
        #expect(optimizer["state_buffers"] as? [String] == ["momentum_buffer"])
        let tensors = try #require(object["tensors"] as? [[String: Any]])
        #expect(tensors.compactMap { $0["name"] as? String } == Self.tensorNames)
        #expect(tensors.compactMap { $0["shape"] as? [Int] } == [[64, 2], [64], [64, 64], [64], [2, 64], [2]])
        #expect((object["config"] as? String)?.contains("dataset: spirals") == true)

        let weights = try SmokeRun.directory.get().appendingPathComponent("final.safetensors")
        let safetensors = try CommandRunner.dptrain(["inspect", weights.path, "--json"])
        #expect(safetensors.status == 0, "\(safetensors.combined)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(safetensors.output.utf8)) as? [String: Any])
        #expect(summary["format"] as? String == "safetensors")
        #expect(summary["ok"] as? Bool == true)
        #expect(summary["parameters"] as? Int == 4482)
        #expect(summary["step"] as? Int == 32)
        #expect((summary["tensors"] as? [[String: Any]])?.compactMap { $0["dtype"] as? String } == Array(repeating: "F32", count: 6))
    }

    @Test("a checkpoint with one flipped byte: summary of the readable header, then an error and exit 1")
    func flippedByte() throws {
        let directory = try CommandRunner.temporaryDirectory("inspect-flip")
        defer { try? FileManager.default.removeItem(at: directory) }
        var bytes = try Data(contentsOf: try SmokeRun.checkpoint())
        bytes[bytes.count - 5000] ^= 0x10
        let damaged = directory.appendingPathComponent("damaged.ckpt")
        try bytes.write(to: damaged)
        let result = try CommandRunner.dptrain(["inspect", damaged.path])
        #expect(result.status == 1, "\(result.combined)")
        #expect(!result.output.contains("checksum ok"))
        #expect(result.output.contains("FAILED"))
        #expect(result.output.contains("dense.0.weight"), "the header is still readable and summarised")
        let errors = result.error.split(separator: "\n").filter { $0.hasPrefix("error:") }
        #expect(errors == ["error: checkpoint \(damaged.path) is not valid: checksum mismatch (the file is truncated or damaged; "
                           + "use an earlier checkpoint of the run)"],
                "\(result.error)")

        let json = try CommandRunner.dptrain(["inspect", damaged.path, "--json"])
        #expect(json.status == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        #expect(object["ok"] as? Bool == false)
        #expect((object["checksum"] as? String)?.contains("checksum mismatch") == true)

        // Truncated: the size no longer matches, the CRC is read from the wrong bytes.
        let truncated = directory.appendingPathComponent("truncated.ckpt")
        try bytes.prefix(bytes.count / 2).write(to: truncated)
        let cut = try CommandRunner.dptrain(["inspect", truncated.path])
        #expect(cut.status == 1)
        #expect(cut.error.hasPrefix("error: checkpoint \(truncated.path) is not valid"), "\(cut.error)")
    }

    @Test("safetensors: a truncated file, a gap between tensors, a missing file and a non-weights file are named problems")
    func brokenSafeTensors() throws {
        let directory = try CommandRunner.temporaryDirectory("inspect-st")
        defer { try? FileManager.default.removeItem(at: directory) }
        let weights = try Data(contentsOf: try SmokeRun.directory.get().appendingPathComponent("final.safetensors"))
        let truncated = directory.appendingPathComponent("truncated.safetensors")
        try weights.prefix(weights.count - 4).write(to: truncated)
        let cut = try CommandRunner.dptrain(["inspect", truncated.path])
        #expect(cut.status == 1)
        #expect(cut.error.hasPrefix("error: \(truncated.path) is not a valid safetensors file"), "\(cut.error)")

        // Two tensors with 8 unused bytes between them (the reference reader refuses this too).
        let header = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[16,20]}}"#
        var gap = Data()
        var length = UInt64(header.utf8.count).littleEndian
        withUnsafeBytes(of: &length) { gap.append(contentsOf: $0) }
        gap.append(Data(header.utf8))
        gap.append(Data(count: 20))
        let gapFile = directory.appendingPathComponent("gap.safetensors")
        try gap.write(to: gapFile)
        let gapResult = try CommandRunner.dptrain(["inspect", gapFile.path])
        #expect(gapResult.status == 1)
        #expect(gapResult.error.contains("tensor 'b' starts at data byte 16, leaving a gap after byte 8"), "\(gapResult.error)")

        let missing = try CommandRunner.dptrain(["inspect", directory.appendingPathComponent("nothing.ckpt").path])
        #expect(missing.status == 1)
        #expect(missing.error.contains("no such file"))

        let yaml = directory.appendingPathComponent("config.yaml")
        try Data("name: x\nseed: 1\n".utf8).write(to: yaml)
        let notWeights = try CommandRunner.dptrain(["inspect", yaml.path])
        #expect(notWeights.status == 1)
        #expect(notWeights.error.hasPrefix("error: \(yaml.path) is not a valid safetensors file"), "\(notWeights.error)")
    }

    @Test("help lists inspect and export; inspect without a file and export without --to are usage errors")
    func usage() throws {
        let help = try CommandRunner.dptrain(["--help"])
        #expect(help.status == 0)
        #expect(help.output.contains("inspect") && help.output.contains("Summarise and verify a checkpoint"))
        #expect(help.output.contains("export") && help.output.contains("Write a checkpoint's parameters as a safetensors file"))
        let inspectHelp = try CommandRunner.dptrain(["inspect", "--help"])
        #expect(inspectHelp.output.contains("--json") && inspectHelp.output.contains("--config"))
        let noFile = try CommandRunner.dptrain(["inspect"])
        #expect(noFile.status == 64, "\(noFile.combined)")
        #expect(noFile.error.contains("Missing expected argument '<file>'"))
        let noTarget = try CommandRunner.dptrain(["export", "x.ckpt"])
        #expect(noTarget.status == 64, "\(noTarget.combined)")
        #expect(noTarget.error.contains("Missing expected argument '--to <to>'"))
        let alias = try CommandRunner.dptrain(["inspect-checkpoint", try SmokeRun.checkpoint().path])
        #expect(alias.status == 0)
        #expect(alias.output.contains("checksum ok"))
    }
}
