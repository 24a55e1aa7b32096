/// Gathers this rank's micro-batches of a step into buffers sized once (no allocation per
/// micro-step): the samples' features (normalised, then augmented), their targets, and one
/// random key per sample for dropout and augmentation (DESIGN §3.3).
///
/// Shapes: input [rows × F] (F = features per sample), class labels [rows] or target values
/// [rows × T]; rows ≤ `capacity` (the micro-batch m).
final class MicroBatchLoader {
    let dataset: Dataset
    let augmentation: Augmentation?
    let seed: UInt64
    let capacity: Int
    private let inputBuffer = FloatBuffer()
    private let targetBuffer = FloatBuffer()
    /// Class labels of the rows [capacity].
    private let labels: UnsafeMutablePointer<Int32>
    /// Per-sample keys (seed, epoch, global sample index) of the rows [capacity].
    private let keys: UnsafeMutablePointer<UInt64>
    /// Dataset indices of the rows [capacity].
    private let sampleIndices: UnsafeMutablePointer<Int>

    init(dataset: Dataset, augmentation: Augmentation?, seed: UInt64, capacity: Int) {
        self.dataset = dataset
        self.augmentation = augmentation
        self.seed = seed
        self.capacity = capacity
        labels = .allocate(capacity: capacity)
        keys = .allocate(capacity: capacity)
        sampleIndices = .allocate(capacity: capacity)
    }

    deinit {
        labels.deallocate()
        keys.deallocate()
        sampleIndices.deallocate()
    }

    /// One micro-batch: the inputs, targets and training context of the positions `range` of
    /// `batch`. Valid until the next call.
    func load(_ range: Range<Int>, of batch: StepBatch) -> (input: Matrix, targets: Targets, context: PassContext) {
        let rows = range.count
        precondition(rows <= capacity, "micro-batch of \(rows) rows exceeds the \(capacity) the trainer sized for")
        let input = inputBuffer.matrix(rows: rows, columns: dataset.featureCount)
        let indices = UnsafeMutableBufferPointer(start: sampleIndices, count: rows)
        for row in 0..<rows {
            let index = batch.sampleIndex(at: range.lowerBound + row)
            indices[row] = index
            keys[row] = SampleKeys.key(seed: seed, epoch: batch.epoch, sampleIndex: index)
        }
        BatchGather.gather(dataset: dataset, indices: indices, into: input, labels: labels)
        augmentation?.apply(to: input, sampleShape: dataset.sampleShape, keys: UnsafePointer(keys))
        let targets: Targets
        if dataset.targetWidth > 0 {
            let values = targetBuffer.matrix(rows: rows, columns: dataset.targetWidth)
            for row in 0..<rows {
                dataset.readTargets(indices[row], into: values.row(row))
            }
            targets = .values(values)
        } else {
            targets = .classes(UnsafePointer(labels))
        }
        return (input, targets, PassContext(training: true, sampleKeys: UnsafePointer(keys)))
    }
}
