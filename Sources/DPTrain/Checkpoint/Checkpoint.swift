import CZlib
import Foundation

/// A training checkpoint: everything needed to continue a run bitwise identically
/// (DESIGN §3.10, §4; STYLE B12).
///
/// Layout (all integers little-endian):
///
///     "DPTCKPT\0"                 8 bytes magic
///     version                     UInt32 (currently 1)
///     header length H             UInt64
///     header                      H bytes of JSON: ``Header`` (names, shapes, optimizer kind,
///                                 its state buffer names, training state, resolved config)
///     payload                     parameters (P floats), then each optimizer state buffer
///                                 (P floats each), then the best parameters if present
///     CRC-32                      UInt32 over every byte before it
///
/// Written by rank 0 through ``AtomicFile`` (temporary file, fsync, rename), so a crash
/// mid-write leaves either no new file or a complete one; readers check magic, version, size,
/// the CRC and the name table before trusting a byte.
public struct Checkpoint {
    public static let magic: [UInt8] = Array("DPTCKPT\u{0}".utf8)
    public static let version: UInt32 = 1

    /// The JSON header.
    public struct Header: Codable, Equatable {
        public struct TensorEntry: Codable, Equatable {
            public var name: String
            public var shape: [Int]
        }
        public var tensors: [TensorEntry]
        public var parameterCount: Int
        public var optimizer: String
        public var optimizerSteps: Int
        public var stateBuffers: [String]
        public var hasBestParameters: Bool
        public var state: TrainingState
        /// Reduce-on-plateau state (reductions, best, waits), when that schedule is used.
        public var plateau: [Double]?
        public var worldSize: Int
        public var config: String
        public var dptrainVersion: String
    }

    public var header: Header
    /// Parameters, each state buffer, then the best parameters (if any): P floats each.
    public var payload: [Float]

    public init(header: Header, payload: [Float]) {
        self.header = header
        self.payload = payload
    }

    // MARK: - Writing

