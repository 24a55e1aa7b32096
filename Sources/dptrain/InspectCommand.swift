import ArgumentParser
import DPTrain
import Foundation

/// `dptrain inspect FILE` — what a checkpoint or safetensors file holds, and whether it is intact.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Summarise and verify a checkpoint (.ckpt) or safetensors file.",
        discussion: """
            Prints the format and version, every tensor (name, shape, element count), the \
            parameter total and the first lines of the saved config; for checkpoints also the \
            optimizer and its state buffers, the progress (step, samples, epoch) and the world \
            size that wrote it. Checkpoints are verified with their CRC-32, safetensors files \
            structurally (header, dtypes, offsets tiling the data section). Exits 0 and says \
            "checksum ok" when the file is intact; otherwise names the problem on stderr \
            (`error: …`) and exits 1.

            Examples:
              dptrain inspect runs/smoke/checkpoints/step-000000640.ckpt
              dptrain inspect runs/smoke/final.safetensors --json
            """,
        aliases: ["inspect-checkpoint"])

    @Argument(help: "A checkpoint (.ckpt) or safetensors file.")
    var file: String

    @Flag(help: "Print the whole saved config instead of its first lines.")
    var config = false

    @Flag(help: "Print one JSON object (tensors, totals, progress, config, \"ok\") instead of text.")
    var json = false

    /// Config lines shown without `--config`.
    static let configPreviewLines = 12

    func run() throws {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            throw InspectFailure.exit("cannot read \(file): \(FileReadProblem.describe(file, error: error)); "
                                      + "give a checkpoint (.ckpt) or a weights file (.safetensors)")
        }
        let summary = data.starts(with: Checkpoint.magic)
            ? FileSummary(checkpoint: data, file: file)
            : FileSummary(safetensors: data, file: file)
        if let summary = summary.value {
            print(json ? summary.json() : summary.text(configLines: config ? nil : Self.configPreviewLines))
        }
        if let problem = summary.problem { throw InspectFailure.exit(problem) }
    }
}

/// How `inspect` and `export` report a problem: one `error:` line and exit status 1.
enum InspectFailure {
    /// Prints `error: message` to stderr and returns the failure exit code.
    static func exit(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        return ExitCode.failure
    }
}

// MARK: - Summary

/// What `inspect` reports about one file: the readable part (if any) and the problem (if any).
struct FileSummary {
    struct TensorRow {
        var name: String
        var shape: [Int]
        var count: Int
        var dtype: String
    }

    struct Value {
        var file: String
        var format: String
        var version: Int?
        var writer: String?
        var tensors: [TensorRow] = []
        var optimizer: String?
        var optimizerSteps: Int?
        var stateBuffers: [String] = []
        var hasBestParameters: Bool?
        var step: Int?
        var samples: Int?
        /// Fractional epoch: from the metadata (safetensors), or e + cursor/N for checkpoints
        /// when the config's training data can be read here (nil otherwise).
        var epoch: Double?
        var epochCursor: Int?
        /// Checkpoints: the epoch index e (the fractional epoch is e + cursor/N).
        var epochIndex: Int?
        var worldSize: Int?
        var config: String?
        var metadata: [String: String] = [:]
        var nonFinite: [String: Int] = [:]
        /// "checksum ok (…)" or the problem.
        var verdict: String
        var ok: Bool

        var parameterCount: Int { tensors.reduce(0) { total, row in total.addingReportingOverflow(row.count).overflow ? Int.max : total + row.count } }
    }

    var value: Value?
    var problem: String?

    // MARK: Checkpoints

    /// Verifies with ``Checkpoint/parse(_:file:)``; when that fails but the header still
    /// decodes, summarises the header and reports the problem.
    init(checkpoint data: Data, file: String) {
        do {
            let checkpoint = try Checkpoint.parse(data, file: file)
            var value = Self.describe(checkpoint.header, file: file,
                                      verdict: String(format: "checksum ok (CRC-32 %08x)", Checkpoint.crc(data.prefix(data.count - 4))),
                                      ok: true)
            var offset = 0
            checkpoint.payload.withUnsafeBufferPointer { payload in
                for tensor in value.tensors {
                    let bad = payload[offset ..< offset + tensor.count].reduce(0) { $0 + ($1.isFinite ? 0 : 1) }
                    if bad > 0 { value.nonFinite[tensor.name] = bad }
                    offset += tensor.count
                }
            }
            self.value = value
        } catch {
            problem = "\(error)"
            if let header = Self.lenientHeader(data) {
                value = Self.describe(header, file: file, verdict: "FAILED: \(error)", ok: false)
            }
        }
    }

