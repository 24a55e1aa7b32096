/// The 64-bit checksum of a sample store's payload (``SampleStoreFile``).
///
/// Four lanes run over the little-endian 64-bit words of the bytes, lane `i` taking words
/// `i, i + 4, i + 8, …`, each with the xxHash64 round hᵢ ← rotl(hᵢ + w·P₂, 31)·P₁; the lanes,
/// the trailing `count mod 8` bytes and the byte count are then folded into one value. Any
/// flipped bit, torn write or zeroed page changes it (with probability 1 − 2⁻⁶⁴); it is not
/// a cryptographic hash. Streams at several GB/s, so a store is verified every time it is opened.
public enum StoreChecksum {
    static let prime1: UInt64 = 0x9E37_79B1_85EB_CA87
    static let prime2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    static let prime3: UInt64 = 0x1656_67B1_9E37_79F9

    /// The checksum of `bytes` (see the type for the formula).
    public static func of(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h0 = prime1 &+ prime2, h1 = prime2, h2: UInt64 = 0, h3 = 0 &- prime1
        let count = bytes.count
        var offset = 0
        if let base = bytes.baseAddress {
            while offset + 32 <= count {
                h0 = round(h0, base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                h1 = round(h1, base.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self))
                h2 = round(h2, base.loadUnaligned(fromByteOffset: offset + 16, as: UInt64.self))
                h3 = round(h3, base.loadUnaligned(fromByteOffset: offset + 24, as: UInt64.self))
                offset += 32
            }
        }
        var hash = rotate(h0, 1) &+ rotate(h1, 7) &+ rotate(h2, 12) &+ rotate(h3, 18) &+ UInt64(count)
        while offset < count {
            hash = rotate(hash ^ (UInt64(bytes[offset]) &* prime3), 11) &* prime1
            offset += 1
        }
        hash ^= hash >> 33; hash &*= prime2
        hash ^= hash >> 29; hash &*= prime3
        hash ^= hash >> 32
        return hash
    }

    /// The checksum of a string's UTF-8 bytes (store names are derived from it).
    public static func of(_ text: String) -> UInt64 {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBytes { of(UnsafeRawBufferPointer($0)) }
    }

    @inline(__always) private static func round(_ lane: UInt64, _ word: UInt64) -> UInt64 {
        rotate(lane &+ UInt64(littleEndian: word) &* prime2, 31) &* prime1
    }

    @inline(__always) private static func rotate(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }
}
