import Foundation

/// A checkpoint to resume from, agreed by all ranks.
public struct ResumePoint {
    /// The checkpoint, verified (magic, version, size, CRC).
    public var checkpoint: Checkpoint
    /// Its path (for messages).
    public var file: String
    /// Problems with newer checkpoint files that were skipped.
    public var skipped: [String]

    /// Rank 0 looks for the newest valid checkpoint under `output` and broadcasts it; every rank
    /// returns the same answer (nil when there is none).
    public static func find(output: String, communicator: Communicator) throws -> ResumePoint? {
        var bytes: [UInt8] = []
        var file = ""
        var skipped: [String] = []
        if communicator.isRoot, let found = RunDirectory.newestValidCheckpoint(in: URL(fileURLWithPath: output)) {
            bytes = Array(try found.checkpoint.serialized())
            file = found.file
            skipped = found.problems
        }
        try communicator.broadcast(bytes: &bytes, root: 0)
        guard !bytes.isEmpty else { return nil }
        var names = Array((file + "\n" + skipped.joined(separator: "\n")).utf8)
        try communicator.broadcast(bytes: &names, root: 0)
        let lines = String(decoding: names, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let checkpoint = try Checkpoint.parse(Data(bytes), file: lines[0])
        return ResumePoint(checkpoint: checkpoint, file: lines[0], skipped: Array(lines.dropFirst()).filter { !$0.isEmpty })
    }
}
