import CZlib

/// One-shot zlib helpers: gzip compression (used by tests and tools to write `.gz` files) and
/// bounded inflation of gzip or raw-deflate data held in memory (used for `.npz` members).
///
/// Streaming decompression of whole files is ``FileBytes``'s job.
public enum Gzip {
    /// Compresses `bytes` into the gzip format (RFC 1952) at compression level 6.
    public static func compress(_ bytes: [UInt8]) -> [UInt8] {
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer { deflateEnd(stream); stream.deinitialize(count: 1); stream.deallocate() }
        // deflateInit2 is a C macro; call the function it expands to. 16 + 15: gzip wrapper.
        let status = deflateInit2_(stream, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY,
                                   zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        precondition(status == Z_OK, "deflateInit2 failed with \(status)")
        let bound = Int(deflateBound(stream, uLong(bytes.count))) + 64
        var output = [UInt8](repeating: 0, count: bound)
        var input = bytes
        let produced = input.withUnsafeMutableBufferPointer { inputBuffer in
            output.withUnsafeMutableBufferPointer { outputBuffer in
                stream.pointee.next_in = inputBuffer.baseAddress
                stream.pointee.avail_in = uInt(inputBuffer.count)
                stream.pointee.next_out = outputBuffer.baseAddress
                stream.pointee.avail_out = uInt(outputBuffer.count)
                let result = deflate(stream, Z_FINISH)
                precondition(result == Z_STREAM_END, "deflate did not finish (\(result))")
                return Int(stream.pointee.total_out)
            }
        }
        output.removeSubrange(produced...)
        return output
    }

    /// Inflates `bytes` that are expected to decompress to exactly `expectedCount` bytes.
    ///
    /// - Parameters:
    ///   - bytes: the compressed data.
    ///   - raw: true for a raw deflate stream (zip members; windowBits −15), false for gzip.
    ///   - expectedCount: the size the container declares. Output beyond it is never
    ///     allocated; more or less data is an error.
    ///   - file: the path, for error messages.
    ///   - member: the archive member name, for error messages.
    /// - Throws: ``DataError`` (`.corruptCompression`, `.truncated`, `.trailingBytes`).
    public static func inflate(_ bytes: UnsafeRawBufferPointer, raw: Bool, expectedCount: Int,
                               file: String, member: String? = nil) throws -> [UInt8] {
        let position: DataError.Position = member.map { .member($0, byte: nil) } ?? .none
        // Never more than the declared size: the output is allocated once, and one extra byte is
        // inflated (into a scalar) only to detect data beyond it.
        let stream = InflateStream(compressed: bytes, raw: raw, file: file, member: member)
        var output = [UInt8](repeating: 0, count: max(expectedCount, 1))
        let produced = try output.withUnsafeMutableBytes { try stream.read(into: $0.baseAddress!, count: expectedCount) }
        if produced < expectedCount {
            throw DataError(.truncated, file: file, position: position,
                            problem: "the compressed data ends early",
                            expected: "\(expectedCount) bytes", found: "\(produced) bytes",
                            hint: "the file is truncated; re-create or re-download it")
        }
        try stream.expectEnd(after: expectedCount, hint: "the archive directory is inconsistent; re-create the file")
        if expectedCount == 0 { output.removeLast() }
        return output
    }

    /// CRC-32 (the zip and gzip checksum, polynomial 0xEDB88320) of `bytes`.
    public static func crc32(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return 0 }
        // zlib's length is 32-bit: checksum in chunks of at most 1 GiB.
        var crc = CZlib.crc32(0, nil, 0), done = 0
        repeat {
            let n = min(bytes.count - done, 1 << 30)
            crc = CZlib.crc32(crc, base + done, uInt(n))
            done += n
        } while done < bytes.count
        return UInt32(crc)
    }
}
