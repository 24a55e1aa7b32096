/// The samples of one split of a mapped ``SampleStore``, as a ``Dataset`` reads them.
///
/// Row `i` is store sample `p(i)` = `indices[i]` (or `i` when ``indices`` is nil), read
/// straight from the map and normalised on the way out, in `Float`:
///
///     x′ⱼ = (Float(xⱼ) − shiftⱼ) · factorⱼ      (one shift/factor for all j, or one per feature)
///     x′ⱼ = Float(xⱼ)                             (no normalisation: empty shift)
///
/// — the same operations ``Normalizer/apply(to:)`` performs in place on a dataset in memory,
/// so both give the same bits. Nothing is copied: a validation split or a subset only
/// composes ``indices``.
public struct StoredSamples: @unchecked Sendable {
    /// The store (keeps the map alive).
    public let store: SampleStore
    /// Number of rows.
    public let count: Int
    /// Elements per sample.
    public let featureCount: Int
    /// Regression targets per sample (0 for classification).
    public let targetWidth: Int
    /// How the map holds values.
    public let elementType: StoreElementType
    /// Store sample of each row, or nil for rows 0..<count in store order.
    public let indices: [Int]?
    /// Subtracted before scaling: one value, one per feature, or none (no normalisation).
    public let shift: [Float]
    /// Multiplied after the shift (1 / scale), same length as ``shift``.
    public let factor: [Float]
    private let samples: UnsafeRawPointer
    private let labels: UnsafePointer<Int32>
    private let targets: UnsafePointer<Float>?

    /// All samples of `split`, raw.
    init(store: SampleStore, split: StoreSplit) {
        self.store = store
        count = split.count
        featureCount = store.header.featureCount
        targetWidth = store.header.targetWidth
        elementType = store.header.elementType
        indices = nil
        shift = []
        factor = []
        samples = store.base + split.samplesOffset
        labels = (store.base + split.labelsOffset).assumingMemoryBound(to: Int32.self)
        targets = split.targetsOffset.map { (store.base + $0).assumingMemoryBound(to: Float.self) }
    }

    private init(_ other: StoredSamples, indices: [Int]?, shift: [Float], factor: [Float]) {
        store = other.store
        count = indices?.count ?? other.count
        featureCount = other.featureCount
        targetWidth = other.targetWidth
        elementType = other.elementType
        self.indices = indices
        self.shift = shift
        self.factor = factor
        samples = other.samples
        labels = other.labels
        targets = other.targets
    }

    /// The rows `rows` of these samples (composed with ``indices``; no data is copied).
    public func subset(_ rows: [Int]) -> StoredSamples {
        StoredSamples(self, indices: indices.map { map in rows.map { map[$0] } } ?? rows, shift: shift, factor: factor)
    }

    /// These rows, normalised with `shift` and `factor` on read (see the type).
    public func normalized(shift: [Float], factor: [Float]) -> StoredSamples {
        precondition(shift.count == factor.count && (shift.count <= 1 || shift.count == featureCount),
                     "normalisation of \(shift.count) features for samples of \(featureCount)")
        return StoredSamples(self, indices: indices, shift: shift, factor: factor)
    }

    /// The store sample of row `row`.
    @inline(__always) func physical(_ row: Int) -> Int { indices?[row] ?? row }

    /// The class label of row `row`.
    public func label(_ row: Int) -> Int32 { labels[physical(row)] }

    /// Writes the `targetWidth` regression targets of row `row` to `destination`.
    public func readTargets(_ row: Int, into destination: UnsafeMutablePointer<Float>) {
        destination.update(from: targets! + physical(row) * targetWidth, count: targetWidth)
    }

    /// Writes the `featureCount` normalised values of row `row` to `destination`.
    public func read(_ row: Int, into destination: UnsafeMutablePointer<Float>) {
        let d = featureCount
        let index = physical(row)
        switch elementType {
        case .uint8:
            let source = (samples + index * d).assumingMemoryBound(to: UInt8.self)
            convert(d, destination) { Float(source[$0]) }
        case .float32:
            let source = (samples + index * d * 4).assumingMemoryBound(to: Float.self)
            convert(d, destination) { source[$0] }
        }
    }

    /// destination[j] = normalise(value(j)) for j in 0..<d (see the type).
    @inline(__always)
    private func convert(_ d: Int, _ destination: UnsafeMutablePointer<Float>, _ value: (Int) -> Float) {
        if shift.isEmpty {
            for j in 0..<d { destination[j] = value(j) }
        } else if shift.count == 1 {
            let s = shift[0], f = factor[0]
            for j in 0..<d { destination[j] = (value(j) - s) * f }
        } else {
            shift.withUnsafeBufferPointer { s in
                factor.withUnsafeBufferPointer { f in
                    for j in 0..<d { destination[j] = (value(j) - s[j]) * f[j] }
                }
            }
        }
    }
}
