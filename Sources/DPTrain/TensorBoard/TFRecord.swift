/// TFRecord framing, the container format of TensorBoard event files.
///
/// Each record is
///
/// ```
/// uint64 length           (little-endian, byte count of data)
/// uint32 masked_crc32c(length's 8 bytes)   (little-endian)
/// byte   data[length]
/// uint32 masked_crc32c(data)                (little-endian)
/// ```
///
/// so a record takes `length + 16` bytes. The masking is ``CRC32C/masked(_:)``.
///
/// Reference: tensorflow/core/lib/io/record_writer.cc (record format comment).
public enum TFRecord {
    /// The bytes of one record holding `data`.
    ///
    /// - Parameter data: the payload (here a serialized ``TensorBoardEvent``).
    /// - Returns: `data.count + 16` bytes in the layout above.
    public static func frame(_ data: [UInt8]) -> [UInt8] {
        var record: [UInt8] = []
        record.reserveCapacity(data.count + 16)
        let length = littleEndianBytes(UInt64(data.count), byteCount: 8)
        record.append(contentsOf: length)
        record.append(contentsOf: littleEndianBytes(UInt64(CRC32C.maskedChecksum(length)), byteCount: 4))
        record.append(contentsOf: data)
        record.append(contentsOf: littleEndianBytes(UInt64(CRC32C.maskedChecksum(data)), byteCount: 4))
        return record
    }

    private static func littleEndianBytes(_ value: UInt64, byteCount: Int) -> [UInt8] {
        (0..<byteCount).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }
}
