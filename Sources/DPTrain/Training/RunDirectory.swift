import Foundation

/// A run's directory (DESIGN §4): `config.resolved.yaml`, `metrics.jsonl`, `metrics.csv`,
/// `checkpoints/`, `final.safetensors` and the `DONE` marker. Only rank 0 writes it.
public final class RunDirectory {
    /// The directory (`output`).
    public let url: URL
    /// Its metrics.jsonl, metrics.csv and TensorBoard event file.
    public let log: MetricsLog
    /// Test-only pause between writing a checkpoint's temporary file and renaming it
    /// (`DPTRAIN_FAULT=slow-checkpoint@SECONDS`, see ``FaultInjection``); 0 in normal runs.
    private let checkpointDelay = FaultInjection.fromEnvironment().checkpointDelay

    /// Creates (or reuses) the directory, writes the resolved config, and opens the metrics
    /// log — appending when `resume`, otherwise starting it afresh. `resumedAfter` is the
    /// (step, samples) of the checkpoint a resumed run continues from (TensorBoard drops the
    /// replayed points after it; see ``MetricsLog/init(directory:append:tensorBoard:resumedAfter:)``).
    public init(path: String, resolvedConfig: String, resume: Bool,
                resumedAfter: (step: Int, samples: Int)? = nil) throws {
        url = URL(fileURLWithPath: path)
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw RunDirectoryError.notADirectory(path: url.path)
        }
        do {
            try manager.createDirectory(at: url.appendingPathComponent("checkpoints"), withIntermediateDirectories: true)
        } catch {
            throw RunDirectoryError.notWritable(path: url.path)
        }
        try? manager.removeItem(at: url.appendingPathComponent("DONE"))
        try AtomicFile.write(Data(resolvedConfig.utf8), to: url.appendingPathComponent("config.resolved.yaml"))
        log = try MetricsLog(directory: url, append: resume, resumedAfter: resume ? resumedAfter : nil)
    }

    /// Checkpoint files, oldest first (`checkpoints/step-00001234.ckpt`).
    public static func checkpointFiles(in runDirectory: URL) -> [URL] {
        let directory = runDirectory.appendingPathComponent("checkpoints")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasPrefix("step-") && $0.hasSuffix(".ckpt") }.sorted()
            .map { directory.appendingPathComponent($0) }
    }

    /// Writes `checkpoint` atomically as `checkpoints/step-<step>.ckpt` and deletes all but the
    /// newest `keep`. Returns the file's path relative to the run directory.
    @discardableResult
    public func writeCheckpoint(_ checkpoint: Checkpoint, step: Int, keep: Int) throws -> String {
        let name = String(format: "step-%09d.ckpt", step)
        let file = url.appendingPathComponent("checkpoints").appendingPathComponent(name)
        try AtomicFile.write(try checkpoint.serialized(), to: file, delayBeforeRename: checkpointDelay)
        let files = RunDirectory.checkpointFiles(in: url)
        for old in files.dropLast(keep) { try? FileManager.default.removeItem(at: old) }
        return "checkpoints/\(name)"
    }

    /// The newest checkpoint in `runDirectory` that reads and verifies, with its path and the
    /// problems found in newer files (which are skipped, never deleted). Nil when none exists.
    public static func newestValidCheckpoint(in runDirectory: URL) -> (checkpoint: Checkpoint, file: String, problems: [String])? {
        var problems: [String] = []
        for file in checkpointFiles(in: runDirectory).reversed() {
            do {
                return (try Checkpoint.read(from: file), file.path, problems)
            } catch {
                problems.append("\(error)")
            }
        }
        return nil
    }

    /// Problems with checkpoint files that exist but do not verify (for the no-valid case).
    public static func checkpointProblems(in runDirectory: URL) -> [String] {
        checkpointFiles(in: runDirectory).compactMap { file in
            do { _ = try Checkpoint.read(from: file); return nil } catch { return "\(error)" }
        }
    }

    /// Removes a previous run's outputs (metrics, checkpoints, weights, DONE) before a fresh start.
    public static func clearPreviousRun(at runDirectory: URL) {
        let manager = FileManager.default
        for name in ["metrics.jsonl", "metrics.csv", "final.safetensors", "DONE", "checkpoints"] {
            try? manager.removeItem(at: runDirectory.appendingPathComponent(name))
        }
    }

    /// True when the run in `runDirectory` finished (its DONE marker exists).
    public static func isDone(_ runDirectory: URL) -> Bool {
        FileManager.default.fileExists(atPath: runDirectory.appendingPathComponent("DONE").path)
    }

    /// On resume: drops metric records written after the checkpoint's step (they will be
    /// written again), so the files read as one uninterrupted run.
    public static func truncateMetrics(in runDirectory: URL, afterStep step: Int) throws {
        for name in ["metrics.jsonl", "metrics.csv"] {
            let file = runDirectory.appendingPathComponent(name)
            guard let text = try? String(contentsOf: file, encoding: .utf8) else { continue }
            var kept: [Substring] = []
            for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
                if name.hasSuffix("csv") {
                    if index == 0 { kept.append(line); continue }
                    let columns = line.split(separator: ",", omittingEmptySubsequences: false)
                    let lineStep = columns.count > 1 ? Int(columns[1]) ?? 0 : 0
                    if columns.first.map(String.init) != MetricRecord.Kind.summary.rawValue, lineStep <= step {
                        kept.append(line)
                    }
                } else if let record = try? MetricRecord.parse(jsonLine: String(line)),
                          record.kind != .summary, Int(record["step"] ?? 0) <= step {
                    kept.append(line)
                }
            }
            try AtomicFile.write(Data((kept.joined(separator: "\n") + (kept.isEmpty ? "" : "\n")).utf8), to: file)
        }
    }

    /// Writes `final.safetensors` atomically.
    public func writeFinal(store: ParameterStore, metadata: [String: String]) throws {
        try SafeTensors(store: store, metadata: metadata).write(to: url.appendingPathComponent("final.safetensors"))
    }

    /// Writes the `DONE` marker: the run finished and every file is complete.
    public func markDone() throws {
        try AtomicFile.write(Data("done\n".utf8), to: url.appendingPathComponent("DONE"))
    }
}
