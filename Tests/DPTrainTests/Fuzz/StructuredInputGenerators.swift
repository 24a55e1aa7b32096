import Foundation
import DPTrain

/// Generators of hostile structured inputs: small files whose structure (not random bytes)
/// would make a careless reader expand, recurse or allocate without bound (issue 21).
enum StructuredInputGenerators {
    // MARK: - YAML

    /// "Billion laughs": `levels` anchors, each a list of `fanout` aliases of the previous
    /// one, after `prefix` lines. Fully expanded it holds fanout^(levels−1) strings; the text
    /// stays under 1 KB for 10 × 10. The first anchor is on line `prefix.count + 1`.
    static func billionLaughs(levels: Int = 10, fanout: Int = 10, prefix: [String] = []) -> String {
        var lines = prefix + ["lol0: &lol0 [lol]"]
        for level in 1..<levels {
            let aliases = Array(repeating: "*lol\(level - 1)", count: fanout).joined(separator: ", ")
            lines.append("lol\(level): &lol\(level) [\(aliases)]")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The same bomb on one line in flow style, as a `key=value` override's value.
    static func billionLaughsFlow(levels: Int = 10, fanout: Int = 10) -> String {
        var items = ["l0: &l0 [lol]"]
        for level in 1..<levels {
            items.append("l\(level): &l\(level) [" + Array(repeating: "*l\(level - 1)", count: fanout).joined(separator: ", ") + "]")
        }
        return "{" + items.joined(separator: ", ") + "}"
    }

    /// `depth` nested flow lists: `[[[…]]]`.
    static func nestedFlowLists(depth: Int) -> String {
        String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "\n"
    }

    /// `depth` nested block lists on one line: `- - - … x`.
    static func nestedBlockLists(depth: Int) -> String {
        String(repeating: "- ", count: depth) + "x\n"
    }

    // MARK: - JSON

    /// `depth` nested JSON arrays.
    static func nestedJSONArrays(depth: Int) -> Data {
        Data((String(repeating: "[", count: depth) + String(repeating: "]", count: depth)).utf8)
    }

    // MARK: - Checkpoints

    /// Checkpoint bytes with `header` bytes declared as `declaredHeaderLength` (default: the
    /// real length), the given payload bytes and a correct CRC, so the parser behind the
    /// checksum is what is tested.
    static func checkpoint(headerJSON: Data, declaredHeaderLength: UInt64? = nil, payload: Data = Data()) -> Data {
        var data = Data(Checkpoint.magic)
        append(Checkpoint.version, to: &data)
        append(declaredHeaderLength ?? UInt64(headerJSON.count), to: &data)
        data.append(headerJSON)
        data.append(payload)
        append(Checkpoint.crc(data), to: &data)
        return data
    }

    /// A checkpoint whose header is `header` re-encoded, followed by `payloadFloats` floats.
    static func checkpoint(header: Checkpoint.Header, payloadFloats: Int) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return checkpoint(headerJSON: try encoder.encode(header), payload: Data(count: payloadFloats * 4))
    }

    // MARK: - Safetensors

    /// Safetensors bytes from a raw JSON header (declared as `declaredHeaderLength`, default
    /// its real length) and `dataBytes` zero bytes of data.
    static func safetensors(headerJSON: Data, declaredHeaderLength: UInt64? = nil, dataBytes: Int = 0) -> Data {
        var data = Data()
        append(declaredHeaderLength ?? UInt64(headerJSON.count), to: &data)
        data.append(headerJSON)
        data.append(Data(count: dataBytes))
        return data
    }

    /// A safetensors header with one tensor.
    static func safetensorsHeader(name: String = "dense.0.weight", dtype: String = "F32",
                                  shape: [Int], offsets: [Int]) -> Data {
        Data("{\"\(name)\":{\"dtype\":\"\(dtype)\",\"shape\":\(shape),\"data_offsets\":\(offsets)}}".utf8)
    }

    private static func append<T: FixedWidthInteger>(_ value: T, to data: inout Data) {
        var little = value.littleEndian
        withUnsafeBytes(of: &little) { data.append(contentsOf: $0) }
    }
}
