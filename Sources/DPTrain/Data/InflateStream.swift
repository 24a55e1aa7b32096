import CZlib

/// Incremental inflation of one deflate (zip member) or gzip stream held in memory, producing
/// only as many bytes as the caller asks for.
///
/// Readers first inflate the few bytes of a header, check what it declares (against the
/// archive directory and the ``MemoryBudget``), and only then ask for the data — with the
/// declared size as a hard limit: nothing past it is ever produced, except the one byte
/// ``expectEnd(after:hint:)`` inflates to detect trailing data. zlib's 32-bit counters are fed
/// in chunks of at most 1 GiB, so members larger than 4 GB work.
public final class InflateStream {
    /// The archive's (or file's) path, for messages.
    public let file: String
    /// The archive member, for messages (nil for a gzip file).
    public let member: String?
    /// Whether the stream is raw deflate (zip) rather than gzip.
    public let raw: Bool
    /// Decompressed bytes produced so far.
    public private(set) var produced = 0

    private let input: UnsafeRawBufferPointer
    private var consumed = 0
    private let stream: UnsafeMutablePointer<z_stream>
    private var ended = false

    /// Prepares to inflate `compressed`, which must stay valid while the stream is used.
    ///
    /// - Parameters:
    ///   - compressed: the compressed bytes.
    ///   - raw: true for raw deflate (windowBits −15, zip members), false for gzip.
    ///   - file, member: for messages.
    public init(compressed: UnsafeRawBufferPointer, raw: Bool, file: String, member: String? = nil) {
        self.input = compressed
        self.raw = raw
        self.file = file
        self.member = member
        stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = inflateInit2_(stream, raw ? -MAX_WBITS : 16 + MAX_WBITS, zlibVersion(),
                                   Int32(MemoryLayout<z_stream>.size))
        precondition(status == Z_OK, "inflateInit2 failed with \(status)")
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    private var position: DataError.Position { member.map { .member($0, byte: nil) } ?? .none }

    /// Inflates up to `count` bytes into `destination`; returns how many (fewer only at the end
    /// of the stream).
    /// - Throws: ``DataError`` `.corruptCompression` for damaged data, `.truncated` when the
    ///   compressed input ends before the stream does.
    public func read(into destination: UnsafeMutableRawPointer, count: Int) throws -> Int {
        var done = 0
        while done < count && !ended {
            let inChunk = min(input.count - consumed, 1 << 30)
            let outChunk = min(count - done, 1 << 30)
            stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress.map {
                ($0 + consumed).assumingMemoryBound(to: UInt8.self)
            })
            stream.pointee.avail_in = uInt(inChunk)
            stream.pointee.next_out = (destination + done).assumingMemoryBound(to: UInt8.self)
            stream.pointee.avail_out = uInt(outChunk)
            let result = CZlib.inflate(stream, Z_NO_FLUSH)
            let used = inChunk - Int(stream.pointee.avail_in)
            let made = outChunk - Int(stream.pointee.avail_out)
            consumed += used
            done += made
            produced += made
            switch result {
            case Z_STREAM_END:
                ended = true
            case Z_OK where used > 0 || made > 0:
                continue
            case Z_OK, Z_BUF_ERROR:
                guard consumed < input.count else { throw truncated() }
                if used == 0 && made == 0 { throw corrupt(result) }
            default:
                throw corrupt(result)
            }
        }
        return done
    }

    /// Inflates exactly `count` bytes, or throws `.truncated` naming `what`.
    public func readExactly(_ count: Int, what: String, hint: String) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let got = try bytes.withUnsafeMutableBytes { try read(into: $0.baseAddress!, count: count) }
        guard got == count else {
            throw DataError(.truncated, file: file, position: position, problem: "the compressed data ends early in \(what)",
                            expected: "\(count) bytes", found: "\(got) bytes", hint: hint)
        }
        return bytes
    }

    /// Checks that the stream ends here, after `expected` bytes: inflates at most one more byte
    /// and throws `.trailingBytes` if there is one.
    public func expectEnd(after expected: Int, hint: String) throws {
        var byte: UInt8 = 0
        let extra = try read(into: &byte, count: 1)
        guard extra == 0 else {
            throw DataError(.trailingBytes, file: file, position: position,
                            problem: "the compressed data is longer than declared",
                            expected: "\(expected) bytes", found: "more than \(expected)", hint: hint)
        }
    }

    private func truncated() -> DataError {
        DataError(.truncated, file: file, position: position, problem: "the compressed data ends early",
                  expected: "a complete \(raw ? "deflate" : "gzip") stream",
                  found: "the end of the data after \(produced) decompressed bytes",
                  hint: "the file is truncated; re-create or re-download it")
    }

    private func corrupt(_ result: Int32) -> DataError {
        let message = stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(result)"
        return DataError(.corruptCompression, file: file, position: position,
                         problem: "the compressed data is corrupt (\(message))",
                         expected: raw ? "a valid deflate stream" : "a valid gzip stream",
                         found: "damaged data after \(produced) decompressed bytes",
                         hint: "re-create or re-download the file")
    }
}
