/// The on-disk layout of a prepared sample store (`.dpstore`), one file per dataset:
///
///     [0, 64)                         preamble: magic "DPTSTORE", version u32, 4 zero bytes,
///                                     header offset u64, header length u64, header checksum u64
///                                     (little-endian), zeros up to 64
///     [4096, header offset)           payload: per split, samples, labels, targets, each section
///                                     starting on a 4096-byte boundary (zero padding between)
///     [header offset, end of file)    the JSON ``StoreHeader`` (shapes, element type, counts,
///                                     section offsets, payload checksum, source fingerprints)
///
/// The file size is exactly header offset + header length. The payload checksum
/// (``StoreChecksum``) covers `[4096, header offset)`, the header checksum the JSON bytes.
/// A store is written to a temporary file and renamed into place, so a reader sees either
/// the complete old file or the complete new one.
public enum SampleStoreFile {
    /// The first 8 bytes of every store.
    public static let magic: [UInt8] = Array("DPTSTORE".utf8)
    /// The format version this build writes and reads.
    public static let version: UInt32 = 1
    /// Bytes of the preamble that are read (the rest up to ``payloadOffset`` is zero).
    public static let preambleSize = 64
    /// Where the payload starts; every section is aligned to it (a page).
    public static let alignment = 4096
    /// The offset of the first section.
    public static let payloadOffset = 4096
    /// The file-name extension.
    public static let fileExtension = "dpstore"

    /// `offset` rounded up to the next multiple of ``alignment``.
    static func aligned(_ offset: Int) -> Int { (offset + alignment - 1) / alignment * alignment }

    /// The sections of splits of `counts` samples, laid out from ``payloadOffset``; returns the
    /// splits and the end of the payload.
    static func layout(names: [String], counts: [Int], featureCount: Int, elementType: StoreElementType,
                       targetWidth: Int) -> (splits: [StoreSplit], end: Int) {
        var offset = payloadOffset
        var splits: [StoreSplit] = []
        for (name, count) in zip(names, counts) {
            let samples = offset
            offset = aligned(offset + count * featureCount * elementType.size)
            let labels = offset
            offset = aligned(offset + count * MemoryLayout<Int32>.size)
            var targets: Int? = nil
            if targetWidth > 0 {
                targets = offset
                offset = aligned(offset + count * targetWidth * MemoryLayout<Float>.size)
            }
            splits.append(StoreSplit(name: name, count: count, samplesOffset: samples, labelsOffset: labels,
                                     targetsOffset: targets))
        }
        return (splits, offset)
    }
}
