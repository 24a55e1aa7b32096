import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes a sample store (``SampleStoreFile``) atomically: into a temporary file next to the
/// destination, sections at their final offsets, then the checksum, header and preamble,
/// `fsync`, and a rename over the destination. A reader never sees a partial store, and a
/// store already mapped by running ranks stays intact (they keep the old inode).
///
/// Sections can be written in any order and in pieces (``writeSamples(split:first:bytes:)``),
/// so a generator can stream a store larger than memory.
public final class StoreWriter {
    /// The store being written.
    public let path: String
    private let temporaryPath: String
    private var descriptor: Int32
    private var header: StoreHeader
    private let payloadEnd: Int

    /// Creates the temporary file for splits named `splits` (`train`, then `test`) of the given
    /// sample counts, sized and zero-filled (sparse).
    public init(path: String, origin: String, sampleShape: [Int], elementType: StoreElementType, classCount: Int,
                targetWidth: Int, splits: [(name: String, count: Int)], sources: [SourceFingerprint]) throws {
        self.path = path
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, host.count - 1)
        let hostName = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        temporaryPath = path + ".tmp-\(hostName)-\(getpid())"
        let layout = SampleStoreFile.layout(names: splits.map(\.name), counts: splits.map(\.count),
                                            featureCount: sampleShape.reduce(1, *), elementType: elementType,
                                            targetWidth: targetWidth)
        payloadEnd = layout.end
        header = StoreHeader(version: Int(SampleStoreFile.version), origin: origin, sampleShape: sampleShape,
                             elementType: elementType, classCount: classCount, targetWidth: targetWidth,
                             splits: layout.splits, checksum: "", sources: sources)
        descriptor = open(temporaryPath, O_CREAT | O_TRUNC | O_RDWR | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw StoreWriter.failure(temporaryPath, "cannot create the file") }
        guard ftruncate(descriptor, off_t(payloadEnd)) == 0 else {
            let error = StoreWriter.failure(temporaryPath, "cannot size the file to \(payloadEnd) bytes")
            abandon()
            throw error
        }
    }

    deinit { if descriptor >= 0 { abandon() } }

    /// Writes the raw sample elements of samples `first…` of split `split` (index into the splits).
    public func writeSamples(split: Int, first: Int, bytes: UnsafeRawBufferPointer) throws {
        let s = header.splits[split]
        let rowBytes = header.featureCount * header.elementType.size
        precondition(bytes.count % rowBytes == 0 && first + bytes.count / rowBytes <= s.count, "samples outside the split")
        try write(bytes, at: s.samplesOffset + first * rowBytes)
    }

    /// Writes the labels of samples `first…` of split `split`.
    public func writeLabels(split: Int, first: Int, labels: UnsafeBufferPointer<Int32>) throws {
        let s = header.splits[split]
        precondition(first + labels.count <= s.count, "labels outside the split")
        try write(UnsafeRawBufferPointer(labels), at: s.labelsOffset + first * 4)
    }

    /// Writes the regression targets of samples `first…` of split `split`.
    public func writeTargets(split: Int, first: Int, targets: UnsafeBufferPointer<Float>) throws {
        let s = header.splits[split]
        precondition(header.targetWidth > 0 && first * header.targetWidth + targets.count <= s.count * header.targetWidth,
                     "targets outside the split")
        try write(UnsafeRawBufferPointer(targets), at: s.targetsOffset! + first * header.targetWidth * 4)
    }

    /// Checksums the payload, appends the header, writes the preamble, syncs and renames the
    /// file into place.
    public func finish() throws {
        guard let map = mmap(nil, payloadEnd, PROT_READ, MAP_SHARED, descriptor, 0), map != MAP_FAILED else {
            throw StoreWriter.failure(temporaryPath, "cannot map the file to checksum it")
        }
        madvise(map, payloadEnd, MADV_SEQUENTIAL)
        let sum = StoreChecksum.of(UnsafeRawBufferPointer(start: map + SampleStoreFile.payloadOffset,
                                                          count: payloadEnd - SampleStoreFile.payloadOffset))
        munmap(map, payloadEnd)
        header.checksum = SampleStore.hex(sum)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = try encoder.encode(header)
        try json.withUnsafeBytes { try write($0, at: payloadEnd) }
        var preamble = [UInt8](repeating: 0, count: SampleStoreFile.preambleSize)
        preamble.replaceSubrange(0..<8, with: SampleStoreFile.magic)
        func put<T: FixedWidthInteger>(_ value: T, at offset: Int) {
            withUnsafeBytes(of: value.littleEndian) { preamble.replaceSubrange(offset..<offset + $0.count, with: $0) }
        }
        put(SampleStoreFile.version, at: 8)
        put(UInt64(payloadEnd), at: 16)
        put(UInt64(json.count), at: 24)
        put(json.withUnsafeBytes { StoreChecksum.of($0) }, at: 32)
        try preamble.withUnsafeBytes { try write($0, at: 0) }
        guard fsync(descriptor) == 0 else { throw StoreWriter.failure(temporaryPath, "cannot sync the file") }
        close(descriptor)
        descriptor = -1
        guard rename(temporaryPath, path) == 0 else {
            let error = StoreWriter.failure(path, "cannot rename \(temporaryPath) into place")
            unlink(temporaryPath)
            throw error
        }
        let directory = open((path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent,
                             O_RDONLY | O_CLOEXEC)
        if directory >= 0 { fsync(directory); close(directory) }
    }

    /// Closes and deletes the temporary file (the destination is untouched).
    public func abandon() {
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
        unlink(temporaryPath)
    }

    private func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws {
        var done = 0
        while done < bytes.count {
            let n = pwrite(descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw StoreWriter.failure(temporaryPath, "cannot write \(bytes.count) bytes at byte \(offset)") }
            done += n
        }
    }

    static func failure(_ path: String, _ what: String) -> DataError {
        DataError(.unreadable, file: path, problem: "\(what) while preparing the sample store",
                  expected: "a writable cache directory with free space", found: String(cString: strerror(errno)),
                  hint: "set data.cache to a writable directory on a disk with room for the store")
    }

    /// Writes `train` and `test` (datasets in memory, raw values) as a store at `path`: uint8
    /// when every feature is an integer in 0…255 (images), float32 otherwise.
    public static func write(train: Dataset, test: Dataset?, to path: String, origin: String,
                             sources: [SourceFingerprint]) throws {
        let sets = [train] + (test.map { [$0] } ?? [])
        let bytesFit = sets.allSatisfy { set in set.features.allSatisfy { $0 >= 0 && $0 <= 255 && $0 == $0.rounded() } }
        let elementType: StoreElementType = bytesFit ? .uint8 : .float32
        // The classes the labels imply (max label + 1), not the model's: a store does not depend
        // on the model that reads it (``DataPreparation`` checks the labels against the model).
        let labelClasses = train.targetWidth > 0 ? train.classCount
            : Int(sets.compactMap { $0.labels.max() }.max() ?? -1) + 1
        let writer = try StoreWriter(path: path, origin: origin, sampleShape: train.sampleShape, elementType: elementType,
                                     classCount: labelClasses, targetWidth: train.targetWidth,
                                     splits: zip(["train", "test"], sets).map { ($0, $1.count) }, sources: sources)
        for (index, set) in sets.enumerated() {
            let chunk = 4096
            var first = 0
            while first < set.count {
                let rows = min(chunk, set.count - first)
                let values = UnsafeBufferPointer(rebasing: set.features[first * set.featureCount ..< (first + rows) * set.featureCount])
                if elementType == .uint8 {
                    let bytes = values.map { UInt8($0) }
                    try bytes.withUnsafeBytes { try writer.writeSamples(split: index, first: first, bytes: $0) }
                } else {
                    try writer.writeSamples(split: index, first: first, bytes: UnsafeRawBufferPointer(values))
                }
                first += rows
            }
            try set.labels.withUnsafeBufferPointer { try writer.writeLabels(split: index, first: 0, labels: $0) }
            if let targets = set.targetValues {
                try writer.writeTargets(split: index, first: 0, targets: UnsafeBufferPointer(targets))
            }
        }
        try writer.finish()
    }
}
