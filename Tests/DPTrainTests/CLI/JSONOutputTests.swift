import DPTrain
import Foundation
import Testing

/// `eval --json` and `bench --json` print standard JSON: Python's `json` module reads them
/// with NaN and Infinity refused (`parse_constant` raises), and a non-finite value is `null`.
@Suite("JSON output of eval and bench", .serialized)
struct JSONOutputTests {
    /// Reads standard input as strict JSON and prints {"type": the top-level type, "value": it}.
    static let strictReader = """
        import json, sys
        def refuse(constant):
            raise ValueError("not JSON: " + constant)
        value = json.loads(open(sys.argv[1]).read(), parse_constant=refuse)
        print(json.dumps({"type": type(value).__name__, "value": value}))
        """

    /// `text` parsed by Python's strict JSON reader.
    static func parse(_ text: String, in directory: URL) throws -> [String: Any] {
        let file = directory.appendingPathComponent("output.json")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let result = try PythonTensorBoard.runJSON(strictReader, arguments: [file.path])
        #expect(result["type"] as? String == "dict", "\(result)")
        return result["value"] as? [String: Any] ?? [:]
    }

    /// A 2-step spirals run: its config file and final weights.
    static func trainedRun(in directory: URL) throws -> (config: String, weights: URL) {
        let config = directory.appendingPathComponent("spirals.yaml")
        try StudyTestSupport.spiralsBase.write(to: config, atomically: true, encoding: .utf8)
        let output = directory.appendingPathComponent("run")
        let result = try CommandRunner.dptrain(["train", config.path, "output=\(output.path)", "train.max_steps=2", "--quiet"])
        try #require(result.status == 0, "\(result.combined)")
        return (config.path, output.appendingPathComponent("final.safetensors"))
    }

    @Test("eval --json is strict JSON; weights holding NaN give a null loss, not nan")
    func evalJSON() throws {
        let directory = try CommandRunner.temporaryDirectory("eval-json")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (config, weights) = try Self.trainedRun(in: directory)

        let finite = try CommandRunner.dptrain(["eval", config, "--weights", weights.path, "--json"])
        try #require(finite.status == 0, "\(finite.combined)")
        let good = try Self.parse(finite.output, in: directory)
        #expect((good["test_loss"] as? Double).map { $0.isFinite && $0 > 0 } == true, "\(good)")
        #expect(good["test_count"] as? Int == 256, "\(good)")
        #expect(good["world"] as? Int == 1)

        // Every float of the data section set to 0xFFFFFFFF, a NaN.
        var bytes = try Data(contentsOf: weights)
        let headerLength = Int(bytes.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
        for index in (8 + headerLength)..<bytes.count { bytes[index] = 0xFF }
        let poisoned = directory.appendingPathComponent("nan.safetensors")
        try bytes.write(to: poisoned)
        let nan = try CommandRunner.dptrain(["eval", config, "--weights", poisoned.path, "--json"])
        try #require(nan.status == 0, "\(nan.combined)")
        #expect(!nan.output.lowercased().contains("nan"), "\(nan.output)")
        let bad = try Self.parse(nan.output, in: directory)
        #expect(bad["test_loss"] is NSNull, "a NaN loss must be null: \(bad)")
        #expect(bad["test_count"] as? Int == 256, "\(bad)")
    }

    @Test("bench --json is strict JSON with its documented fields")
    func benchJSON() throws {
        let directory = try CommandRunner.temporaryDirectory("bench-json")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("spirals.yaml")
        try StudyTestSupport.spiralsBase.write(to: config, atomically: true, encoding: .utf8)
        let result = try CommandRunner.dptrain(["bench", config.path, "--steps", "3", "--warmup", "1", "--json"])
        try #require(result.status == 0, "\(result.combined)")
        let report = try Self.parse(result.output, in: directory)
        #expect(report["world"] as? Int == 1)
        #expect(report["exchange"] as? String == "none" && report["exchange_detail"] as? String == "none (one rank)")
        #expect(report["global_batch"] as? Int == 32 && report["micro_batch"] as? Int == 16 && report["accumulation"] as? Int == 2)
        #expect((report["samples_per_second"] as? Double).map { $0 > 0 } == true, "\(report)")
        let ranks = report["ranks"] as? [[String: Any]] ?? []
        #expect(ranks.count == 1 && ranks.first?["step_seconds"] is Double, "\(ranks)")
        let memory = report["memory"] as? [[String: Any]] ?? []
        #expect(memory.first?["parameters_bytes"] as? Int == (2 * 16 + 16 + 16 * 2 + 2) * 4, "\(memory)")
        #expect(!(report["gemm"] as? [[String: Any]] ?? []).isEmpty)
    }
}
