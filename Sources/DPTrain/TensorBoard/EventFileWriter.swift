import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a TensorBoard event file: TFRecord-framed `Event` protos holding scalar summaries.
///
/// The file is `events.out.tfevents.<unix seconds>.<hostname>` in `directory` (with `.1`,
/// `.2`, … appended if that name is taken, e.g. two logs opened within one second); TensorBoard
/// reads every file whose name contains `tfevents`. The first record is
/// `Event { wall_time, step: 0, file_version: "brain.Event:2" }` — version 2 tells TensorBoard
/// not to discard data when steps go backwards, which matters because one file interleaves
/// by-step and by-samples series. Each later record is one ``TensorBoardEvent`` with a summary
/// (see ``TFRecord`` for the framing).
///
/// Every `add…` call writes its whole record with one `write(2)` (there is no user-space
/// buffer), so a killed run keeps everything written before it; ``flush()`` additionally
/// asks the kernel to put the data on disk. The file is closed in `deinit`.
///
/// Not thread-safe: use one writer from one thread (rank 0's training loop).
///
/// ### See Also
/// - ``TensorBoardLog``, which maps metrics records to scalars.
public final class EventFileWriter {
    /// The event file being written.
    public let url: URL
    private let handle: FileHandle

    /// Creates the event file in `directory` and writes the file-version record.
    ///
    /// - Parameters:
    ///   - directory: an existing, writable directory (TensorBoard's "run" directory).
    ///   - wallTime: seconds since 1970 used in the file name and the first record; default now.
    /// - Throws: ``RunDirectoryError/notWritable(path:)`` when the file cannot be created, or
    ///   the file system's error when the first write fails.
    public init(directory: URL, wallTime: Double = Date().timeIntervalSince1970) throws {
        let base = "events.out.tfevents.\(Int64(wallTime.rounded(.down))).\(EventFileWriter.hostname)"
        let manager = FileManager.default
        var candidate = directory.appendingPathComponent(base)
        var suffix = 0
        while manager.fileExists(atPath: candidate.path) {
            suffix += 1
            candidate = directory.appendingPathComponent("\(base).\(suffix)")
        }
        guard manager.createFile(atPath: candidate.path, contents: nil),
              let handle = FileHandle(forWritingAtPath: candidate.path)
        else { throw RunDirectoryError.notWritable(path: candidate.path) }
        url = candidate
        self.handle = handle
        try write(TensorBoardEvent(wallTime: wallTime, step: 0,
                                   payload: .fileVersion(TensorBoardEvent.currentFileVersion)))
    }

    deinit {
        try? handle.close()
    }

    /// Appends one scalar: `Event { wall_time, step, summary { value { tag, simple_value } } }`.
    ///
    /// - Parameters:
    ///   - tag: the chart name, e.g. `"train/loss"` (`/` groups charts in TensorBoard).
    ///   - value: the value, stored as a 32-bit float.
    ///   - step: the x coordinate.
    ///   - wallTime: seconds since 1970; default now.
    public func addScalar(tag: String, value: Float, step: Int64,
                          wallTime: Double = Date().timeIntervalSince1970) throws {
        try addScalars([(tag, value)], step: step, wallTime: wallTime)
    }

    /// Appends several scalars at one step as a single event (one `Summary` with one `Value`
    /// per element, in order). Does nothing when `scalars` is empty.
    ///
    /// - Parameters:
    ///   - scalars: (tag, value) pairs.
    ///   - step: the x coordinate shared by all of them.
    ///   - wallTime: seconds since 1970; default now.
    public func addScalars(_ scalars: [(tag: String, value: Float)], step: Int64,
                           wallTime: Double = Date().timeIntervalSince1970) throws {
        guard !scalars.isEmpty else { return }
        try write(TensorBoardEvent(wallTime: wallTime, step: step, summary: scalars))
    }

    /// Appends `Event { wall_time, step, session_log { status: START } }`: TensorBoard drops
    /// the points of earlier event files in this directory whose step is ≥ `step` (all tags),
    /// so a resumed run's replayed steps appear once. Write it right after opening the file,
    /// before any scalar (``TensorBoardEvent/Payload/sessionStart``).
    ///
    /// - Parameters:
    ///   - step: the first step this file writes (0: a run starting over drops every point).
    ///   - wallTime: seconds since 1970; default now.
    public func addSessionStart(step: Int64, wallTime: Double = Date().timeIntervalSince1970) throws {
        try write(TensorBoardEvent(wallTime: wallTime, step: step, payload: .sessionStart))
    }

    /// Forces written records to disk (`fsync`). Records are already handed to the kernel
    /// as each one is added, so other processes (TensorBoard) see them without this.
    public func flush() throws {
        try handle.synchronize()
    }

    private func write(_ event: TensorBoardEvent) throws {
        try handle.write(contentsOf: TFRecord.frame(event.serialized))
    }

    /// This machine's host name (as `gethostname` reports it, `/` replaced), or `localhost`.
    static var hostname: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        let name = String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "/", with: "_")
        return name.isEmpty ? "localhost" : name
    }
}
