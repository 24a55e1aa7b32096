import DPTrain
import Foundation
import Testing

/// What a killed and resumed run leaves for readers: metrics.jsonl, metrics.csv and the
/// TensorBoard charts read as one uninterrupted run.
@Suite("Outputs of a resumed run", .serialized)
struct ResumedOutputsTests {
    /// Spirals on 2 ranks, 16 steps per half epoch; an evaluation and a checkpoint fall at
    /// the same points (every 16 steps), so a kill between two checkpoints resumes from a step
    /// whose evaluation was already logged.
    static let config = """
        name: resumed-outputs
        seed: 4
        data: {dataset: spirals, samples: 2048, test_samples: 256}
        model: {input: [2], layers: [{dense: 16, activation: relu}, {dense: 2}]}
        optimizer: {name: sgd, lr: 0.1, momentum: 0.9}
        batch: {global: 64, micro: 16}
        train: {epochs: 3, eval_every: 0.5, log_every: 1, checkpoint: {every: 0.5, keep: 3}}
        """

    static func records(_ output: URL) throws -> [MetricRecord] {
        try MetricsLog.read(output.appendingPathComponent("metrics.jsonl"))
    }

    /// (kind, step) of every metrics.csv row.
    static func csvKeys(_ output: URL) throws -> [String] {
        let text = try String(contentsOf: output.appendingPathComponent("metrics.csv"), encoding: .utf8)
        return text.split(separator: "\n").dropFirst().map { line in
            line.split(separator: ",", omittingEmptySubsequences: false).prefix(2).joined(separator: ",")
        }
    }

    /// tag → steps of every point TensorBoard shows for the run (both axes' directories).
    static func chartSteps(_ output: URL) throws -> [String: [Double]] {
        var steps: [String: [Double]] = [:]
        for path in [output, output.appendingPathComponent(TensorBoardLog.bySamplesDirectory)] {
            let read = try PythonTensorBoard.runJSON(TensorBoardReaderTests.accumulatorScript, arguments: [path.path])
            for (tag, points) in read["scalars"] as? [String: [[Double]]] ?? [:] { steps[tag] = points.map { $0[0] } }
        }
        return steps
    }

    @Test("kill between two checkpoints, rerun with --resume: every (kind, step) once in metrics.jsonl, metrics.csv and TensorBoard",
          .enabled(if: PythonTensorBoard.isAvailable, PythonTensorBoard.unavailableMessage))
    func killAndResumeLogsEveryPointOnce() throws {
        let directory = try CommandRunner.temporaryDirectory("resumed-outputs")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("run.yaml")
        try Self.config.write(to: config, atomically: true, encoding: .utf8)
        let reference = directory.appendingPathComponent("uninterrupted")
        let clean = try CommandRunner.mpirun(ranks: 2, ["train", config.path, "output=\(reference.path)", "--quiet"],
                                             timeout: 120)
        try #require(clean.status == 0, "\(clean.combined)")

        // Slow steps (20 ms); kill rank 1 once the checkpoint of step 48 exists and step 52 is logged.
        let output = directory.appendingPathComponent("killed")
        let process = try CommandRunner.startTraining(config.path, output: output, fault: "slow-steps@20")
        let checkpoint = output.appendingPathComponent("checkpoints/step-000000048.ckpt")
        let ranks = CommandRunner.killOneRank(of: process, output: output, timeout: 60) {
            FileManager.default.fileExists(atPath: checkpoint.path)
                && ((try? Self.records(output))?.compactMap { $0["step"] }.max() ?? 0) >= 52
        }
        #expect(ranks.count == 2, "rank processes \(ranks)")
        try #require(process.terminationStatus != 0, "the killed job must fail")
        let before = try Self.records(output)
        #expect(before.contains { $0.kind == .eval && $0["step"] == 48 }, "the evaluation at the checkpoint's step was logged")
        let newest = RunDirectory.checkpointFiles(in: output).last?.lastPathComponent
        #expect(newest == "step-000000048.ckpt", "killed between the checkpoints of steps 48 and 64: \(newest ?? "none")")

        let resumed = try CommandRunner.mpirun(ranks: 2, ["train", config.path, "output=\(output.path)", "--quiet", "--resume"],
                                               timeout: 120)
        try #require(resumed.status == 0, "\(resumed.combined)")
        #expect(resumed.output.contains("resuming from"), "\(resumed.output)")

        // metrics.jsonl and metrics.csv: each (kind, step) once, the same lines as the run never stopped.
        let records = try Self.records(output)
        let keys = records.map { "\($0.kind.rawValue),\(Int($0["step"] ?? -1))" }
        let repeated = Dictionary(grouping: keys, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted()
        #expect(repeated.isEmpty, "logged twice in metrics.jsonl: \(repeated)")
        let referenceKeys = try Self.records(reference).map { "\($0.kind.rawValue),\(Int($0["step"] ?? -1))" }
        #expect(keys == referenceKeys)
        #expect(records.filter { $0.kind == .eval }.compactMap { $0["step"] } == stride(from: 16.0, through: 96, by: 16).map { $0 })
        let csvKeys = try Self.csvKeys(output)
        #expect(csvKeys == referenceKeys, "metrics.csv rows (kind, step) differ from the uninterrupted run")
        #expect(Set(csvKeys).count == csvKeys.count, "metrics.csv repeats a (kind, step)")

        // TensorBoard: the same points per tag as the uninterrupted run; the per-step charts once per step.
        let charts = try Self.chartSteps(output)
        let referenceCharts = try Self.chartSteps(reference)
        #expect(charts == referenceCharts, "charts differ from the uninterrupted run's")
        #expect(charts["train/loss"] == (1...96).map(Double.init), "\(charts["train/loss"] ?? [])")
        #expect(charts["by_samples/train/loss"] == (1...96).map { Double($0 * 64) })
        #expect(charts["grad_norm"] == (1...96).map(Double.init))
    }
}
