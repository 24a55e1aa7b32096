import Foundation
import Testing
import DPTrain

/// Runs Python snippets against the real `safetensors` and `numpy` packages (safetensors is
/// installed with pip on demand), for the interoperability tests.
enum PythonSafeTensors {
    /// True when `python3 -c "import numpy, safetensors.numpy"` works, after one
    /// `pip install safetensors` attempt if it did not. Evaluated once per test process.
    static let isAvailable: Bool = {
        if canImport() { return true }
        _ = try? CommandRunner.run("/usr/bin/env", ["python3", "-m", "pip", "install", "--quiet", "safetensors", "numpy"],
                                   timeout: 600)
        return canImport()
    }()

    /// Why the Python tests are disabled when ``isAvailable`` is false.
    static let unavailableMessage: Comment =
        "python3 cannot import numpy and safetensors, and `python3 -m pip install safetensors numpy` failed: install them to run this test"

    private static func canImport() -> Bool {
        guard let result = try? CommandRunner.run("/usr/bin/env", ["python3", "-c", "import numpy, safetensors.numpy"], timeout: 120)
        else { return false }
        return result.status == 0 && !result.timedOut
    }

    /// Runs `python3 -c script arguments…`; throws with its output when it fails.
    @discardableResult
    static func run(_ script: String, arguments: [String]) throws -> String {
        let result = try CommandRunner.run("/usr/bin/env", ["python3", "-c", script] + arguments, timeout: 120)
        guard result.status == 0, !result.timedOut else {
            throw PythonFailure(message: "python3 exited \(result.status) (timed out: \(result.timedOut))\n"
                + "stdout: \(result.output)\nstderr: \(result.error)")
        }
        return result.output
    }

    /// Runs `python3 -c script arguments…` and decodes its standard output as a JSON object.
    static func runJSON(_ script: String, arguments: [String]) throws -> [String: Any] {
        let output = try run(script, arguments: arguments)
        guard let object = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any] else {
            throw PythonFailure(message: "python3 printed no JSON object: \(output)")
        }
        return object
    }

    /// Loads a safetensors file with `safetensors.numpy.load_file` and prints, per tensor, its
    /// dtype, shape, float64 sum and values (`float(x)` of a float32 is exact), plus the metadata.
    static let describeScript = """
        import json, sys
        from safetensors import safe_open
        from safetensors.numpy import load_file
        tensors = load_file(sys.argv[1])
        with safe_open(sys.argv[1], framework="np") as f:
            metadata = f.metadata() or {}
        print(json.dumps({"metadata": metadata, "tensors": {name: {
            "dtype": str(a.dtype), "shape": list(a.shape), "sum": float(a.astype("float64").sum()),
            "values": [float(x) for x in a.ravel()]} for name, a in tensors.items()}}))
        """

    /// One tensor as Python saw it.
    struct Tensor {
        var dtype: String
        var shape: [Int]
        var sum: Double
        var values: [Float]
    }

    /// The tensors and metadata of `file` as read by Python's safetensors.
    static func describe(_ file: URL) throws -> (tensors: [String: Tensor], metadata: [String: String]) {
        let object = try runJSON(describeScript, arguments: [file.path])
        let tensors = object["tensors"] as? [String: [String: Any]] ?? [:]
        var result: [String: Tensor] = [:]
        for (name, info) in tensors {
            result[name] = Tensor(dtype: info["dtype"] as? String ?? "",
                                  shape: (info["shape"] as? [NSNumber] ?? []).map(\.intValue),
                                  sum: (info["sum"] as? NSNumber)?.doubleValue ?? .nan,
                                  values: (info["values"] as? [NSNumber] ?? []).map { Float($0.doubleValue) })
        }
        return (result, object["metadata"] as? [String: String] ?? [:])
    }

    struct PythonFailure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}

/// A short smoke-config run shared by the interoperability tests (trained once per process):
/// one epoch (32 steps) with a checkpoint at its end.
enum SmokeRun {
    static let directory: Result<URL, any Error> = Result {
        let root = try CommandRunner.temporaryDirectory("interop-smoke")
        let output = root.appendingPathComponent("run")
        let config = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("configs/smoke.yaml").path
        let result = try CommandRunner.dptrain(["train", config, "output=\(output.path)", "train.epochs=1",
                                                "train.checkpoint.every=1", "--quiet"], timeout: 300)
        guard result.status == 0, !result.timedOut else {
            throw PythonSafeTensors.PythonFailure(message: "dptrain train smoke failed (\(result.status)): \(result.combined)")
        }
        return output
    }

    /// The run's newest checkpoint.
    static func checkpoint() throws -> URL {
        let output = try directory.get()
        guard let file = RunDirectory.checkpointFiles(in: output).last else {
            throw PythonSafeTensors.PythonFailure(message: "no checkpoint in \(output.path)")
        }
        return file
    }
}
