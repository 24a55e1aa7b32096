/// A minimal reader of zip archives as written by NumPy's `savez` / `savez_compressed`
/// (PKWARE APPNOTE 6.3: central directory, zip64 extensions, methods 0 *stored* and 8 *deflate*).
///
/// Sizes and offsets come from the central directory; every one is bounds-checked against the
/// archive, deflated members are inflated with a cap of their declared size, and CRC-32 is
/// verified.
public struct ZipArchive {
    /// One member of the archive.
    public struct Entry: Sendable {
        /// File name inside the archive (`x.npy`).
        public var name: String
        /// Compression method: 0 stored, 8 deflate.
        public var method: Int
        /// CRC-32 of the uncompressed bytes.
        public var crc32: UInt32
        /// Bytes stored in the archive.
        public var compressedSize: Int
        /// Bytes after decompression.
        public var uncompressedSize: Int
        /// Byte offset of the member's local header.
        public var localHeaderOffset: Int
    }

    /// The archive's path, for messages.
    public let path: String
    /// The members, in directory order.
    public let entries: [Entry]
    private let bytes: [UInt8]

    /// Parses the central directory of `bytes`, the contents of the file at `path`.
    /// - Throws: ``DataError`` `.badMagic` / `.badHeader` / `.truncated` for a damaged archive.
    public init(bytes: [UInt8], path: String) throws {
        self.bytes = bytes
        self.path = path
        let hint = "the .npz file is damaged; re-create it with numpy.savez"
        func fail(_ offset: Int, _ problem: String, expected: String, found: String) -> DataError {
            DataError(.badHeader, file: path, position: .byte(offset), problem: problem,
                      expected: expected, found: found, hint: hint)
        }
        // End of central directory: 22 bytes plus a comment of up to 65535 bytes.
        var eocd = -1
        var candidate = bytes.count - 22
        while candidate >= 0 && candidate >= bytes.count - 22 - 65535 {
            if ZipArchive.u32(bytes, candidate) == 0x0605_4b50 { eocd = candidate; break }
            candidate -= 1
        }
        guard eocd >= 0 else {
            throw DataError(.badMagic, file: path, position: .byte(0), problem: "not a zip archive (.npz)",
                            expected: "a zip end-of-central-directory record (PK 05 06)",
                            found: bytes.count < 4 ? "\(bytes.count) bytes" : "none in \(bytes.count) bytes",
                            hint: "an .npz file is a zip written by numpy.savez; for a single array use .npy")
        }
        var entryCount = Int(ZipArchive.u16(bytes, eocd + 10))
        var directoryOffset = Int(ZipArchive.u32(bytes, eocd + 16))
        if entryCount == 0xFFFF || directoryOffset == 0xFFFF_FFFF {
            let locator = eocd - 20
            guard locator >= 0, ZipArchive.u32(bytes, locator) == 0x0706_4b50 else {
                throw fail(eocd, "zip64 archive without a zip64 locator", expected: "PK 06 07", found: "other bytes")
            }
            let record = Int(clamping: ZipArchive.u64(bytes, locator + 8))
            guard record >= 0, record + 56 <= bytes.count, ZipArchive.u32(bytes, record) == 0x0606_4b50 else {
                throw fail(locator, "bad zip64 end-of-directory record", expected: "PK 06 06", found: "other bytes")
            }
            entryCount = Int(clamping: ZipArchive.u64(bytes, record + 32))
            directoryOffset = Int(clamping: ZipArchive.u64(bytes, record + 48))
        }
        var entries: [Entry] = []
        var offset = directoryOffset
        for _ in 0..<min(entryCount, bytes.count / 46 + 1) {
            guard offset >= 0, offset + 46 <= bytes.count, ZipArchive.u32(bytes, offset) == 0x0201_4b50 else {
                throw fail(offset, "bad central directory entry", expected: "PK 01 02", found: "other bytes or the end of the file")
            }
            let nameLength = Int(ZipArchive.u16(bytes, offset + 28))
            let extraLength = Int(ZipArchive.u16(bytes, offset + 30))
            let commentLength = Int(ZipArchive.u16(bytes, offset + 32))
            guard offset + 46 + nameLength + extraLength <= bytes.count else {
                throw fail(offset, "central directory entry runs past the end", expected: "a complete entry", found: "the end of the file")
            }
            let name = String(decoding: bytes[(offset + 46)..<(offset + 46 + nameLength)], as: UTF8.self)
            var entry = Entry(name: name, method: Int(ZipArchive.u16(bytes, offset + 10)),
                              crc32: ZipArchive.u32(bytes, offset + 16),
                              compressedSize: Int(ZipArchive.u32(bytes, offset + 20)),
                              uncompressedSize: Int(ZipArchive.u32(bytes, offset + 24)),
                              localHeaderOffset: Int(ZipArchive.u32(bytes, offset + 42)))
            // Zip64 extra field (id 1): 64-bit values for the fields that hold 0xFFFFFFFF, in order.
            var extra = offset + 46 + nameLength
            let extraEnd = extra + extraLength
            while extra + 4 <= extraEnd {
                let id = ZipArchive.u16(bytes, extra), size = Int(ZipArchive.u16(bytes, extra + 2))
                if id == 1 {
                    var field = extra + 4
                    func next() -> Int? {
                        guard field + 8 <= min(extra + 4 + size, extraEnd) else { return nil }
                        defer { field += 8 }
                        return Int(clamping: ZipArchive.u64(bytes, field))
                    }
                    if entry.uncompressedSize == 0xFFFF_FFFF, let v = next() { entry.uncompressedSize = v }
                    if entry.compressedSize == 0xFFFF_FFFF, let v = next() { entry.compressedSize = v }
                    if entry.localHeaderOffset == 0xFFFF_FFFF, let v = next() { entry.localHeaderOffset = v }
                }
                extra += 4 + size
            }
            entries.append(entry)
            offset += 46 + nameLength + extraLength + commentLength
        }
        self.entries = entries
    }