    private static func describe(_ header: Checkpoint.Header, file: String, verdict: String, ok: Bool) -> Value {
        var value = Value(file: file, format: "dptrain checkpoint", verdict: verdict, ok: ok)
        value.version = Int(Checkpoint.version)
        value.writer = "dptrain \(header.dptrainVersion)"
        value.tensors = header.tensors.map { TensorRow(name: $0.name, shape: $0.shape, count: Self.elementCount($0.shape), dtype: "F32") }
        value.optimizer = header.optimizer
        value.optimizerSteps = header.optimizerSteps
        value.stateBuffers = header.stateBuffers
        value.hasBestParameters = header.hasBestParameters
        value.step = header.state.step
        value.samples = header.state.samples
        value.epochIndex = header.state.epoch
        value.epoch = CheckpointConfig(header: header, file: file)?.epoch
        value.epochCursor = header.state.cursor
        value.worldSize = header.worldSize
        value.config = header.config
        return value
    }

    /// The element count of `shape`; `Int.max` when a damaged header's shape overflows (or -1
    /// when a dimension is negative), so describing a file never traps.
    private static func elementCount(_ shape: [Int]) -> Int {
        var count = 1
        for dimension in shape {
            guard dimension >= 0 else { return -1 }
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            if overflow { return Int.max }
            count = product
        }
        return count
    }

    /// The header of a checkpoint whose checksum or size does not verify, when its magic,
    /// version and JSON are still readable (so a damaged file can still be identified).
    private static func lenientHeader(_ data: Data) -> Checkpoint.Header? {
        guard data.count >= 20, data.starts(with: Checkpoint.magic) else { return nil }
        let bytes = [UInt8](data)
        var version: UInt32 = 0, length: UInt64 = 0
        for i in 0..<4 { version |= UInt32(bytes[8 + i]) << (8 * i) }
        for i in 0..<8 { length |= UInt64(bytes[12 + i]) << (8 * i) }
        guard version == Checkpoint.version, length <= UInt64(bytes.count - 20) else { return nil }
        // The same size and nesting limits as a verified read: this header is not trusted either.
        return try? Checkpoint.decodeHeader(Data(bytes[20 ..< 20 + Int(length)]), file: "")
    }

    // MARK: Safetensors

    /// Validates with ``SafeTensors/parse(_:file:)`` plus the layout rules of the reference
    /// implementation: tensors tile the data section exactly (no gaps, no overlaps).
    init(safetensors data: Data, file: String) {
        let parsed: SafeTensors
        do {
            parsed = try SafeTensors.parse(data, file: file)
        } catch {
            problem = "\(error)"
            return
        }
        // dtypes and offsets come from the raw header (SafeTensors converts to Float).
        let headerLength = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let header = (try? JSONSerialization.jsonObject(with: data.subdata(in: 8 ..< 8 + headerLength))) as? [String: Any] ?? [:]
        var rows: [(row: TensorRow, begin: Int, end: Int)] = []
        for tensor in parsed.tensors {
            let info = header[tensor.name] as? [String: Any] ?? [:]
            let offsets = (info["data_offsets"] as? [NSNumber])?.map(\.intValue) ?? [0, 0]
            rows.append((TensorRow(name: tensor.name, shape: tensor.shape, count: tensor.values.count,
                                   dtype: info["dtype"] as? String ?? "?"), offsets[0], offsets[1]))
        }
        rows.sort { ($0.begin, $0.end) < ($1.begin, $1.end) }
        var expected = 0
        for entry in rows {
            if entry.begin != expected {
                problem = "\(file) is not a valid safetensors file: tensor '\(entry.row.name)' starts at data byte \(entry.begin), "
                    + (entry.begin < expected ? "overlapping the previous tensor (which ends at \(expected))"
                                              : "leaving a gap after byte \(expected)")
                break
            }
            expected = entry.end
        }
        let dataLength = data.count - 8 - headerLength
        if problem == nil, expected != dataLength {
            problem = "\(file) is not a valid safetensors file: tensors cover \(expected) data bytes, "
                + "but the data section holds \(dataLength) (\(dataLength - expected) trailing bytes)"
        }
        var value = Value(file: file, format: "safetensors", verdict: problem.map { "FAILED: \($0)" }
            ?? "structure ok (safetensors carries no checksum; header, dtypes and offsets verified)", ok: problem == nil)
        value.tensors = rows.map(\.row)
        value.metadata = parsed.metadata
        value.step = parsed.metadata["step"].flatMap { Int($0) }
        value.samples = parsed.metadata["samples"].flatMap { Int($0) }
        value.epoch = parsed.metadata["epoch"].flatMap { Double($0) }
        value.config = parsed.metadata["config"]
        if let format = parsed.metadata["format"] { value.writer = format }
        for tensor in parsed.tensors {
            let bad = tensor.values.reduce(0) { $0 + ($1.isFinite ? 0 : 1) }
            if bad > 0 { value.nonFinite[tensor.name] = bad }
        }
        self.value = value
    }
}

