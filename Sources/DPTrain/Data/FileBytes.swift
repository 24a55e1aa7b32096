import CZlib
import Foundation

/// Sequential reader of a file's bytes that transparently gunzips files whose name ends in
/// `.gz` (or that start with the gzip magic `1f 8b`).
///
/// The file is read into memory once; gzip data is inflated on demand into the caller's buffer
/// (zlib `inflateInit2` with windowBits 16 + 15, multi-member streams allowed), so readers can
/// check a header before deciding how much to read and never allocate more than they asked for.
/// ``maximumSize`` bounds what the file can possibly hold (its size, or 1032 × its size for
/// deflate, the format's maximum ratio); readers also check a header's declared size against
/// a ``MemoryBudget`` before allocating, since 1032 × a few MB is still gigabytes.
///
/// Offsets in errors are offsets in the decompressed data.
public final class FileBytes {
    /// The path as given.
    public let path: String
    /// Whether the file is gzip-compressed.
    public let isCompressed: Bool
    /// Size of the file on disk.
    public let fileSize: Int
    /// Decompressed bytes delivered so far (the current offset).
    public private(set) var offset: Int = 0

    private let data: UnsafeMutableRawBufferPointer
    private var rawPosition = 0
    private var stream: UnsafeMutablePointer<z_stream>?
    private var streamEnded = false

    /// Opens `path` and reads it into memory.
    ///
    /// - Parameter hint: advice appended to a missing-file error (for example which package
    ///   provides the file).
    /// - Throws: ``DataError`` `.missingFile` or `.unreadable`.
    public init(path: String, hint: String = "check the path in the config") throws {
        self.path = path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw DataError(.missingFile, file: path, problem: "cannot open the file",
                            expected: "a readable file",
                            found: isDirectory.boolValue ? "a directory" : "no such file", hint: hint)
        }
        guard let handle = fopen(path, "rb") else {
            let reason = String(cString: strerror(errno))
            throw DataError(.unreadable, file: path, problem: "cannot open the file", expected: "a readable file",
                            found: reason, hint: "check the file's permissions")
        }
        defer { fclose(handle) }
        fseeko(handle, 0, SEEK_END)
        let size = Int(ftello(handle))
        fseeko(handle, 0, SEEK_SET)
        fileSize = size
        data = UnsafeMutableRawBufferPointer.allocate(byteCount: max(size, 1), alignment: 64)
        let got = size == 0 ? 0 : fread(data.baseAddress, 1, size, handle)
        guard got == size else {
            data.deallocate()
            throw DataError(.unreadable, file: path, problem: "reading the file failed",
                            expected: "\(size) bytes", found: "\(got) bytes", hint: "check the disk and the file")
        }
        isCompressed = path.hasSuffix(".gz") || (size >= 2 && data[0] == 0x1f && data[1] == 0x8b)
        if isCompressed {
            let zs = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
            zs.initialize(to: z_stream())
            let status = inflateInit2_(zs, 16 + MAX_WBITS, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
            precondition(status == Z_OK, "inflateInit2 failed with \(status)")
            zs.pointee.next_in = data.baseAddress!.assumingMemoryBound(to: UInt8.self)
            zs.pointee.avail_in = uInt(size)
            stream = zs
        }
    }

    deinit {
        if let stream {
            inflateEnd(stream)
            stream.deinitialize(count: 1)
            stream.deallocate()
        }
        data.deallocate()
    }

    /// An upper bound on the decompressed size: the file size, or for gzip 1032 × the
    /// compressed size + 1 KiB (deflate cannot expand more than that).
    public var maximumSize: Int { isCompressed ? fileSize.multipliedReportingOverflow(by: 1032).partialValue + 1024 : fileSize }

