import Foundation

/// Writes `metrics.jsonl` and `metrics.csv` in a run directory (rank 0 only).
///
/// Each record is one JSON line, flushed as written so a killed run keeps its history. The CSV
/// has a fixed column set (``csvColumns``); fields a record lacks are empty. Each record also
/// goes to TensorBoard event files in the same directory (``TensorBoardLog``).
public final class MetricsLog {
    /// The CSV's columns, in order (a record's other fields are in metrics.jsonl only).
    public static let csvColumns = [
        "kind", "step", "samples", "epoch", "lr", "batch", "accumulation", "world", "train_loss",
        "train_accuracy", "val_loss", "val_accuracy", "test_loss", "test_accuracy", "noise_scale",
        "b_simple", "grad_norm", "skipped_steps", "samples_per_second", "wall_seconds",
    ]

    private let jsonHandle: FileHandle
    private let csvHandle: FileHandle
    private let tensorBoard: TensorBoardLog?

    /// Opens (appending when `append`) both files in `directory`, and starts new TensorBoard
    /// event files there unless `tensorBoard` is false.
    ///
    /// - Parameters:
    ///   - directory: the run directory.
    ///   - append: keep the files' records (a resume, after ``RunDirectory/truncateMetrics(in:afterStep:)``).
    ///   - tensorBoard: whether to write TensorBoard event files.
    ///   - resumedAfter: the (step, samples) of the checkpoint a resumed run continues from:
    ///     TensorBoard drops earlier event files' points after it (they are replayed); nil (a
    ///     run starting at step 0) drops all of them.
    public init(directory: URL, append: Bool, tensorBoard: Bool = true,
                resumedAfter: (step: Int, samples: Int)? = nil) throws {
        let jsonURL = directory.appendingPathComponent("metrics.jsonl")
        let csvURL = directory.appendingPathComponent("metrics.csv")
        let manager = FileManager.default
        if !append || !manager.fileExists(atPath: jsonURL.path) {
            guard manager.createFile(atPath: jsonURL.path, contents: nil) else {
                throw RunDirectoryError.notWritable(path: jsonURL.path)
            }
        }
        if !append || !manager.fileExists(atPath: csvURL.path) {
            let header = MetricsLog.csvColumns.joined(separator: ",") + "\n"
            guard manager.createFile(atPath: csvURL.path, contents: Data(header.utf8)) else {
                throw RunDirectoryError.notWritable(path: csvURL.path)
            }
        }
        jsonHandle = try FileHandle(forWritingTo: jsonURL)
        csvHandle = try FileHandle(forWritingTo: csvURL)
        try jsonHandle.seekToEnd()
        try csvHandle.seekToEnd()
        let first: (step: Int64, samples: Int64) = resumedAfter.map { (Int64($0.step) + 1, Int64($0.samples) + 1) } ?? (0, 0)
        do {
            self.tensorBoard = try tensorBoard
                ? TensorBoardLog(directory: directory, firstStep: first.step, firstSamples: first.samples) : nil
        } catch {
            throw RunDirectoryError.notWritable(path: directory.path)
        }
    }

    deinit {
        try? jsonHandle.close()
        try? csvHandle.close()
    }

    /// Appends one record to both files.
    public func write(_ record: MetricRecord) throws {
        try jsonHandle.write(contentsOf: Data((record.json + "\n").utf8))
        let row = MetricsLog.csvColumns.map { column -> String in
            if column == MetricsLog.csvColumns[0] { return record.kind.rawValue }
            // Not measured (nil) and non-finite values are empty cells.
            guard let value = record[column], value.isFinite else { return "" }
            return MetricRecord.jsonNumber(value)
        }
        try csvHandle.write(contentsOf: Data((row.joined(separator: ",") + "\n").utf8))
        try tensorBoard?.write(record)
    }

    /// Reads every record of a `metrics.jsonl` file.
    public static func read(_ url: URL) throws -> [MetricRecord] {
        let text = try String(contentsOf: url, encoding: .utf8)
        return try text.split(separator: "\n").map { try MetricRecord.parse(jsonLine: String($0)) }
    }
}
