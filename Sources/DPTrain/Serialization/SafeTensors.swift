import Foundation

/// The safetensors file format (https://github.com/huggingface/safetensors):
///
///     [8 bytes: header length H, little-endian UInt64]
///     [H bytes: UTF-8 JSON {"<name>": {"dtype": "F32", "shape": [..], "data_offsets": [b, e]},
///                           "__metadata__": {"key": "string", …}}, padded with spaces]
///     [data: each tensor's little-endian bytes at data_offsets, relative to the data start]
///
/// dptrain writes float32 tensors in layout order, named as the model's parameters
/// (`dense.0.weight` `[out, in]`, `dense.0.bias` `[out]`), with the config and progress in
/// `__metadata__`. It reads F32 and F64 (converted) tensors.
public struct SafeTensors: Equatable {
    /// One named tensor.
    public struct Tensor: Equatable {
        public var name: String
        public var shape: [Int]
        public var values: [Float]

        public init(name: String, shape: [Int], values: [Float]) {
            self.name = name
            self.shape = shape
            self.values = values
        }
    }

    public var tensors: [Tensor]
    public var metadata: [String: String]

    public init(tensors: [Tensor], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    /// Largest JSON header accepted: 100,000,000 bytes, as in the reference implementation.
    public static let maxHeaderBytes = 100_000_000
    /// Deepest nesting of JSON arrays and objects accepted in the header (the format uses 3).
    public static let maxHeaderDepth = 64

    /// The header key of the string-to-string metadata map (not a tensor).
    static let metadataKey = "__metadata__"

    /// The tensor called `name`.
    public subscript(name: String) -> Tensor? { tensors.first { $0.name == name } }

    /// The tensors of a parameter store, in layout order.
    public init(store: ParameterStore, metadata: [String: String] = [:]) {
        tensors = store.slices.map { slice in
            Tensor(name: slice.name, shape: slice.shape,
                   values: Array(UnsafeBufferPointer(start: store.values(of: slice), count: slice.count)))
        }
        self.metadata = metadata
    }

    /// Copies the tensors into `store`; every parameter must be present with its shape.
    public func load(into store: ParameterStore, file: String) throws {
        for slice in store.slices {
            guard let tensor = self[slice.name] else {
                throw SafeTensorsError.missingTensor(file: file, name: slice.name,
                                                     available: tensors.map(\.name))
            }
            guard tensor.shape == slice.shape else {
                throw SafeTensorsError.shapeMismatch(file: file, name: slice.name,
                                                     expected: slice.shape, found: tensor.shape)
            }
            tensor.values.withUnsafeBufferPointer { source in
                store.values(of: slice).update(from: source.baseAddress!, count: slice.count)
            }
        }
    }

    /// The file's bytes.
    public func serialized() throws -> Data {
        var header: [String: Any] = [:]
        var offset = 0
        for tensor in tensors {
            let bytes = tensor.values.count * 4
            header[tensor.name] = ["dtype": SafeTensorsDataType.float32.rawValue, "shape": tensor.shape, "data_offsets": [offset, offset + bytes]]
            offset += bytes
        }
        if !metadata.isEmpty { header[SafeTensors.metadataKey] = metadata }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while (8 + json.count) % 8 != 0 { json.append(0x20) }
        var data = Data()
        data.reserveCapacity(8 + json.count + offset)
        var length = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &length) { data.append(contentsOf: $0) }
        data.append(json)
        for tensor in tensors {
            tensor.values.withUnsafeBufferPointer { buffer in
                // Float is little-endian on every platform dptrain supports (x86-64, arm64).
                data.append(UnsafeBufferPointer(start: UnsafeRawPointer(buffer.baseAddress!)
                    .assumingMemoryBound(to: UInt8.self), count: buffer.count * 4))
            }
        }
        return data
    }

    /// Writes the file atomically (temporary file, fsync, rename).
    public func write(to url: URL) throws {
        try AtomicFile.write(try serialized(), to: url)
    }