    /// Copies up to `count` next bytes into `destination`; returns how many were available
    /// (fewer only at the end of the data).
    /// - Throws: ``DataError`` `.corruptCompression` for damaged gzip data.
    public func read(into destination: UnsafeMutableRawPointer, count: Int) throws -> Int {
        guard count > 0 else { return 0 }
        guard let stream else {
            let n = min(count, fileSize - rawPosition)
            destination.copyMemory(from: data.baseAddress! + rawPosition, byteCount: n)
            rawPosition += n
            offset += n
            return n
        }
        var produced = 0
        while produced < count && !streamEnded {
            // avail_out is 32-bit: feed at most 1 GiB per call.
            let chunk = min(count - produced, 1 << 30)
            stream.pointee.next_out = (destination + produced).assumingMemoryBound(to: UInt8.self)
            stream.pointee.avail_out = uInt(chunk)
            let result = inflate(stream, Z_NO_FLUSH)
            produced += chunk - Int(stream.pointee.avail_out)
            switch result {
            case Z_OK:
                if stream.pointee.avail_in == 0 && stream.pointee.avail_out > 0 {
                    offset += produced
                    throw truncatedStream()
                }
            case Z_STREAM_END:
                // A gzip file may hold several members back to back; skip zero padding.
                skipPadding(stream)
                if stream.pointee.avail_in > 0 {
                    inflateReset(stream)
                } else {
                    streamEnded = true
                }
            case Z_BUF_ERROR where stream.pointee.avail_in == 0:
                offset += produced
                throw truncatedStream()
            default:
                offset += produced
                let message = stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(result)"
                throw DataError(.corruptCompression, file: path, position: .byte(offset),
                                problem: "the gzip data is corrupt (\(message))",
                                expected: "a valid gzip stream", found: "damaged compressed data",
                                hint: "re-download the file (or reinstall its package); `gzip -t \(path)` confirms the damage")
            }
        }
        offset += produced
        return produced
    }

    /// Reads exactly `count` bytes, or throws `.truncated` with `what` describing them.
    public func readExactly(_ count: Int, what: String, hint: String) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let start = offset
        let got = try bytes.withUnsafeMutableBytes { try read(into: $0.baseAddress!, count: count) }
        guard got == count else {
            throw DataError(.truncated, file: path, position: .byte(start), problem: "the file ends inside \(what)",
                            expected: "\(count) bytes", found: "\(got) bytes", hint: hint)
        }
        return bytes
    }

    /// Counts the bytes left (decompressing and discarding them), stopping at `limit`.
    public func remainingCount(limit: Int = 1 << 20) throws -> Int {
        var scratch = [UInt8](repeating: 0, count: 4096)
        var total = 0
        while total < limit {
            let got = try scratch.withUnsafeMutableBytes { try read(into: $0.baseAddress!, count: min(4096, limit - total)) }
            if got == 0 { break }
            total += got
        }
        return total
    }

    /// Reads everything that is left, refusing more than `limit` bytes.
    public func readAll(limit: Int) throws -> [UInt8] {
        if stream == nil {
            let n = fileSize - rawPosition
            guard n <= limit else {
                throw DataError(.badHeader, file: path, problem: "the file is too large",
                                expected: "at most \(limit) bytes", found: "\(n) bytes",
                                hint: "use a smaller file or a binary format (npy)")
            }
            let result = [UInt8](UnsafeRawBufferPointer(rebasing: data[rawPosition..<fileSize]))
            rawPosition = fileSize
            offset += n
            return result
        }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let got = try chunk.withUnsafeMutableBytes { try read(into: $0.baseAddress!, count: $0.count) }
            if got == 0 { break }
            result.append(contentsOf: chunk[0..<got])
            if result.count > limit {
                throw DataError(.badHeader, file: path, problem: "the file is too large",
                                expected: "at most \(limit) bytes", found: "more",
                                hint: "use a smaller file or a binary format (npy)")
            }
        }
        return result
    }

    private func truncatedStream() -> DataError {
        DataError(.truncated, file: path, position: .byte(offset), problem: "the gzip data ends early",
                  expected: "a complete gzip stream", found: "the end of the file after \(offset) decompressed bytes",
                  hint: "the file is truncated; re-download it (or reinstall its package)")
    }

    private func skipPadding(_ stream: UnsafeMutablePointer<z_stream>) {
        while stream.pointee.avail_in > 0 && stream.pointee.next_in.pointee == 0 {
            stream.pointee.next_in += 1
            stream.pointee.avail_in -= 1
        }
    }
}
