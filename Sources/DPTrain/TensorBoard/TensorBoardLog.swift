import Foundation

/// Mirrors `metrics.jsonl` records into TensorBoard event files as scalar charts.
///
/// Every numeric, non-nil field of a ``MetricRecord`` becomes one scalar at
/// `step = record["step"]` in an event file of the run directory, and the same scalar again
/// under the prefix `by_samples/` at `step = record["samples"]` (samples seen so far) in an
/// event file of its subdirectory `by_samples/`, so runs with different batch sizes line up on
/// a common x axis. The record's `kind` does not enter the tag: an `eval` record's `val_loss`
/// and a `summary` record's `val_loss` land on the same `val/loss` chart.
///
/// Each log opens new event files and first writes a `SessionLog` START event at the first
/// step (and samples count) it will write (``EventFileWriter/addSessionStart(step:wallTime:)``):
/// TensorBoard then drops the points of earlier files at or after it. A resumed run thus
/// replaces the steps it replays instead of drawing them twice, and a run started over
/// (first step 0) hides every point of an earlier run left in the directory. The two axes
/// live in two directories (two TensorBoard runs, `<run>` and `<run>/by_samples`) because the
/// START event purges every tag of its directory at one step value.
///
/// | metrics field          | tag                              |
/// |------------------------|----------------------------------|
/// | `train_loss`           | `train/loss`                     |
/// | `train_accuracy`       | `train/accuracy`                 |
/// | `val_loss`             | `val/loss`                       |
/// | `val_accuracy`         | `val/accuracy`                   |
/// | `test_loss`            | `test/loss`                      |
/// | `test_accuracy`        | `test/accuracy`                  |
/// | `lr`                   | `lr`                             |
/// | `batch`                | `batch`                          |
/// | `accumulation`         | `accumulation`                   |
/// | `noise_scale`          | `noise/g`                        |
/// | `noise_scale_momentum` | `noise/g_momentum`               |
/// | `b_simple`             | `noise/b_simple`                 |
/// | `b_simple_grad_sq`     | `noise/b_simple_grad_sq`         |
/// | `b_simple_trace`       | `noise/b_simple_trace`           |
/// | `adascale_gain`        | `adaptive/gain`                  |
/// | `schedule_epoch`       | `adaptive/schedule_epoch`        |
/// | `grad_norm`            | `grad_norm`                      |
/// | `samples_per_second`   | `throughput/samples_per_second`  |
/// | `skipped_steps`        | `skipped_steps`                  |
/// | any other field        | the field name unchanged         |
/// | `step`, `samples`, `epoch`, `world`, `wall_seconds` | not written (axes and bookkeeping) |
///
/// Values are stored as 32-bit floats (`Float(value)`; NaN and ±∞ are kept, so a diverged loss
/// shows in TensorBoard). Records without a finite `step` are skipped; records without a
/// `samples` field get no `by_samples/` scalars. Each record becomes at most two events (one
/// per x axis), written immediately; the event's wall time is the time of writing (the
/// record's `wall_seconds` is run time, not a date).
///
/// ### See Also
/// - ``EventFileWriter`` for the file format, ``MetricsLog`` which owns one of these.
public final class TensorBoardLog {
    /// The tag each metrics field is written under (fields not listed keep their name).
    public static let tagsByField: [String: String] = [
        "train_loss": "train/loss", "train_accuracy": "train/accuracy",
        "val_loss": "val/loss", "val_accuracy": "val/accuracy",
        "test_loss": "test/loss", "test_accuracy": "test/accuracy",
        "lr": "lr", "batch": "batch", "accumulation": "accumulation",
        "noise_scale": "noise/g", "noise_scale_momentum": "noise/g_momentum",
        "b_simple": "noise/b_simple", "grad_norm": "grad_norm",
        "b_simple_grad_sq": "noise/b_simple_grad_sq", "b_simple_trace": "noise/b_simple_trace",
        "adascale_gain": "adaptive/gain", "schedule_epoch": "adaptive/schedule_epoch",
        "samples_per_second": "throughput/samples_per_second", "skipped_steps": "skipped_steps",
    ]

    /// Fields that are never written as scalars: the two x axes and bookkeeping.
    public static let excludedFields: Set<String> = ["step", "samples", "epoch", "world", "wall_seconds"]

    /// The prefix of the scalars plotted against samples seen.
    public static let bySamplesPrefix = "by_samples/"

    /// The subdirectory of the run directory that holds the by-samples event files.
    public static let bySamplesDirectory = "by_samples"

    /// The event file of the scalars by step (in the run directory).
    public let writer: EventFileWriter
    /// The event file of the scalars by samples (in ``bySamplesDirectory``).
    public let samplesWriter: EventFileWriter

    /// Creates new event files in `directory` and `directory/by_samples` (see
    /// ``EventFileWriter/init(directory:wallTime:)``), each starting with a `SessionLog` START
    /// event at the first x it will write.
    ///
    /// - Parameters:
    ///   - directory: the run directory (created if missing, as is `by_samples/`).
    ///   - firstStep: the first step this log writes; TensorBoard drops earlier files' points at
    ///     steps ≥ it. 0 for a run that starts (over); s + 1 after resuming from step s.
    ///   - firstSamples: the same on the samples axis: 0, or S + 1 after S samples.
    public init(directory: URL, firstStep: Int64 = 0, firstSamples: Int64 = 0) throws {
        let samplesDirectory = directory.appendingPathComponent(TensorBoardLog.bySamplesDirectory)
        try FileManager.default.createDirectory(at: samplesDirectory, withIntermediateDirectories: true)
        writer = try EventFileWriter(directory: directory)
        samplesWriter = try EventFileWriter(directory: samplesDirectory)
        try writer.addSessionStart(step: firstStep)
        try samplesWriter.addSessionStart(step: firstSamples)
    }

    /// The scalars of `record` in field order, with tags from ``tagsByField`` (no prefix).
    ///
    /// - Returns: one (tag, value) per non-nil field not in ``excludedFields``.
    public static func scalars(of record: MetricRecord) -> [(tag: String, value: Float)] {
        record.fields.compactMap { field -> (tag: String, value: Float)? in
            guard let value = field.value, !excludedFields.contains(field.key) else { return nil }
            return (tagsByField[field.key] ?? field.key, Float(value))
        }
    }

    /// Writes `record`'s scalars by step and, under ``bySamplesPrefix``, by samples.
    ///
    /// - Parameters:
    ///   - record: one metrics record; skipped when it has no finite `step`.
    ///   - wallTime: the events' wall time in seconds since 1970; default now.
    public func write(_ record: MetricRecord, wallTime: Double = Date().timeIntervalSince1970) throws {
        guard let step = TensorBoardLog.integer(record["step"]) else { return }
        let scalars = TensorBoardLog.scalars(of: record)
        try writer.addScalars(scalars, step: step, wallTime: wallTime)
        if let samples = TensorBoardLog.integer(record["samples"]) {
            let prefixed = scalars.map { (tag: TensorBoardLog.bySamplesPrefix + $0.tag, value: $0.value) }
            try samplesWriter.addScalars(prefixed, step: samples, wallTime: wallTime)
        }
    }

    /// Forces both event files to disk.
    public func flush() throws {
        try writer.flush()
        try samplesWriter.flush()
    }

    private static func integer(_ value: Double?) -> Int64? {
        guard let value, value.isFinite, abs(value) < 9.0e18 else { return nil }
        return Int64(value.rounded())
    }
}