    /// Reads and validates a safetensors file.
    public static func read(from url: URL) throws -> SafeTensors {
        let file = url.path
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw SafeTensorsError.unreadable(file: file, reason: FileReadProblem.describe(file, error: error))
        }
        return try parse(data, file: file)
    }

    /// Parses safetensors bytes; `file` names the source in errors.
    public static func parse(_ data: Data, file: String) throws -> SafeTensors {
        switch FileSignature.of(data) {
        case .checkpoint?:
            throw SafeTensorsError.malformed(file: file, reason: "it is a dptrain checkpoint; export its weights with "
                                             + "dptrain export \(file) --to weights.safetensors, or give a run's final.safetensors")
        case let kind? where kind != .safetensors && kind != .binary:
            throw SafeTensorsError.malformed(file: file, reason: "it is \(kind.rawValue), not safetensors weights")
        default:
            break
        }
        guard data.count >= 8 else {
            throw SafeTensorsError.malformed(file: file, reason: "\(data.count) bytes is too short for the 8-byte header length")
        }
        // Sizes the file declares are checked against what it holds before anything is decoded
        // or allocated from them.
        let headerLength = data.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard headerLength <= UInt64(data.count - 8) else {
            throw SafeTensorsError.declaredSize(file: file, declares: "a JSON header of \(headerLength) bytes",
                                                holds: "only \(data.count - 8) bytes follow the 8-byte length")
        }
        guard headerLength <= UInt64(maxHeaderBytes) else {
            throw SafeTensorsError.limitExceeded(file: file,
                what: "its JSON header is \(InputSizeText.describe(Int(headerLength)))",
                limit: "\(InputSizeText.describe(maxHeaderBytes)) (the limit of the reference implementation)")
        }
        let headerEnd = 8 + Int(headerLength)
        let json = data.subdata(in: 8..<headerEnd)
        if let offset = json.withUnsafeBytes({ JSONNestingScan.firstOffset(deeperThan: maxHeaderDepth, in: $0) }) {
            throw SafeTensorsError.limitExceeded(file: file,
                what: "its JSON header opens level \(maxHeaderDepth + 1) of nested arrays and objects at header byte \(offset)",
                limit: "\(maxHeaderDepth) levels")
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: json)
        } catch {
            throw SafeTensorsError.malformed(file: file, reason: "header is not valid JSON")
        }
        guard let header = object as? [String: Any] else {
            throw SafeTensorsError.malformed(file: file, reason: "header is not a JSON object")
        }
        let dataLength = data.count - headerEnd
        var metadata: [String: String] = [:]
        var entries: [(name: String, shape: [Int], dataType: SafeTensorsDataType, begin: Int, end: Int)] = []
        for (name, value) in header {
            if name == metadataKey {
                guard let map = value as? [String: Any] else {
                    throw SafeTensorsError.malformed(file: file, reason: "__metadata__ is not an object")
                }
                for (key, item) in map { metadata[key] = item as? String ?? "\(item)" }
                continue
            }
            guard let info = value as? [String: Any], let dtype = info["dtype"] as? String,
                  let shape = (info["shape"] as? [NSNumber])?.map({ $0.intValue }),
                  let offsets = (info["data_offsets"] as? [NSNumber])?.map({ $0.intValue }), offsets.count == 2
            else {
                throw SafeTensorsError.malformed(file: file, reason: "tensor '\(name)' lacks dtype, shape or data_offsets")
            }
            guard let dataType = SafeTensorsDataType(rawValue: dtype) else {
                throw SafeTensorsError.unsupportedType(file: file, name: name, dtype: dtype)
            }
            var bytes = dataType.byteCount
            for dimension in shape {
                let (product, overflow) = bytes.multipliedReportingOverflow(by: dimension)
                guard dimension >= 0, !overflow else {
                    throw SafeTensorsError.declaredSize(file: file, declares: "tensor '\(name)' of shape \(shape) and dtype \(dtype)",
                        holds: dimension < 0 ? "a dimension is negative" : "its size in bytes overflows a 64-bit integer")
                }
                bytes = product
            }
            guard offsets[0] >= 0, offsets[0] <= offsets[1], offsets[1] <= dataLength else {
                throw SafeTensorsError.declaredSize(file: file, declares: "tensor '\(name)' at data_offsets \(offsets)",
                    holds: "the data section is \(dataLength) bytes")
            }
            guard bytes == offsets[1] - offsets[0] else {
                throw SafeTensorsError.malformed(file: file,
                    reason: "tensor '\(name)': shape \(shape) of \(dtype) does not match data_offsets \(offsets) (data section \(dataLength) bytes)")
            }
            entries.append((name, shape, dataType, offsets[0], offsets[1]))
        }
        entries.sort { $0.begin < $1.begin }
        // Overlapping tensors would let a small file claim its data many times over.
        for (previous, next) in zip(entries, entries.dropFirst()) where next.begin < previous.end {
            throw SafeTensorsError.declaredSize(file: file,
                declares: "tensor '\(next.name)' at data_offsets [\(next.begin), \(next.end)]",
                holds: "those bytes overlap tensor '\(previous.name)' at [\(previous.begin), \(previous.end)]")
        }
        let tensors = data.withUnsafeBytes { raw -> [Tensor] in
            entries.map { entry in
                let base = raw.baseAddress! + headerEnd + entry.begin
                let count = (entry.end - entry.begin) / entry.dataType.byteCount
                var values = [Float](repeating: 0, count: count)
                for index in 0..<count { values[index] = entry.dataType.element(index, of: base) }
                return Tensor(name: entry.name, shape: entry.shape, values: values)
            }
        }
        return SafeTensors(tensors: tensors, metadata: metadata)
    }
}

