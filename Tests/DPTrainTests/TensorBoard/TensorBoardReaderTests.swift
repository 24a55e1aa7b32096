import DPTrain
import Foundation
import Testing

/// The real TensorBoard (Python `tensorboard` package) reads what ``MetricsLog`` writes.
///
/// Expected values are the literals put into the records, looked up through a hand-written
/// table of tags (the mapping documented on ``TensorBoardLog``); nothing expected is computed
/// by the code under test.
@Suite("TensorBoard reader", .serialized, .enabled(if: PythonTensorBoard.isAvailable, PythonTensorBoard.unavailableMessage))
struct TensorBoardReaderTests {
    /// Prints {"file_version", "wall_time": [min, max], "scalars": {tag: [[step, value], …]}}.
    static let accumulatorScript = """
        import json, sys
        from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
        acc = EventAccumulator(sys.argv[1], size_guidance={"scalars": 0})
        acc.Reload()
        tags = acc.Tags()["scalars"]
        events = [e for t in tags for e in acc.Scalars(t)]
        print(json.dumps({
            "file_version": acc.file_version,
            "wall_time": [min(e.wall_time for e in events), max(e.wall_time for e in events)] if events else [],
            "scalars": {t: [[e.step, e.value] for e in acc.Scalars(t)] for t in tags},
        }))
        """

    /// Reads every record of one file with TensorBoard's own TFRecord reader (which checks
    /// both CRCs); prints {"records": count before the first error, "error": message or null,
    /// "first": the first event's file_version}.
    static let recordReaderScript = """
        import json, sys
        from tensorboard.compat.tensorflow_stub import pywrap_tensorflow, errors
        from tensorboard.compat.proto import event_pb2
        reader = pywrap_tensorflow.PyRecordReader_New(sys.argv[1])
        count, error, first = 0, None, None
        while True:
            try:
                reader.GetNext()
            except errors.OutOfRangeError:
                break
            except errors.DataLossError as e:
                error = e.message
                break
            if count == 0:
                first = event_pb2.Event.FromString(reader.record()).file_version
            count += 1
        print(json.dumps({"records": count, "error": error, "first": first}))
        """