// MARK: - Rendering

extension FileSummary.Value {
    /// The human-readable summary; `configLines` nil prints the whole config.
    func text(configLines: Int?) -> String {
        var lines: [String] = []
        func field(_ name: String, _ text: String) { lines.append(name.padding(toLength: 12, withPad: " ", startingAt: 0) + text) }
        field("file", file)
        field("format", format + (version.map { ", version \($0)" } ?? "") + (writer.map { " (written by \($0))" } ?? ""))
        field("verified", verdict)
        if let step {
            var progress = "step \(step)"
            if let samples { progress += ", \(Format.grouped(Double(samples))) samples" }
            if let epochCursor, let epochIndex {
                progress += ", epoch " + (epoch.map { Format.fixed($0, 4) + " (" } ?? "")
                    + "index \(epochIndex), \(epochCursor) samples into it" + (epoch == nil ? "" : ")")
            } else if let epoch {
                progress += ", epoch \(Format.fixed(epoch, 4))"
            }
            field("progress", progress)
        }
        if let worldSize { field("world size", "\(worldSize) rank\(worldSize == 1 ? "" : "s") wrote it") }
        if let optimizer {
            var text = optimizer + (optimizerSteps.map { ", \($0) updates" } ?? "")
            text += stateBuffers.isEmpty ? ", no state buffers"
                : ", state buffers: " + stateBuffers.map { "\($0) (\(Format.grouped(Double(parameterCount))) floats)" }
                    .joined(separator: ", ")
            if hasBestParameters == true { text += "; best parameters saved (early stopping)" }
            field("optimizer", text)
        }
        let extra = metadata.keys.filter { !["format", "config", "step", "samples", "epoch"].contains($0) }.sorted()
        if !extra.isEmpty { field("metadata", extra.map { "\($0)=\(metadata[$0]!)" }.joined(separator: ", ")) }
        field("tensors", "\(tensors.count), \(Format.grouped(Double(parameterCount))) parameters")
        let nameWidth = max(4, tensors.map(\.name.count).max() ?? 0)
        let shapes = tensors.map { "[" + $0.shape.map(String.init).joined(separator: ", ") + "]" }
        let shapeWidth = max(5, shapes.map(\.count).max() ?? 0)
        for (tensor, shape) in zip(tensors, shapes) {
            lines.append("  " + tensor.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0) + "  "
                + shape.padding(toLength: shapeWidth, withPad: " ", startingAt: 0) + "  "
                + Format.grouped(Double(tensor.count)) + (tensor.dtype == "F32" ? "" : "  (\(tensor.dtype))"))
        }
        if !nonFinite.isEmpty {
            field("non-finite", nonFinite.keys.sorted().map { "\($0): \(nonFinite[$0]!)" }.joined(separator: ", "))
        }
        if let config {
            let configText = config.split(separator: "\n", omittingEmptySubsequences: false)
                .map(String.init).reversed().drop { $0.isEmpty }.reversed()
            let shown = configLines.map { Array(configText.prefix($0)) } ?? Array(configText)
            lines.append(shown.count < configText.count
                ? "config      (first \(shown.count) of \(configText.count) lines; --config for all)"
                : "config")
            lines += shown.map { "  " + $0 }
        }
        return lines.joined(separator: "\n")
    }

    /// One JSON object with every field (the whole config).
    func json() -> String {
        var object: [String: Any] = [
            "file": file, "format": format == "safetensors" ? "safetensors" : "dptrain-checkpoint",
            "ok": ok, "checksum": ok ? "ok" : verdict,
            "parameters": parameterCount,
            "tensors": tensors.map { ["name": $0.name, "shape": $0.shape, "count": $0.count, "dtype": $0.dtype] as [String: Any] },
        ]
        if let version { object["version"] = version }
        if let writer { object["writer"] = writer }
        if let optimizer {
            object["optimizer"] = ["name": optimizer, "steps": optimizerSteps ?? 0, "state_buffers": stateBuffers,
                                   "best_parameters": hasBestParameters ?? false] as [String: Any]
        }
        if let step { object["step"] = step }
        if let samples { object["samples"] = samples }
        if let epoch { object["epoch"] = epoch }
        if let epochIndex { object["epoch_index"] = epochIndex }
        if let epochCursor { object["epoch_cursor"] = epochCursor }
        if let worldSize { object["world_size"] = worldSize }
        if let config { object["config"] = config }
        if !metadata.isEmpty { object["metadata"] = metadata }
        object["non_finite"] = nonFinite
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