/// Problems reading safetensors files.
public enum SafeTensorsError: Error, CustomStringConvertible, Equatable {
    case unreadable(file: String, reason: String)
    case malformed(file: String, reason: String)
    case unsupportedType(file: String, name: String, dtype: String)
    case missingTensor(file: String, name: String, available: [String])
    case shapeMismatch(file: String, name: String, expected: [Int], found: [Int])
    /// A size the file declares (header length, a tensor's shape and offsets) does not fit
    /// what the file holds; found before anything is allocated from it.
    case declaredSize(file: String, declares: String, holds: String)
    /// The header is beyond a fixed limit (JSON size, nesting depth).
    case limitExceeded(file: String, what: String, limit: String)

    public var description: String {
        switch self {
        case let .unreadable(file, reason):
            return "cannot read weights file \(file): \(reason); give a .safetensors file (such as a run's final.safetensors)"
        case let .malformed(file, reason):
            return "\(file) is not a valid safetensors file: \(reason)"
                + (reason.contains("dptrain export") ? "" : " (give a run's final.safetensors, or export the weights again)")
        case let .declaredSize(file, declares, holds):
            return "\(file) is not a valid safetensors file: it declares \(declares), but \(holds); the file is "
                + "truncated or damaged: copy or export it again"
        case let .limitExceeded(file, what, limit):
            return "\(file) is not a valid safetensors file: \(what), beyond the \(limit) dptrain reads; "
                + "the file is damaged or not safetensors: copy or export it again"
        case let .unsupportedType(file, name, dtype):
            return "\(file): tensor '\(name)' has dtype \(dtype); dptrain reads F32 and F64 (convert with numpy: a.astype('float32'))"
        case let .missingTensor(file, name, available):
            return "\(file) has no tensor '\(name)' needed by this model (it has: \(available.sorted().prefix(12).joined(separator: ", "))); "
                + "the weights come from another model: use the config they were trained with"
        case let .shapeMismatch(file, name, expected, found):
            return "\(file): tensor '\(name)' has shape \(found), but the model needs \(expected); the weights come from "
                + "another model: use the config they were trained with (model.input, model.layers)"
        }
    }
}
