/// A minimal Protocol Buffers (proto2/proto3 wire format) encoder: just what TensorBoard's
/// `Event` and `Summary` messages need.
///
/// Each field is a key varint `(fieldNumber << 3) | wireType` followed by its payload:
///
/// | wire type | meaning          | payload                                  | used for              |
/// |-----------|------------------|------------------------------------------|-----------------------|
/// | 0         | varint           | base-128, 7 bits a byte, low group first, high bit = "more" | `int64` |
/// | 1         | 64-bit           | 8 bytes little-endian                    | `double`              |
/// | 2         | length-delimited | varint byte count, then the bytes        | `string`, sub-message |
/// | 5         | 32-bit           | 4 bytes little-endian                    | `float`               |
///
/// Negative `int64` values are encoded as their 64-bit two's complement (10 bytes), as
/// protobuf does. Fields are written in the order the methods are called.
///
/// Reference: https://protobuf.dev/programming-guides/encoding/
public struct ProtobufEncoder: Sendable {
    /// The wire types this encoder writes.
    public enum WireType: UInt8, Sendable {
        case varint = 0, fixed64 = 1, lengthDelimited = 2, fixed32 = 5
    }

    /// The encoded bytes so far.
    public private(set) var bytes: [UInt8] = []

    /// An empty message.
    public init() {}

    /// Appends `value` as a base-128 varint (no key).
    public mutating func appendVarint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    /// Appends the key of field `fieldNumber`: the varint `(fieldNumber << 3) | wireType`.
    public mutating func appendKey(field fieldNumber: Int, wireType: WireType) {
        precondition(fieldNumber > 0, "protobuf field numbers start at 1, got \(fieldNumber)")
        appendVarint(UInt64(fieldNumber) << 3 | UInt64(wireType.rawValue))
    }

    /// Appends an `int64` field (wire type 0; negative values take 10 bytes).
    public mutating func appendInt64(field fieldNumber: Int, _ value: Int64) {
        appendKey(field: fieldNumber, wireType: .varint)
        appendVarint(UInt64(bitPattern: value))
    }

    /// Appends a `double` field (wire type 1: the IEEE 754 bits, little-endian).
    public mutating func appendDouble(field fieldNumber: Int, _ value: Double) {
        appendKey(field: fieldNumber, wireType: .fixed64)
        appendLittleEndian(value.bitPattern, byteCount: 8)
    }

    /// Appends a `float` field (wire type 5: the IEEE 754 bits, little-endian).
    public mutating func appendFloat(field fieldNumber: Int, _ value: Float) {
        appendKey(field: fieldNumber, wireType: .fixed32)
        appendLittleEndian(UInt64(value.bitPattern), byteCount: 4)
    }

    /// Appends a `string` field (wire type 2: varint UTF-8 byte count, then the UTF-8 bytes).
    public mutating func appendString(field fieldNumber: Int, _ value: String) {
        appendBytes(field: fieldNumber, Array(value.utf8))
    }

    /// Appends a `bytes` or embedded-message field (wire type 2: varint length, then `value`).
    public mutating func appendBytes(field fieldNumber: Int, _ value: [UInt8]) {
        appendKey(field: fieldNumber, wireType: .lengthDelimited)
        appendVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// Appends an embedded message field: `message.bytes`, length-delimited.
    public mutating func appendMessage(field fieldNumber: Int, _ message: ProtobufEncoder) {
        appendBytes(field: fieldNumber, message.bytes)
    }

    private mutating func appendLittleEndian(_ value: UInt64, byteCount: Int) {
        for index in 0..<byteCount { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * index))) }
    }
}
