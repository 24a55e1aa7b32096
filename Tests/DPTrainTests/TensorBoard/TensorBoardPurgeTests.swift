import DPTrain
import Foundation
import Testing

/// A resumed or restarted run's TensorBoard charts, as the real TensorBoard reader
/// (`EventAccumulator`) shows them: replayed steps once, an earlier run's points gone.
///
/// Every record carries `train_loss` = its step plus an offset that tells the writing
/// process apart (0: the first process, 1000: the second), so the expected charts below are
/// literals.
@Suite("TensorBoard purge on resume and restart", .serialized,
       .enabled(if: PythonTensorBoard.isAvailable, PythonTensorBoard.unavailableMessage))
struct TensorBoardPurgeTests {
    /// One `step` record at `step` with 10 samples a step.
    static func record(step: Int, offset: Double, extra: String? = nil) -> MetricRecord {
        var record = MetricRecord(kind: .step)
        record.set("step", Double(step))
        record.set("samples", Double(step * 10))
        record.set("train_loss", Double(step) + offset)
        if let extra { record.set(extra, 1) }
        return record
    }

    /// tag → [[step, value]] of the run in `directory`, read by TensorBoard.
    static func charts(_ directory: URL) throws -> [String: [[Double]]] {
        let output = try PythonTensorBoard.runJSON(TensorBoardReaderTests.accumulatorScript, arguments: [directory.path])
        return output["scalars"] as? [String: [[Double]]] ?? [:]
    }

    @Test("after a resume from step 3, steps 4–6 written again appear once, with the new values")
    func resumeReplacesReplayedSteps() throws {
        let directory = try CommandRunner.temporaryDirectory("tensorboard-resume")
        defer { try? FileManager.default.removeItem(at: directory) }
        do {  // the first process logs steps 1–6, then dies; its checkpoint is at step 3
            let log = try MetricsLog(directory: directory, append: false)
            for step in 1...6 { try log.write(Self.record(step: step, offset: 0)) }
        }
        do {  // the resumed process replays steps 4–6
            let log = try MetricsLog(directory: directory, append: true, resumedAfter: (step: 3, samples: 30))
            for step in 4...6 { try log.write(Self.record(step: step, offset: 1000)) }
        }
        let byStep = try Self.charts(directory)
        #expect(byStep["train/loss"] == [[1, 1], [2, 2], [3, 3], [4, 1004], [5, 1005], [6, 1006]],
                "\(byStep["train/loss"] ?? [])")
        let bySamples = try Self.charts(directory.appendingPathComponent(TensorBoardLog.bySamplesDirectory))
        #expect(bySamples["by_samples/train/loss"] == [[10, 1], [20, 2], [30, 3], [40, 1004], [50, 1005], [60, 1006]],
                "\(bySamples["by_samples/train/loss"] ?? [])")
        // Each axis lives in its own directory: the by-step run has no by-samples chart.
        #expect(!byStep.keys.contains { $0.hasPrefix(TensorBoardLog.bySamplesPrefix) }, "\(byStep.keys.sorted())")
    }

    @Test("a run started at step 0 in a directory with an earlier run's event files shows only the new run")
    func startFromZeroHidesEarlierRun() throws {
        let directory = try CommandRunner.temporaryDirectory("tensorboard-restart")
        defer { try? FileManager.default.removeItem(at: directory) }
        do {  // an earlier run (for example one whose every checkpoint was damaged)
            let log = try MetricsLog(directory: directory, append: false)
            for step in 1...6 { try log.write(Self.record(step: step, offset: 0, extra: "old_only")) }
        }
        do {
            let log = try MetricsLog(directory: directory, append: false)
            for step in 1...2 { try log.write(Self.record(step: step, offset: 1000)) }
        }
        let eventFiles = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.contains("tfevents") }
        #expect(eventFiles.count == 2, "both runs' files stay (nothing is deleted): \(eventFiles)")
        let byStep = try Self.charts(directory)
        #expect(byStep["train/loss"] == [[1, 1001], [2, 1002]], "\(byStep["train/loss"] ?? [])")
        #expect((byStep["old_only"] ?? []).isEmpty, "\(byStep["old_only"] ?? [])")
        let bySamples = try Self.charts(directory.appendingPathComponent(TensorBoardLog.bySamplesDirectory))
        #expect(bySamples["by_samples/train/loss"] == [[10, 1001], [20, 1002]], "\(bySamples["by_samples/train/loss"] ?? [])")
    }
}
