import Foundation

/// A run's directory (DESIGN §4): `config.resolved.yaml`, `metrics.jsonl`, `metrics.csv`,
/// `checkpoints/`, `final.safetensors` and the `DONE` marker. Only rank 0 writes it.
public final class RunDirectory {
    /// The directory (`output`).
    public let url: URL
    /// Its metrics.jsonl, metrics.csv and TensorBoard event file.
    public let log: MetricsLog
    /// Test-only checkpoint faults (`DPTRAIN_FAULT=slow-checkpoint@SECONDS`, `kill-in-checkpoint@STEP:BYTES`,
    /// see ``FaultInjection``); none in normal runs.
    private let faults = FaultInjection.fromEnvironment()

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
    /// newest `keep` of those (`*.damaged` files are never counted or deleted). Returns the
    /// file's path relative to the run directory.
    @discardableResult
    public func writeCheckpoint(_ checkpoint: Checkpoint, step: Int, keep: Int) throws -> String {
        let name = String(format: "step-%09d.ckpt", step)
        let file = url.appendingPathComponent("checkpoints").appendingPathComponent(name)
        let kill = faults.checkpointKill.flatMap { $0.step == step ? $0.bytes : nil }
        try AtomicFile.write(try checkpoint.serialized(), to: file, delayBeforeRename: faults.checkpointDelay,
                             killAfterBytes: kill)
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

    /// Renames every checkpoint file that does not verify to `<name>.damaged` (or `.damaged-2`, …
    /// when taken), so it is kept for inspection and never counted against, or deleted by, the
    /// rotation. Returns the new names.
    public static func setAsideDamagedCheckpoints(in runDirectory: URL) -> [String] {
        checkpointFiles(in: runDirectory).compactMap { file in
            guard (try? Checkpoint.read(from: file)) == nil else { return nil }
            let target = unusedSibling(file.path + ".damaged", separator: "-")
            guard rename(file.path, target) == 0 else { return nil }
            return URL(fileURLWithPath: target).lastPathComponent
        }
    }

    /// `config.resolved.yaml` of `runDirectory`.
    public static func resolvedConfigFile(in runDirectory: URL) -> URL {
        runDirectory.appendingPathComponent("config.resolved.yaml")
    }

    /// True when `runDirectory` holds (part of) a run: its resolved config, metrics, checkpoints,
    /// weights or DONE marker.
    public static func holdsRun(_ runDirectory: URL) -> Bool {
        ["config.resolved.yaml", "metrics.jsonl", "metrics.csv", "checkpoints", "final.safetensors", "DONE"].contains {
            FileManager.default.fileExists(atPath: runDirectory.appendingPathComponent($0).path)
        }
    }

    /// Renames the run directory `runDirectory` to an unused sibling
    /// `<runDirectory>.replaced-YYYYmmdd-HHMMSS` (local time; `-2`, `-3`, … appended when taken)
    /// with one atomic rename — nothing is copied or deleted — and returns the new location.
    /// A sibling rather than a subfolder: the new run gets an empty directory of the same name,
    /// the old one stays complete (it can be resumed or inspected where it is), and
    /// `rm -r` of one never touches the other.
    public static func moveAside(_ runDirectory: URL) throws -> URL {
        let source = runDirectory.standardizedFileURL.path
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        let target = unusedSibling(source + ".replaced-" + formatter.string(from: Date()), separator: "-")
        guard rename(source, target) == 0 else {
            throw RunDirectoryError.cannotMoveAside(path: source, destination: target, reason: String(cString: strerror(errno)))
        }
        return URL(fileURLWithPath: target)
    }

    /// `path` when nothing exists there, else the first free `path<separator>2`, `…3`, ….
    private static func unusedSibling(_ path: String, separator: String) -> String {
        var candidate = path
        var number = 2
        while FileManager.default.fileExists(atPath: candidate) {
            candidate = "\(path)\(separator)\(number)"
            number += 1
        }
        return candidate
    }

    /// Throws ``RunDirectoryError`` when `runDirectory` cannot be a run directory: an existing
    /// file, a directory this process cannot create files in, or a missing path whose nearest
    /// existing ancestor is a file or does not let this process create directories. Probes with
    /// a temporary entry that it removes at once, so nothing is left behind.
    public static func checkUsable(_ runDirectory: URL) throws {
        let manager = FileManager.default
        let path = runDirectory.standardizedFileURL.path
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw RunDirectoryError.notADirectory(path: path) }
            guard let problem = probeProblem(in: path) else { return }
            throw RunDirectoryError.unusableOutput(path: path, reason: "cannot create files in it (\(problem)); it must be writable")
        }
        var ancestor = URL(fileURLWithPath: path).deletingLastPathComponent()
        while !manager.fileExists(atPath: ancestor.path, isDirectory: &isDirectory), ancestor.path != "/" {
            ancestor = ancestor.deletingLastPathComponent()
        }
        guard isDirectory.boolValue else {
            throw RunDirectoryError.unusableOutput(path: path, reason: "\(ancestor.path) is a file, so no directory can be created below it")
        }
        if let problem = probeProblem(in: ancestor.path) {
            throw RunDirectoryError.unusableOutput(path: path,
                reason: "it does not exist and cannot be created: \(ancestor.path) is not writable (\(problem))")
        }
    }

    /// Nil when a directory can be created (and is removed again) in `directory`, else the reason.
    private static func probeProblem(in directory: String) -> String? {
        let probe = directory + "/.dptrain-write-check-\(getpid())"
        guard mkdir(probe, 0o700) == 0 else { return String(cString: strerror(errno)) }
        rmdir(probe)
        return nil
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
