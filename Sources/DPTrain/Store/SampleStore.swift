import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A prepared sample store (``SampleStoreFile``) mapped read-only into this process.
///
/// The map is shared (`MAP_SHARED`, `PROT_READ`): every rank on a host that maps the same file
/// uses the same page-cache pages, so the host holds one copy of the data, and the kernel pages
/// it in and out as samples are read (data larger than memory works, at disk speed). Opening
/// verifies everything before anything is used: the preamble, the exact file size, the header
/// checksum and JSON, the section layout, the payload checksum and the labels' range. The map
/// lives as long as this object (datasets made from it keep it alive).
public final class SampleStore: @unchecked Sendable {
    /// The store file.
    public let path: String
    /// Its header.
    public let header: StoreHeader
    /// Its size in bytes.
    public let fileSize: Int
    /// The start of the map.
    let base: UnsafeRawPointer

    private init(path: String, header: StoreHeader, fileSize: Int, base: UnsafeRawPointer) {
        self.path = path
        self.header = header
        self.fileSize = fileSize
        self.base = base
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: base), fileSize) }

    /// What to do about a damaged store, in every error.
    static let rebuildHint = "delete the file: a store prepared from data files is rebuilt on the next run "
        + "(or with `dptrain prepare CONFIG`); a generated store must be generated again"

    /// Maps and verifies the store at `path`.
    /// - Throws: ``DataError``: `.missingFile`, `.unreadable`, `.truncated`, `.trailingBytes`,
    ///   `.badMagic`, `.unsupportedType` (another format version), `.badHeader`,
    ///   `.checksumMismatch` or `.badLabel`, each naming the file and the position.
    public static func open(path: String) throws -> SampleStore {
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let missing = errno == ENOENT
            throw DataError(missing ? .missingFile : .unreadable, file: path, problem: "cannot open the sample store",
                            expected: "a readable .\(SampleStoreFile.fileExtension) file",
                            found: String(cString: strerror(errno)),
                            hint: missing ? "prepare it with `dptrain prepare CONFIG` or check data.path" : "check the permissions")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            throw DataError(.unreadable, file: path, problem: "the sample store is not a regular file",
                            expected: "a regular file", found: "another kind of file", hint: rebuildHint)
        }
        let size = Int(status.st_size)
        guard size >= SampleStoreFile.payloadOffset else {
            throw DataError(.truncated, file: path, position: .byte(size), problem: "the sample store is truncated",
                            expected: "at least \(SampleStoreFile.payloadOffset) bytes", found: "\(size) bytes", hint: rebuildHint)
        }
        guard let map = mmap(nil, size, PROT_READ, MAP_SHARED, descriptor, 0), map != MAP_FAILED else {
            throw DataError(.unreadable, file: path, problem: "cannot map the sample store",
                            expected: "mmap to succeed", found: String(cString: strerror(errno)),
                            hint: "check the address-space limit (ulimit -v)")
        }
        let base = UnsafeRawPointer(map)
        do {
            let header = try verify(base: base, size: size, path: path)
            // Training reads random samples: no read-ahead beyond the page asked for.
            madvise(map, size, MADV_RANDOM)
            return SampleStore(path: path, header: header, fileSize: size, base: base)
        } catch {
            munmap(map, size)
            throw error
        }
    }

    /// Checks every part of the mapped file (see ``open(path:)``) and returns its header.
    private static func verify(base: UnsafeRawPointer, size: Int, path: String) throws -> StoreHeader {
        let magic = Array(UnsafeRawBufferPointer(start: base, count: SampleStoreFile.magic.count))
        guard magic == SampleStoreFile.magic else {
            throw DataError(.badMagic, file: path, position: .byte(0), problem: "not a dptrain sample store",
                            expected: "magic DPTSTORE", found: magic.map { String(format: "%02x", $0) }.joined(separator: " "),
                            hint: rebuildHint)
        }
        func word<T: FixedWidthInteger>(_ offset: Int, _: T.Type) -> T { T(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: T.self)) }
        let version = word(8, UInt32.self)
        guard version == SampleStoreFile.version else {
            throw DataError(.unsupportedType, file: path, position: .byte(8), problem: "another sample-store format version",
                            expected: "version \(SampleStoreFile.version)", found: "version \(version)", hint: rebuildHint)
        }
        let headerOffset = Int(truncatingIfNeeded: word(16, UInt64.self))
        let headerLength = Int(truncatingIfNeeded: word(24, UInt64.self))
        guard headerOffset >= SampleStoreFile.payloadOffset, headerLength > 0, headerLength < 1 << 24,
              headerOffset <= Int.max - headerLength else {
            throw DataError(.badHeader, file: path, position: .byte(16), problem: "the preamble's header position is impossible",
                            expected: "a header after byte \(SampleStoreFile.payloadOffset) of at most 16 MB",
                            found: "offset \(headerOffset), length \(headerLength)", hint: rebuildHint)
        }
        let expectedSize = headerOffset + headerLength
        guard size == expectedSize else {
            throw DataError(size < expectedSize ? .truncated : .trailingBytes, file: path, position: .byte(size),
                            problem: size < expectedSize ? "the sample store is truncated" : "the sample store has bytes after its header",
                            expected: "\(expectedSize) bytes", found: "\(size) bytes", hint: rebuildHint)
        }
        let headerBytes = UnsafeRawBufferPointer(start: base + headerOffset, count: headerLength)
        let headerSum = word(32, UInt64.self)
        guard StoreChecksum.of(headerBytes) == headerSum else {
            throw DataError(.checksumMismatch, file: path, position: .byte(headerOffset), problem: "the store header is damaged",
                            expected: "header checksum \(hex(headerSum))", found: hex(StoreChecksum.of(headerBytes)),
                            hint: rebuildHint)
        }
        let header: StoreHeader
        do {
            header = try JSONDecoder().decode(StoreHeader.self, from: Data(headerBytes))
        } catch {
            throw DataError(.badHeader, file: path, position: .byte(headerOffset), problem: "the store header is not valid JSON",
                            expected: "a StoreHeader", found: "\(error)", hint: rebuildHint)
        }
        let layoutValid = header.version == Int(version) && !header.sampleShape.isEmpty
            && header.sampleShape.allSatisfy { $0 > 0 && $0 < 1 << 31 } && header.featureCount < 1 << 31
            && header.classCount >= 0 && header.targetWidth >= 0 && header.targetWidth < 1 << 20
            && !header.splits.isEmpty && header.splits.allSatisfy { $0.count >= 0 && $0.count < 1 << 40 }
        let layout = layoutValid
            ? SampleStoreFile.layout(names: header.splits.map(\.name), counts: header.splits.map(\.count),
                                     featureCount: header.featureCount, elementType: header.elementType,
                                     targetWidth: header.targetWidth)
            : nil
        guard let layout, layout.splits == header.splits, layout.end == headerOffset else {
            throw DataError(.badHeader, file: path, position: .byte(headerOffset),
                            problem: "the store header's shapes, counts and section offsets do not fit together",
                            expected: "sections laid out from byte \(SampleStoreFile.payloadOffset) up to the header at \(headerOffset)",
                            found: "shape \(header.sampleShape), splits \(header.splits.map { "\($0.name) \($0.count)" })",
                            hint: rebuildHint)
        }
        madvise(UnsafeMutableRawPointer(mutating: base), size, MADV_SEQUENTIAL)
        let payload = UnsafeRawBufferPointer(start: base + SampleStoreFile.payloadOffset,
                                             count: headerOffset - SampleStoreFile.payloadOffset)
        let sum = hex(StoreChecksum.of(payload))
        guard sum == header.checksum else {
            throw DataError(.checksumMismatch, file: path, position: .byte(SampleStoreFile.payloadOffset),
                            problem: "the store's samples are damaged", expected: "payload checksum \(header.checksum)",
                            found: sum, hint: rebuildHint)
        }
        for split in header.splits where header.targetWidth == 0 {
            let labels = (base + split.labelsOffset).assumingMemoryBound(to: Int32.self)
            for i in 0..<split.count where labels[i] < 0 || Int(labels[i]) >= max(header.classCount, 1) {
                throw DataError(.badLabel, file: path, position: .element(i),
                                problem: "a \(split.name) label is outside the store's classes",
                                expected: "a label in 0..<\(header.classCount)", found: "\(labels[i])", hint: rebuildHint)
            }
        }
        return header
    }

    /// The samples of split `name` (`train` or `test`) as a dataset reading from the map
    /// (raw values, no normalisation), or nil when the store has no such split. `classCount`
    /// (the model's, at least the store's) replaces the classes the labels imply.
    public func dataset(_ name: String, classCount: Int? = nil) -> Dataset? {
        guard let split = header.split(name) else { return nil }
        let samples = StoredSamples(store: self, split: split)
        let classes = header.targetWidth > 0 ? header.classCount : max(classCount ?? 0, header.classCount)
        return Dataset(stored: samples, sampleShape: header.sampleShape, classCount: classes,
                       source: "\(path) (\(name))")
    }

    /// Why this store no longer matches `sources` (the source files as they are now), or nil
    /// when it still does: a file added, gone, or with another size or modification time.
    public func staleness(against sources: [SourceFingerprint]) -> String? {
        for current in sources {
            guard let recorded = header.sources.first(where: { $0.path == current.path }) else {
                return "\(current.path) was not a source when the store was prepared"
            }
            if recorded.size != current.size {
                return "\(current.path) changed size (\(recorded.size) → \(current.size) bytes)"
            }
            if recorded.modified != current.modified {
                return "\(current.path) was modified after the store was prepared"
            }
        }
        for recorded in header.sources where !sources.contains(where: { $0.path == recorded.path }) {
            return "\(recorded.path) is no longer a source"
        }
        return nil
    }

    /// 16 lower-case hex digits.
    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