    /// The checkpoint's bytes.
    public func serialized() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let json = try encoder.encode(header)
        var data = Data()
        data.reserveCapacity(24 + json.count + payload.count * 4 + 4)
        data.append(contentsOf: Checkpoint.magic)
        Checkpoint.append(Checkpoint.version, to: &data)
        Checkpoint.append(UInt64(json.count), to: &data)
        data.append(json)
        payload.withUnsafeBytes { data.append(contentsOf: $0) }
        Checkpoint.append(Checkpoint.crc(data), to: &data)
        return data
    }

    private static func append<T: FixedWidthInteger>(_ value: T, to data: inout Data) {
        var little = value.littleEndian
        withUnsafeBytes(of: &little) { data.append(contentsOf: $0) }
    }

    /// CRC-32 (zlib) of `data`.
    public static func crc(_ data: Data) -> UInt32 {
        data.withUnsafeBytes { raw -> UInt32 in
            var crc: uLong = crc32(0, nil, 0)
            var offset = 0
            while offset < raw.count {
                let chunk = min(raw.count - offset, 1 << 30)
                crc = crc32(crc, raw.baseAddress!.assumingMemoryBound(to: Bytef.self) + offset, uInt(chunk))
                offset += chunk
            }
            return UInt32(truncatingIfNeeded: crc)
        }
    }

    // MARK: - Reading

    /// Reads and verifies a checkpoint file.
    public static func read(from url: URL) throws -> Checkpoint {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw CheckpointError.unreadable(file: url.path, reason: FileReadProblem.describe(url.path, error: error))
        }
        return try parse(data, file: url.path)
    }

    /// Parses checkpoint bytes; `file` names the source in errors.
    public static func parse(_ data: Data, file: String) throws -> Checkpoint {
        guard data.count >= 8 + 4 + 8 + 4 else {
            throw CheckpointError.corrupt(file: file, reason: "only \(data.count) bytes (truncated)")
        }
        guard Array(data.prefix(8)) == magic else {
            let kind = FileSignature.of(data)
            let what = kind == .safetensors
                ? "it is a safetensors weights file (already exported: use it with eval --weights or model.init_from)"
                : "not a dptrain checkpoint (bad magic bytes\(kind.map { "; it is \($0.rawValue)" } ?? ""))"
            throw CheckpointError.corrupt(file: file, reason: what + "; give a .ckpt file from a run's checkpoints/ directory")
        }
        let version = data.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: 8, as: UInt32.self)) }
        guard version == Checkpoint.version else {
            throw CheckpointError.corrupt(file: file, reason: "format version \(version); this dptrain reads version \(Checkpoint.version)")
        }
        let storedCRC = data.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: data.count - 4, as: UInt32.self)) }
        let body = data.prefix(data.count - 4)
        guard crc(body) == storedCRC else {
            throw CheckpointError.corrupt(file: file, reason: "checksum mismatch (the file is truncated or damaged; "
                                          + "use an earlier checkpoint of the run)")
        }
        // Every size the file declares is checked against what it holds before anything is
        // decoded or allocated (the CRC above is only as trustworthy as the file's writer).
        let headerLength = data.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: 12, as: UInt64.self)) }
        let available = data.count - 24
        guard headerLength <= UInt64(available) else {
            throw CheckpointError.declaredSize(file: file, declares: "a JSON header of \(headerLength) bytes",
                                               holds: "only \(available) bytes follow the 20-byte preamble")
        }
        let headerEnd = 20 + Int(headerLength)
        let header = try decodeHeader(data.subdata(in: 20..<headerEnd), file: file)
        let parameterCount = try checkTensorTable(header, file: file)
        do {
            try YAMLInputLimits.check(header.config, file: "its saved config")
        } catch let problem as ConfigError {
            throw CheckpointError.savedConfig(file: file, problem: problem)
        }
        let buffers = 1 + header.stateBuffers.count + (header.hasBestParameters ? 1 : 0)
        let (floats, overflow1) = parameterCount.multipliedReportingOverflow(by: buffers)
        let (expected, overflow2) = floats.multipliedReportingOverflow(by: 4)
        let payloadBytes = data.count - 4 - headerEnd
        guard !overflow1, !overflow2, payloadBytes == expected else {
            throw CheckpointError.declaredSize(file: file,
                declares: "\(buffers) buffers of \(parameterCount) floats (\(overflow1 || overflow2 ? "more than 2^63" : "\(expected)") bytes)",
                holds: "the payload is \(payloadBytes) bytes")
        }
        var payload = [Float](repeating: 0, count: expected / 4)
        payload.withUnsafeMutableBytes { target in
            data.withUnsafeBytes { source in
                target.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[headerEnd..<(headerEnd + expected)]))
            }
        }
        return Checkpoint(header: header, payload: payload)
    }

    /// Largest JSON header accepted (16 MiB; dptrain writes a few KB plus the config).
    public static let maxHeaderBytes = 16 << 20
    /// Deepest nesting of JSON arrays and objects accepted in the header (dptrain writes 4).
    public static let maxHeaderDepth = 64

    /// Decodes a header's JSON after holding it to ``maxHeaderBytes`` and ``maxHeaderDepth``,
    /// so a hostile header is refused before the (recursive) decoder sees it.
    public static func decodeHeader(_ json: Data, file: String) throws -> Header {
        guard json.count <= maxHeaderBytes else {
            throw CheckpointError.limitExceeded(file: file, what: "its JSON header is \(InputSizeText.describe(json.count))",
                                                limit: InputSizeText.describe(maxHeaderBytes))
        }
        if let offset = json.withUnsafeBytes({ JSONNestingScan.firstOffset(deeperThan: maxHeaderDepth, in: $0) }) {
            throw CheckpointError.limitExceeded(file: file,
                what: "its JSON header opens level \(maxHeaderDepth + 1) of nested arrays and objects at header byte \(offset)",
                limit: "\(maxHeaderDepth) levels")
        }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            return try decoder.decode(Header.self, from: json)
        } catch {
            throw CheckpointError.corrupt(file: file, reason: "header is not valid: \(error)")
        }
    }

    /// Checks the tensor table against the header's `parameterCount`: every dimension ≥ 0, no
    /// element count that overflows `Int`, and counts that add up to `parameterCount` (which
    /// sizes the payload). Returns the parameter count.
    static func checkTensorTable(_ header: Header, file: String) throws -> Int {
        var total = 0
        for tensor in header.tensors {
            var count = 1
            for dimension in tensor.shape {
                let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
                guard dimension >= 0, !overflow else {
                    throw CheckpointError.declaredSize(file: file, declares: "tensor '\(tensor.name)' of shape \(tensor.shape)",
                        holds: dimension < 0 ? "a dimension is negative" : "its element count overflows a 64-bit integer")
                }
                count = product
            }
            let (sum, overflow) = total.addingReportingOverflow(count)
            guard !overflow else {
                throw CheckpointError.declaredSize(file: file, declares: "tensors of more than 2^63 parameters in all",
                                                   holds: "parameterCount is \(header.parameterCount)")
            }
            total = sum
        }
        guard header.parameterCount == total else {
            throw CheckpointError.declaredSize(file: file, declares: "parameterCount \(header.parameterCount)",
                holds: "its \(header.tensors.count) tensors hold \(total) parameters")
        }
        return total
    }

    /// Checks that this checkpoint fits `store` and `optimizer`: same tensor names and shapes
    /// in the same order, same optimizer and state buffers, the same parameter count, and
    /// progress counters that are not negative. Throws naming the first mismatch.
    public func validate(against store: ParameterStore, optimizer: Optimizer, file: String) throws {
        for (index, slice) in store.slices.enumerated() {
            guard index < header.tensors.count else {
                throw CheckpointError.mismatch(file: file, field: "tensor \(slice.name)",
                                               expected: "present", found: "missing (checkpoint has \(header.tensors.count) tensors)")
            }
            let entry = header.tensors[index]
            guard entry.name == slice.name else {
                throw CheckpointError.mismatch(file: file, field: "tensor \(index)", expected: slice.name, found: entry.name)
            }
            guard entry.shape == slice.shape else {
                throw CheckpointError.mismatch(file: file, field: "shape of \(slice.name)",
                                               expected: "\(slice.shape)", found: "\(entry.shape)")
            }
        }
        guard header.tensors.count == store.slices.count else {
            throw CheckpointError.mismatch(file: file, field: "tensor count", expected: "\(store.slices.count)",
                                           found: "\(header.tensors.count) (extra: \(header.tensors[store.slices.count].name))")
        }
        guard header.optimizer == optimizer.name else {
            throw CheckpointError.mismatch(file: file, field: "optimizer", expected: optimizer.name, found: header.optimizer)
        }
        let names = optimizer.stateBuffers.map(\.name)
        guard header.stateBuffers == names else {
            throw CheckpointError.mismatch(file: file, field: "optimizer state", expected: names.joined(separator: ","),
                                           found: header.stateBuffers.joined(separator: ","))
        }
        // The payload was sized from parameterCount; restoring copies store.count floats per buffer.
        guard header.parameterCount == store.count else {
            throw CheckpointError.mismatch(file: file, field: "parameter count", expected: "\(store.count)",
                                           found: "\(header.parameterCount)")
        }
        let state = header.state
        let counters = [("optimizer steps", header.optimizerSteps), ("epoch", state.epoch), ("cursor", state.cursor),
                        ("samples", state.samples), ("step", state.step), ("skipped steps", state.skippedSteps),
                        ("bad steps in a row", state.badStepsInRow)]
        if let (field, value) = counters.first(where: { $0.1 < 0 }) {
            throw CheckpointError.corrupt(file: file, reason: "the header's \(field) is \(value); progress counters are never negative")
        }
    }
}

