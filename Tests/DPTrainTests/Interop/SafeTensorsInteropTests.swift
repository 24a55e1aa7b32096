import Foundation
import Testing
import DPTrain

/// dptrain's weights and Python's `safetensors` read each other's files (DESIGN §4).
@Suite("Safetensors interoperability with Python", .serialized,
       .enabled(if: PythonSafeTensors.isAvailable, PythonSafeTensors.unavailableMessage))
struct SafeTensorsInteropTests {
    @Test("Python's safetensors reads final.safetensors: same names, shapes, float32 values and metadata")
    func pythonReadsFinalWeights() throws {
        let file = try SmokeRun.directory.get().appendingPathComponent("final.safetensors")
        let ours = try SafeTensors.read(from: file)
        let python = try PythonSafeTensors.describe(file)
        #expect(Set(python.tensors.keys) == Set(ours.tensors.map(\.name)))
        #expect(ours.tensors.map(\.name) == ["dense.0.weight", "dense.0.bias", "dense.2.weight", "dense.2.bias",
                                             "dense.3.weight", "dense.3.bias"])
        for tensor in ours.tensors {
            let theirs = try #require(python.tensors[tensor.name], "\(tensor.name) missing in Python")
            #expect(theirs.dtype == "float32", "\(tensor.name)")
            #expect(theirs.shape == tensor.shape, "\(tensor.name)")
            #expect(theirs.values == tensor.values, "\(tensor.name): values differ")
            let sum = tensor.values.reduce(0.0) { $0 + Double($1) }
            #expect(abs(theirs.sum - sum) <= 1e-9 * max(1, abs(sum)), "\(tensor.name): sum \(theirs.sum) vs \(sum)")
        }
        #expect(python.metadata["format"] == "dptrain")
        #expect(python.metadata["step"] == "32")
        #expect(python.metadata == ours.metadata)
    }

    @Test("a float32 file written by Python's save_file initialises the model exactly (model.init_from)")
    func pythonFileInitialisesModel() throws {
        let directory = try CommandRunner.temporaryDirectory("interop-init")
        defer { try? FileManager.default.removeItem(at: directory) }
        let base = try Self.smokeConfig()
        let plain = try RunBuilder(config: base, communicator: LocalCommunicator())
        let layout = plain.model.store.slices.map { ["name": $0.name, "shape": $0.shape] as [String: Any] }
        let file = directory.appendingPathComponent("from-python.safetensors")
        // Tensor k, element i: (i mod 97) × 0.25 − k, exact in float32 on both sides.
        try PythonSafeTensors.run("""
            import json, sys
            import numpy as np
            from safetensors.numpy import save_file
            layout = json.loads(sys.argv[2])
            tensors = {}
            for k, entry in enumerate(layout):
                n = int(np.prod(entry["shape"]))
                tensors[entry["name"]] = ((np.arange(n) % 97) * 0.25 - k).astype(np.float32).reshape(entry["shape"])
            save_file(tensors, sys.argv[1], metadata={"source": "numpy"})
            """, arguments: [file.path, String(decoding: try JSONSerialization.data(withJSONObject: layout), as: UTF8.self)])

        let config = try Self.smokeConfig(overrides: ["model.init_from=\(file.path)"])
        let builder = try RunBuilder(config: config, communicator: LocalCommunicator())
        let store = builder.model.store
        for (k, slice) in store.slices.enumerated() {
            let values = Array(UnsafeBufferPointer(start: store.values(of: slice), count: slice.count))
            let expected = (0..<slice.count).map { Float($0 % 97) * 0.25 - Float(k) }
            #expect(values == expected, "\(slice.name) was not loaded exactly")
        }
    }

    @Test("a Python file missing a parameter is refused, naming the file and the tensor")
    func pythonFileMissingTensor() throws {
        let directory = try CommandRunner.temporaryDirectory("interop-missing")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("partial.safetensors")
        try PythonSafeTensors.run("""
            import sys
            import numpy as np
            from safetensors.numpy import save_file
            save_file({"dense.0.weight": np.zeros((64, 2), np.float32)}, sys.argv[1])
            """, arguments: [file.path])
        let config = try Self.smokeConfig(overrides: ["model.init_from=\(file.path)"])
        do {
            _ = try RunBuilder(config: config, communicator: LocalCommunicator())
            Issue.record("a file without dense.0.bias was accepted")
        } catch let error as SafeTensorsError {
            guard case let .missingTensor(path, name, _) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(path == file.path)
            #expect(name == "dense.0.bias")
        }
    }

    @Test("export writes a checkpoint's parameters as safetensors: Python reads them, equal to the checkpoint")
    func exportMatchesCheckpoint() throws {
        let checkpointFile = try SmokeRun.checkpoint()
        let checkpoint = try Checkpoint.read(from: checkpointFile)
        let directory = try CommandRunner.temporaryDirectory("interop-export")
        defer { try? FileManager.default.removeItem(at: directory) }
        let exported = directory.appendingPathComponent("exported.safetensors")
        let result = try CommandRunner.dptrain(["export", checkpointFile.path, "--to", exported.path])
        #expect(result.status == 0, "\(result.combined)")
        #expect(result.output.contains("exported 6 tensors"))

        let python = try PythonSafeTensors.describe(exported)
        var offset = 0
        for entry in checkpoint.header.tensors {
            let count = entry.shape.reduce(1, *)
            let theirs = try #require(python.tensors[entry.name], "\(entry.name) missing")
            #expect(theirs.dtype == "float32")
            #expect(theirs.shape == entry.shape)
            #expect(theirs.values == Array(checkpoint.payload[offset ..< offset + count]), "\(entry.name)")
            offset += count
        }
        #expect(python.tensors.count == checkpoint.header.tensors.count)
        #expect(python.metadata["format"] == "dptrain")
        #expect(python.metadata["step"] == String(checkpoint.header.state.step))
        #expect(python.metadata["samples"] == String(checkpoint.header.state.samples))
        #expect(python.metadata["epoch"] == "1.0")

        // The last checkpoint is written with the final weights: the export is final.safetensors.
        let final = try SmokeRun.directory.get().appendingPathComponent("final.safetensors")
        #expect(try Data(contentsOf: exported) == Data(contentsOf: final),
                "export of the last checkpoint differs from final.safetensors")
    }

    @Test("export refuses a damaged checkpoint and --best without best parameters")
    func exportRefusals() throws {
        let directory = try CommandRunner.temporaryDirectory("interop-export-bad")
        defer { try? FileManager.default.removeItem(at: directory) }
        let checkpointFile = try SmokeRun.checkpoint()
        let damaged = directory.appendingPathComponent("damaged.ckpt")
        var bytes = try Data(contentsOf: checkpointFile)
        bytes[bytes.count - 100] ^= 0x01
        try bytes.write(to: damaged)
        let target = directory.appendingPathComponent("out.safetensors")
        let bad = try CommandRunner.dptrain(["export", damaged.path, "--to", target.path])
        #expect(bad.status != 0)
        #expect(bad.error.contains("error: checkpoint \(damaged.path) is not valid: checksum mismatch"), "\(bad.combined)")
        #expect(!FileManager.default.fileExists(atPath: target.path))
        let best = try CommandRunner.dptrain(["export", checkpointFile.path, "--to", target.path, "--best"])
        #expect(best.status != 0)
        #expect(best.error.contains("holds no best parameters"), "\(best.combined)")
    }

    /// `configs/smoke.yaml` with overrides.
    static func smokeConfig(overrides: [String] = []) throws -> TrainingConfig {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("configs/smoke.yaml").path
        return try TrainingConfig.load(file: path, overrides: overrides)
    }
}
