import CZlib
import Foundation

/// Compressed data made of `prefix` followed by `zeroCount` zero bytes (with
/// `poisonAfterFirstMiB`, four invalid compressed bytes after the first MiB of zeros, which a
/// reader only meets if it inflates that far), built without ever holding
/// the zeros: one MiB of zeros is deflated once behind a full flush (so it references nothing
/// before it) and its compressed form repeated. The trailer (gzip) or the CRC (for a zip
/// directory) is computed with `crc32_combine`. About 1 KB per MiB of zeros.
struct ZeroBomb {
    /// The compressed bytes (a gzip file, or a raw deflate stream for a zip member).
    var compressed: [UInt8]
    /// CRC-32 of the uncompressed content.
    var crc: UInt32
    /// Uncompressed size.
    var size: Int

    init(prefix: [UInt8], zeroCount: Int, gzip: Bool, poisonAfterFirstMiB: Bool = false) {
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer { deflateEnd(stream); stream.deinitialize(count: 1); stream.deallocate() }
        let status = deflateInit2_(stream, 9, Z_DEFLATED, gzip ? 16 + MAX_WBITS : -MAX_WBITS, 9, Z_DEFAULT_STRATEGY,
                                   zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        precondition(status == Z_OK)
        func deflateChunk(_ input: [UInt8], _ flush: Int32) -> [UInt8] {
            var input = input
            var output = [UInt8](repeating: 0, count: input.count / 2 + 4096)
            let produced = input.withUnsafeMutableBufferPointer { inBuffer in
                output.withUnsafeMutableBufferPointer { outBuffer -> Int in
                    stream.pointee.next_in = inBuffer.baseAddress
                    stream.pointee.avail_in = uInt(inBuffer.count)
                    stream.pointee.next_out = outBuffer.baseAddress
                    stream.pointee.avail_out = uInt(outBuffer.count)
                    let result = deflate(stream, flush)
                    precondition(result == Z_OK || result == Z_STREAM_END)
                    precondition(stream.pointee.avail_in == 0 && stream.pointee.avail_out > 0)
                    return outBuffer.count - Int(stream.pointee.avail_out)
                }
            }
            return Array(output[0..<produced])
        }
        let mebibyte = 1 << 20
        var out = deflateChunk(prefix, Z_FULL_FLUSH)
        let block = deflateChunk([UInt8](repeating: 0, count: mebibyte), Z_FULL_FLUSH)
        var crc = prefix.withUnsafeBufferPointer { CZlib.crc32(0, $0.baseAddress, uInt($0.count)) }
        let blockCRC = [UInt8](repeating: 0, count: mebibyte).withUnsafeBufferPointer {
            CZlib.crc32(0, $0.baseAddress, uInt(mebibyte))
        }
        out.reserveCapacity(out.count + (zeroCount / mebibyte + 1) * block.count + 64)
        for index in 0..<(zeroCount / mebibyte) {
            out += block
            crc = crc32_combine(crc, blockCRC, off_t(mebibyte))
            if index == 0 && poisonAfterFirstMiB { out += [0xFF, 0xFF, 0xFF, 0xFF] }  // an invalid block type
        }
        let rest = zeroCount % mebibyte
        if rest > 0 {
            let zeros = [UInt8](repeating: 0, count: rest)
            out += deflateChunk(zeros, Z_FULL_FLUSH)
            crc = zeros.withUnsafeBufferPointer { CZlib.crc32(crc, $0.baseAddress, uInt(rest)) }
        }
        var tail = deflateChunk([], Z_FINISH)
        if gzip {
            // zlib's trailer covers only what it saw; replace it with the content's CRC and size.
            tail.removeLast(8)
            let size = UInt32(truncatingIfNeeded: prefix.count + zeroCount)
            tail += withUnsafeBytes(of: UInt32(crc).littleEndian, Array.init) + withUnsafeBytes(of: size.littleEndian, Array.init)
        }
        compressed = out + tail
        self.crc = UInt32(crc)
        size = prefix.count + zeroCount
    }
}

/// A zip archive (as numpy.savez_compressed writes it) of deflated members given as raw deflate
/// streams with their CRC and uncompressed size.
func zipArchive(_ members: [(name: String, deflated: [UInt8], crc: UInt32, size: Int)]) -> [UInt8] {
    func u16(_ v: Int) -> [UInt8] { [UInt8(v & 255), UInt8((v >> 8) & 255)] }
    func u32(_ v: Int) -> [UInt8] { u16(v & 0xFFFF) + u16((v >> 16) & 0xFFFF) }
    var archive: [UInt8] = [], directory: [UInt8] = []
    for member in members {
        let name = Array(member.name.utf8)
        let offset = archive.count
        let common = u16(20) + u16(0) + u16(8) + u16(0) + u16(0x21) + u32(Int(member.crc))
            + u32(member.deflated.count) + u32(member.size) + u16(name.count) + u16(0)
        archive += u32(0x0403_4b50) + common + name + member.deflated
        directory += u32(0x0201_4b50) + u16(20) + common + u16(0) + u16(0) + u16(0) + u32(0) + u32(offset) + name
    }
    let directoryOffset = archive.count
    return archive + directory + u32(0x0605_4b50) + u16(0) + u16(0) + u16(members.count) + u16(members.count)
        + u32(directory.count) + u32(directoryOffset) + u16(0)
}

/// A raw-deflate member of `bytes`.
func deflatedMember(_ name: String, _ bytes: [UInt8]) -> (name: String, deflated: [UInt8], crc: UInt32, size: Int) {
    let bomb = ZeroBomb(prefix: bytes, zeroCount: 0, gzip: false)
    return (name, bomb.compressed, bomb.crc, bomb.size)
}