    @Test func tensorBoardReadsMetricsLog() throws {
        let directory = try CommandRunner.temporaryDirectory("tensorboard")
        defer { try? FileManager.default.removeItem(at: directory) }
        let start = Date().timeIntervalSince1970

        var step10 = MetricRecord(kind: .step)
        for (key, value) in [("step", 10.0), ("samples", 640), ("epoch", 0.25), ("lr", 0.1), ("batch", 64),
                             ("accumulation", 2), ("world", 2), ("train_loss", 2.302585), ("train_accuracy", 0.125),
                             ("noise_scale", 93.6), ("noise_scale_momentum", 936), ("b_simple", 41.5),
                             ("grad_norm", 3.25), ("skipped_steps", 0), ("samples_per_second", 51234.5),
                             ("wall_seconds", 1.5)] {
            step10.set(key, value)
        }
        var step20 = MetricRecord(kind: .step)
        for (key, value) in [("step", 20.0), ("samples", 1280), ("epoch", 0.5), ("lr", 0.05), ("batch", 64),
                             ("accumulation", 2), ("world", 2), ("train_loss", 1.0986123), ("noise_scale", 47),
                             ("b_simple", 40.25), ("grad_norm", 1.75), ("skipped_steps", 1),
                             ("samples_per_second", 60000.125), ("wall_seconds", 2.75)] {
            step20.set(key, value)
        }
        step20.set("train_accuracy", nil)  // not measured: must not appear
        var eval20 = MetricRecord(kind: .eval)
        for (key, value) in [("step", 20.0), ("samples", 1280), ("epoch", 0.5), ("lr", 0.05), ("batch", 64),
                             ("accumulation", 2), ("world", 2), ("val_loss", 1.1), ("val_accuracy", 0.6),
                             ("test_loss", 1.2), ("test_accuracy", 0.55), ("wall_seconds", 3)] {
            eval20.set(key, value)
        }
        var noStep = MetricRecord(kind: .summary)  // no step: skipped entirely
        noStep.set("val_loss", 9.5)
        noStep.set("test_loss", 9.25)
        var custom = MetricRecord(kind: .epoch)  // an unmapped field keeps its name
        custom.set("step", 30)
        custom.set("samples", 1920)
        custom.set("custom_metric", 7)

        do {
            let log = try MetricsLog(directory: directory, append: false)
            for record in [step10, step20, eval20, noStep, custom] { try log.write(record) }
        }  // log (and its event file) closed here
        let end = Date().timeIntervalSince1970

        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasPrefix("events.out.tfevents.") }
        #expect(files.count == 1, "event files: \(files)")
        if let name = files.first {
            let parts = name.split(separator: ".", maxSplits: 4).map(String.init)
            #expect(parts.count == 5 && Double(parts[3]).map { $0 >= start.rounded(.down) && $0 <= end } == true,
                    "file name \(name) should be events.out.tfevents.<unix seconds>.<host>")
        }

        // Hand-written expectations: tag → [(step, value)] in write order.
        let byStep: [String: [(Int, Double)]] = [
            "train/loss": [(10, 2.302585), (20, 1.0986123)],
            "train/accuracy": [(10, 0.125)],
            "val/loss": [(20, 1.1)],
            "val/accuracy": [(20, 0.6)],
            "test/loss": [(20, 1.2)],
            "test/accuracy": [(20, 0.55)],
            "lr": [(10, 0.1), (20, 0.05), (20, 0.05)],
            "batch": [(10, 64), (20, 64), (20, 64)],
            "accumulation": [(10, 2), (20, 2), (20, 2)],
            "noise/g": [(10, 93.6), (20, 47)],
            "noise/g_momentum": [(10, 936)],
            "noise/b_simple": [(10, 41.5), (20, 40.25)],
            "grad_norm": [(10, 3.25), (20, 1.75)],
            "skipped_steps": [(10, 0), (20, 1)],
            "throughput/samples_per_second": [(10, 51234.5), (20, 60000.125)],
            "custom_metric": [(30, 7)],
        ]
        let samplesAtStep = [10: 640, 20: 1280, 30: 1920]
        var expected = byStep
        for (tag, points) in byStep {
            expected["by_samples/" + tag] = points.map { (samplesAtStep[$0.0]!, $0.1) }
        }

        // The by-step charts are the run directory's; the by-samples ones its by_samples/'s.
        var scalars: [String: [[Double]]] = [:]
        for path in [directory, directory.appendingPathComponent(TensorBoardLog.bySamplesDirectory)] {
            let output = try PythonTensorBoard.runJSON(Self.accumulatorScript, arguments: [path.path])
            #expect((output["file_version"] as? Double) == 2)
            let wallTimes = output["wall_time"] as? [Double] ?? []
            #expect(wallTimes.count == 2 && wallTimes[0] >= start - 1 && wallTimes[1] <= end + 1,
                    "wall times \(wallTimes) should lie in [\(start), \(end)]")
            let read = output["scalars"] as? [String: [[Double]]] ?? [:]
            #expect(read.keys.allSatisfy { $0.hasPrefix("by_samples/") == (path != directory) }, "\(path.path): \(read.keys.sorted())")
            scalars.merge(read) { first, _ in first }
        }
        #expect(Set(scalars.keys) == Set(expected.keys),
                "missing \(Set(expected.keys).subtracting(scalars.keys).sorted()), extra \(Set(scalars.keys).subtracting(expected.keys).sorted())")
        for (tag, points) in expected.sorted(by: { $0.key < $1.key }) {
            let actual = scalars[tag] ?? []
            #expect(actual.count == points.count, "\(tag): \(actual)")
            for (read, (step, value)) in zip(actual, points) {
                #expect(read.count == 2 && read[0] == Double(step) && Float(read[1]) == Float(value),
                        "\(tag): read (step, value) \(read), expected (\(step), \(Float(value)))")
            }
        }
    }

    @Test func corruptedRecordsAreRejected() throws {
        let directory = try CommandRunner.temporaryDirectory("tensorboard-corrupt")
        defer { try? FileManager.default.removeItem(at: directory) }
        let url: URL
        do {
            let writer = try EventFileWriter(directory: directory, wallTime: 1_700_000_000)
            url = writer.url
            try writer.addScalar(tag: "a", value: 1, step: 1, wallTime: 1_700_000_001)
            try writer.addScalar(tag: "a", value: 2, step: 2, wallTime: 1_700_000_002)
            try writer.addScalar(tag: "a", value: 3, step: 3, wallTime: 1_700_000_003)
            try writer.flush()
        }
        #expect(url.lastPathComponent.hasPrefix("events.out.tfevents.1700000000."))
        let original = try Data(contentsOf: url)

        let intact = try PythonTensorBoard.runJSON(Self.recordReaderScript, arguments: [url.path])
        #expect(intact["records"] as? Int == 4)
        #expect(intact["error"] is NSNull, "\(intact)")
        #expect(intact["first"] as? String == "brain.Event:2")

        // The last byte before the final 4-byte CRC belongs to the last event's data.
        var corruptData = original
        corruptData[corruptData.count - 5] ^= 0x01
        try corruptData.write(to: url)
        let badData = try PythonTensorBoard.runJSON(Self.recordReaderScript, arguments: [url.path])
        #expect(badData["records"] as? Int == 3)
        #expect((badData["error"] as? String)?.contains("failed event crc32 check") == true, "\(badData)")

        // The file-version record is 16 + 26 bytes: wall_time 9 (key + 8), step 2 (10 00),
        // file_version 15 (1A 0D + 13 characters). Byte 42 is the second record's length.
        var corruptLength = original
        corruptLength[42] ^= 0x01
        try corruptLength.write(to: url)
        let badLength = try PythonTensorBoard.runJSON(Self.recordReaderScript, arguments: [url.path])
        #expect(badLength["records"] as? Int == 1)
        #expect((badLength["error"] as? String)?.contains("failed header crc32 check") == true, "\(badLength)")
    }
}
