/// The JSON header of a sample store (``SampleStoreFile``): what the payload holds and where.
///
/// Offsets are byte offsets from the start of the file; every section starts on a
/// ``SampleStoreFile/alignment`` boundary. A split of `count` samples holds
/// `count × product(sampleShape)` elements of ``elementType`` (row-major, sample after sample),
/// `count` little-endian `Int32` labels, and, for regression data, `count × targetWidth`
/// `Float32` targets.
public struct StoreHeader: Codable, Equatable, Sendable {
    /// Format version (``SampleStoreFile/version``).
    public var version: Int
    /// What the store was prepared from, for messages (for example `fashion-mnist /usr/share/…`).
    public var origin: String
    /// Shape of one sample (`[C, H, W]` or `[d]`).
    public var sampleShape: [Int]
    /// How sample values are stored.
    public var elementType: StoreElementType
    /// Number of classes (0 for regression data).
    public var classCount: Int
    /// Regression targets per sample (0 for classification data).
    public var targetWidth: Int
    /// The splits, `train` first, then `test` when the data has one.
    public var splits: [StoreSplit]
    /// Checksum (``StoreChecksum``) of the payload: the bytes from
    /// ``SampleStoreFile/payloadOffset`` up to the header, as 16 hex digits.
    public var checksum: String
    /// The source files and their size and modification time when the store was prepared
    /// (empty for a store generated directly, which is its own source).
    public var sources: [SourceFingerprint]

    /// Elements per sample: the product of ``sampleShape``.
    public var featureCount: Int { sampleShape.reduce(1, *) }

    /// The split called `name`, if any.
    public func split(_ name: String) -> StoreSplit? { splits.first { $0.name == name } }
}

/// One split (`train` or `test`) of a store: its sample count and section offsets.
public struct StoreSplit: Codable, Equatable, Sendable {
    /// `train` or `test`.
    public var name: String
    /// Number of samples.
    public var count: Int
    /// Offset of `count × featureCount` sample elements.
    public var samplesOffset: Int
    /// Offset of `count` `Int32` labels.
    public var labelsOffset: Int
    /// Offset of `count × targetWidth` `Float32` targets (nil for classification data).
    public var targetsOffset: Int?
}

/// How a store holds sample values.
public enum StoreElementType: String, Codable, Sendable {
    /// One byte per value, 0…255 (images such as Fashion-MNIST: a quarter of float32).
    case uint8
    /// IEEE float32, little-endian (any other data).
    case float32

    /// Bytes per element.
    public var size: Int { self == .uint8 ? 1 : 4 }
}

/// A source file as it was when a store was prepared: a store whose sources no longer match
/// (size or modification time changed, file gone) is stale and is rebuilt.
public struct SourceFingerprint: Codable, Equatable, Sendable {
    /// The file's absolute path.
    public var path: String
    /// Its size in bytes.
    public var size: Int
    /// Its modification time in nanoseconds since 1970.
    public var modified: Int64
}
