/// CRC-32C (Castagnoli), the checksum TFRecord files use, and TFRecord's masked form.
///
/// Reflected CRC with polynomial `0x82F63B78` (the bit-reversed `0x1EDC6F41`), initial value
/// `0xFFFFFFFF` and final XOR `0xFFFFFFFF`, computed a byte at a time from a 256-entry table:
/// `crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)`. Check value: `"123456789"` → `0xE3069283`.
///
/// Reference: G. Castagnoli, S. Bräuer, M. Herrmann, "Optimization of Cyclic Redundancy-Check
/// Codes with 24 and 32 Parity Bits", IEEE Trans. Communications 41(6), 1993; RFC 3720 §B.4.
///
/// ### See Also
/// - ``TFRecord``
public enum CRC32C {
    /// The reflected Castagnoli polynomial.
    public static let polynomial: UInt32 = 0x82F6_3B78

    /// The constant TFRecord adds after rotating: `masked = rotr(crc, 15) &+ maskDelta`.
    public static let maskDelta: UInt32 = 0xA282_EAD8

    /// `table[i]` is the CRC of the single byte `i` (without the initial and final XOR).
    private static let table: [UInt32] = (0..<256).map { index -> UInt32 in
        var crc = UInt32(index)
        for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ polynomial : crc >> 1 }
        return crc
    }

    /// The CRC-32C of `bytes`.
    ///
    /// - Parameter bytes: the data (any byte sequence, e.g. `[UInt8]` or `Data`).
    /// - Returns: the unmasked checksum, e.g. `0xE3069283` for the ASCII bytes `"123456789"`.
    public static func checksum<Bytes: Sequence>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
        }
        return crc ^ 0xFFFF_FFFF
    }

    /// TFRecord's masked CRC: `((crc >> 15) | (crc << 17)) &+ 0xa282ead8` (a 15-bit rotate
    /// right plus a constant, so that a CRC stored inside checksummed data does not cancel).
    ///
    /// - Parameter crc: an unmasked CRC-32C.
    public static func masked(_ crc: UInt32) -> UInt32 {
        ((crc >> 15) | (crc << 17)) &+ maskDelta
    }

    /// `masked(checksum(bytes))`, the form stored in TFRecord files.
    public static func maskedChecksum<Bytes: Sequence>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
        masked(checksum(bytes))
    }
}