/// Problems with checkpoint files.
public enum CheckpointError: Error, CustomStringConvertible, Equatable {
    case unreadable(file: String, reason: String)
    case corrupt(file: String, reason: String)
    case mismatch(file: String, field: String, expected: String, found: String)
    case noValidCheckpoint(directory: String, problems: [String])
    /// A size the file declares (header length, tensor shapes, parameter count) does not fit
    /// what the file holds; found before anything is allocated from it.
    case declaredSize(file: String, declares: String, holds: String)
    /// A part of the header is beyond a fixed limit (JSON size, nesting depth).
    case limitExceeded(file: String, what: String, limit: String)
    /// The config saved in the header breaks ``YAMLInputLimits`` (anchors, depth, size).
    case savedConfig(file: String, problem: ConfigError)

    public var description: String {
        switch self {
        case let .unreadable(file, reason):
            return "cannot read checkpoint \(file): \(reason)"
        case let .corrupt(file, reason):
            return "checkpoint \(file) is not valid: \(reason)"
        case let .mismatch(file, field, expected, found):
            return "checkpoint \(file) does not fit this run: \(field) is \(found), expected \(expected) "
                + "(was it written with another model or optimizer config?)"
        case let .declaredSize(file, declares, holds):
            return "checkpoint \(file) is not valid: it declares \(declares), but \(holds); the file is damaged or "
                + "was not written by dptrain: resume from an earlier checkpoint of the run, or start over with --fresh"
        case let .limitExceeded(file, what, limit):
            return "checkpoint \(file) is not valid: \(what), beyond the \(limit) dptrain reads; dptrain writes far "
                + "smaller headers, so the file is damaged or not a dptrain checkpoint: use an earlier checkpoint of the run"
        case let .savedConfig(file, problem):
            return "checkpoint \(file) is not valid: \(problem) (dptrain saves configs without these; the file was "
                + "edited or not written by dptrain: use an earlier checkpoint of the run)"
        case let .noValidCheckpoint(directory, problems):
            return "no valid checkpoint in \(directory)"
                + (problems.isEmpty ? "" : ": " + problems.joined(separator: "; "))
        }
    }
}