    /// The entry called `name`, if any.
    public func entry(named name: String) -> Entry? { entries.first { $0.name == name } }

    /// The first `count` decompressed bytes of `entry` (fewer when the member is shorter),
    /// inflating nothing beyond them: how readers look at a member's header before trusting
    /// the sizes it declares.
    /// - Throws: ``DataError`` for unsupported methods, out-of-range offsets or sizes, corrupt data.
    public func prefix(of entry: Entry, count: Int) throws -> [UInt8] {
        let start = try dataStart(of: entry)
        let available = max(0, min(count, entry.uncompressedSize))
        if entry.method == 0 { return Array(bytes[start..<(start + available)]) }
        return try bytes.withUnsafeBytes { raw -> [UInt8] in
            let stream = InflateStream(compressed: UnsafeRawBufferPointer(rebasing: raw[start..<(start + entry.compressedSize)]),
                                       raw: true, file: path, member: entry.name)
            var result = [UInt8](repeating: 0, count: max(available, 1))
            let got = try result.withUnsafeMutableBytes { try stream.read(into: $0.baseAddress!, count: available) }
            result.removeSubrange(got...)
            return result
        }
    }

    /// The decompressed bytes of `entry`, checked against its size and CRC-32. Deflated data is
    /// inflated into one buffer of the declared size, never past it.
    /// - Throws: ``DataError`` for unsupported methods, out-of-range offsets or sizes, corrupt data.
    public func contents(of entry: Entry) throws -> [UInt8] {
        let position = DataError.Position.member(entry.name, byte: nil)
        let hint = "the .npz file is damaged; re-create it with numpy.savez or numpy.savez_compressed"
        let start = try dataStart(of: entry)
        let data: [UInt8]
        if entry.method == 0 {
            data = Array(bytes[start..<(start + entry.compressedSize)])
        } else {
            data = try bytes.withUnsafeBytes {
                try Gzip.inflate(UnsafeRawBufferPointer(rebasing: $0[start..<(start + entry.compressedSize)]), raw: true,
                                 expectedCount: entry.uncompressedSize, file: path, member: entry.name)
            }
        }
        let crc = data.withUnsafeBytes { Gzip.crc32($0) }
        guard crc == entry.crc32 else {
            throw DataError(.corruptCompression, file: path, position: position, problem: "CRC-32 mismatch",
                            expected: hex32(entry.crc32), found: hex32(crc), hint: hint)
        }
        return data
    }

    /// Offset of `entry`'s data after its local header, once the local header, the method and
    /// the sizes are checked: the data lies inside the archive, a stored member's two sizes
    /// agree, and a deflated member does not claim more than deflate can expand to (~1032:1).
    private func dataStart(of entry: Entry) throws -> Int {
        let position = DataError.Position.member(entry.name, byte: nil)
        let hint = "the .npz file is damaged; re-create it with numpy.savez or numpy.savez_compressed"
        let local = entry.localHeaderOffset
        guard local >= 0, local + 30 <= bytes.count, ZipArchive.u32(bytes, local) == 0x0403_4b50 else {
            throw DataError(.badHeader, file: path, position: position, problem: "bad local header",
                            expected: "PK 03 04 at byte \(local)", found: "other bytes", hint: hint)
        }
        let start = local + 30 + Int(ZipArchive.u16(bytes, local + 26)) + Int(ZipArchive.u16(bytes, local + 28))
        guard entry.compressedSize >= 0, start <= bytes.count, entry.compressedSize <= bytes.count - start else {
            throw DataError(.truncated, file: path, position: position, problem: "the member runs past the end of the archive",
                            expected: "\(entry.compressedSize) bytes from byte \(start)",
                            found: "\(max(0, bytes.count - start)) bytes", hint: hint)
        }
        switch entry.method {
        case 0:
            guard entry.uncompressedSize == entry.compressedSize else {
                throw DataError(.badHeader, file: path, position: position, problem: "stored member with inconsistent sizes",
                                expected: "equal sizes", found: "\(entry.compressedSize) and \(entry.uncompressedSize)", hint: hint)
            }
        case 8:
            // Deflate expands at most ~1032:1; a larger declared size is a lie.
            guard entry.uncompressedSize >= 0,
                  entry.uncompressedSize <= entry.compressedSize.multipliedReportingOverflow(by: 1032).partialValue + 1024 else {
                throw DataError(.badHeader, file: path, position: position, problem: "declared size impossible for its compressed size",
                                expected: "at most 1032 × \(entry.compressedSize) bytes",
                                found: "\(entry.uncompressedSize) bytes", hint: hint)
            }
        default:
            throw DataError(.unsupportedType, file: path, position: position, problem: "unsupported zip compression method",
                            expected: "0 (stored) or 8 (deflate)", found: "\(entry.method)",
                            hint: "write the archive with numpy.savez or numpy.savez_compressed")
        }
        return start
    }

    private func hex32(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
    }

    static func u16(_ b: [UInt8], _ i: Int) -> UInt16 {
        guard i >= 0, i + 2 <= b.count else { return 0 }
        return UInt16(b[i]) | UInt16(b[i + 1]) << 8
    }

    static func u32(_ b: [UInt8], _ i: Int) -> UInt32 {
        guard i >= 0, i + 4 <= b.count else { return 0 }
        return UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
    }

    static func u64(_ b: [UInt8], _ i: Int) -> UInt64 {
        UInt64(u32(b, i)) | UInt64(u32(b, i + 4)) << 32
    }
}
