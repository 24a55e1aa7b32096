import Foundation

/// A run's directory (DESIGN §4): `config.resolved.yaml`, `metrics.jsonl`, `metrics.csv`,
/// `checkpoints/`, `final.safetensors` and the `DONE` marker. Only rank 0 writes it.
public final class RunDirectory {
    public let url: URL
    public let log: MetricsLog

    /// Creates (or reuses) the directory, writes the resolved config, and opens the metrics
    /// log — appending when `resume`, otherwise starting it afresh.
    public init(path: String, resolvedConfig: String, resume: Bool) throws {
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
        log = try MetricsLog(directory: url, append: resume)
    }

    /// File name of the newest checkpoint, if any.
    public var newestCheckpointName: String? {
        let directory = url.appendingPathComponent("checkpoints")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".ckpt") }.sorted().last.map { "checkpoints/\($0)" }
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
