import Foundation

/// Samples: either in memory — one contiguous, row-major, 64-byte aligned `Float` buffer of
/// `count × featureCount` features, and one label (or a row of regression targets) per sample —
/// or read from a mapped sample store (``stored``), normalised on read.
///
/// Row `i` holds sample `i` flattened in its ``sampleShape`` order: images are `[C, H, W]`
/// (channel-major, NCHW per batch), tabular data is `[d]`. The class owns its buffers and frees
/// them in `deinit`; readers fill ``features`` in place, so the hot path never copies `[Float]`.
/// A stored dataset has no ``features``, ``labels`` or ``targetValues`` in memory: read it
/// with ``readRow(_:into:)``, ``label(_:)`` and ``readTargets(_:into:)`` (which work for both).
public final class Dataset {
    /// Number of samples.
    public let count: Int
    /// Shape of one sample: `[C, H, W]` for images (Fashion-MNIST: `[1, 28, 28]`), `[d]` for
    /// tabular data.
    public let sampleShape: [Int]
    /// Product of ``sampleShape``: floats per row.
    public let featureCount: Int
    /// `count × featureCount` floats, row-major, 64-byte aligned, owned by the dataset.
    public let features: UnsafeMutableBufferPointer<Float>
    /// Class index of each sample, in `0 ..< classCount` (all zero for regression data).
    public let labels: [Int32]
    /// Number of classes (labels lie in `0 ..< classCount`); 0 for regression data.
    public let classCount: Int
    /// Floats of regression target per sample; 0 for classification data.
    public let targetWidth: Int
    /// `count × targetWidth` regression targets, row-major, or nil for classification data.
    public let targetValues: UnsafeMutableBufferPointer<Float>?
    /// Where the samples came from (a path or a description), for messages.
    public let source: String
    /// The mapped store rows this dataset reads (nil: the samples are in ``features``).
    public let stored: StoredSamples?

    /// Allocates a zero-filled dataset of `labels.count` samples of `sampleShape`, to be filled
    /// through ``features`` (and ``targetValues`` when `targetWidth > 0`).
    ///
    /// - Parameters:
    ///   - sampleShape: shape of one sample, for example `[1, 28, 28]` or `[d]`.
    ///   - labels: one class index per sample; its length is the sample count.
    ///   - classCount: number of classes; the caller guarantees labels lie in `0 ..< classCount`.
    ///   - targetWidth: regression targets per sample (default 0: classification).
    ///   - source: a path or description for messages.
    public init(sampleShape: [Int], labels: [Int32], classCount: Int, targetWidth: Int = 0,
                source: String = "") {
        precondition(sampleShape.allSatisfy { $0 > 0 }, "sample dimensions must be positive")
        precondition(targetWidth >= 0, "targetWidth must be ≥ 0")
        self.count = labels.count
        self.sampleShape = sampleShape
        self.featureCount = sampleShape.reduce(1, *)
        self.labels = labels
        self.classCount = classCount
        self.targetWidth = targetWidth
        self.source = source
        stored = nil
        features = Dataset.allocate(count * featureCount)
        targetValues = targetWidth > 0 ? Dataset.allocate(count * targetWidth) : nil
    }

    /// A dataset reading the rows of `stored` from its map (no samples in memory).
    public init(stored: StoredSamples, sampleShape: [Int], classCount: Int, source: String) {
        precondition(sampleShape.reduce(1, *) == stored.featureCount, "sample shape does not match the store")
        count = stored.count
        self.sampleShape = sampleShape
        featureCount = stored.featureCount
        labels = []
        self.classCount = classCount
        targetWidth = stored.targetWidth
        self.source = source
        self.stored = stored
        features = Dataset.allocate(0)
        targetValues = nil
    }

    /// A dataset holding a copy of `features` (row-major, `labels.count × product(sampleShape)`),
    /// for tests and small generated data.
    public convenience init(sampleShape: [Int], features: [Float], labels: [Int32], classCount: Int,
                            source: String = "") {
        self.init(sampleShape: sampleShape, labels: labels, classCount: classCount, source: source)
        precondition(features.count == count * featureCount,
                     "features.count \(features.count) != \(count) × \(featureCount)")
        _ = self.features.update(fromContentsOf: features)
    }

    deinit {
        features.deallocate()
        targetValues?.deallocate()
    }

    /// Pointer to the `featureCount` features of sample `index`.
    @inlinable public func row(_ index: Int) -> UnsafeMutablePointer<Float> {
        features.baseAddress! + index * featureCount
    }

    /// Pointer to the `targetWidth` regression targets of sample `index` (regression data only).
    @inlinable public func targetRow(_ index: Int) -> UnsafeMutablePointer<Float> {
        targetValues!.baseAddress! + index * targetWidth
    }

    /// The class label of sample `index` (in memory or stored).
    @inlinable public func label(_ index: Int) -> Int32 {
        if let stored { return stored.label(index) }
        return labels[index]
    }

    /// Writes the `featureCount` features of sample `index` (normalised, for a stored dataset)
    /// to `destination`.
    public func readRow(_ index: Int, into destination: UnsafeMutablePointer<Float>) {
        if let stored {
            stored.read(index, into: destination)
        } else {
            destination.update(from: row(index), count: featureCount)
        }
    }

    /// Writes the `targetWidth` regression targets of sample `index` to `destination`.
    public func readTargets(_ index: Int, into destination: UnsafeMutablePointer<Float>) {
        if let stored {
            stored.readTargets(index, into: destination)
        } else {
            destination.update(from: targetRow(index), count: targetWidth)
        }
    }

    /// The features of all samples as a `count × featureCount` matrix view (in memory only).
    public var matrix: Matrix { Matrix(base: features.baseAddress!, rows: count, columns: featureCount) }

    /// A new dataset holding copies of the samples at `indices`, in that order (duplicates allowed).
    public func subset(indices: [Int]) -> Dataset {
        if let stored {
            precondition(indices.allSatisfy { $0 >= 0 && $0 < count }, "subset index outside 0..<\(count)")
            return Dataset(stored: stored.subset(indices), sampleShape: sampleShape, classCount: classCount, source: source)
        }
        let result = Dataset(sampleShape: sampleShape, labels: indices.map { labels[$0] },
                             classCount: classCount, targetWidth: targetWidth, source: source)
        for (row, index) in indices.enumerated() {
            precondition(index >= 0 && index < count, "subset index \(index) outside 0..<\(count)")
            result.row(row).update(from: self.row(index), count: featureCount)
            if targetWidth > 0 { result.targetRow(row).update(from: targetRow(index), count: targetWidth) }
        }
        return result
    }

    /// Number of samples of each class (`classCount` entries).
    public func classHistogram() -> [Int] {
        var histogram = [Int](repeating: 0, count: classCount)
        for index in 0..<count {
            let label = self.label(index)
            if label >= 0 && Int(label) < classCount { histogram[Int(label)] += 1 }
        }
        return histogram
    }

    private static func allocate(_ count: Int) -> UnsafeMutableBufferPointer<Float> {
        let capacity = max(count, 1)
        let raw = UnsafeMutableRawPointer.allocate(byteCount: capacity * MemoryLayout<Float>.stride,
                                                   alignment: 64)
        let pointer = raw.bindMemory(to: Float.self, capacity: capacity)
        pointer.initialize(repeating: 0, count: capacity)
        return UnsafeMutableBufferPointer(start: pointer, count: count)
    }
}
