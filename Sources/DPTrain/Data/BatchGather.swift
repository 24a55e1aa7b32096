/// Copies the samples of a micro-batch out of a ``Dataset`` into a contiguous input matrix.
///
/// Rows in memory are copied with one `memcpy` each (the dataset is row-major); rows of a
/// mapped store are read from the map and normalised on the way into the matrix
/// (``StoredSamples``). Labels go into a caller-owned buffer, and nothing is allocated per
/// call, so the training loop can gather every micro-step into the same buffers.
public enum BatchGather {
    /// Copies sample `indices[r]` of `dataset` into row r of `matrix` and its label into `labels[r]`.
    ///
    /// - Parameters:
    ///   - dataset: the source samples.
    ///   - indices: global sample indices, one per row (any collection of `Int`; an array or a
    ///     slice of the epoch permutation).
    ///   - matrix: destination, `indices.count × dataset.featureCount`.
    ///   - labels: destination for `indices.count` labels.
    public static func gather<Indices: Collection<Int>>(dataset: Dataset, indices: Indices, into matrix: Matrix,
                                                        labels: UnsafeMutablePointer<Int32>) {
        precondition(matrix.rows == indices.count, "matrix has \(matrix.rows) rows for \(indices.count) samples")
        precondition(matrix.columns == dataset.featureCount,
                     "matrix has \(matrix.columns) columns, samples have \(dataset.featureCount) features")
        let width = dataset.featureCount
        var row = 0
        for index in indices {
            precondition(index >= 0 && index < dataset.count, "sample index \(index) outside 0..<\(dataset.count)")
            dataset.readRow(index, into: matrix.base + row * width)
            labels[row] = dataset.label(index)
            row += 1
        }
    }

    /// Gathers like ``gather(dataset:indices:into:labels:)`` and then augments the rows in
    /// place with `augmentation`, row r using `sampleKeys[r]` (from ``SampleKeys``, derived from
    /// seed, epoch and the global index `indices[r]`).
    ///
    /// - Parameters:
    ///   - augmentation: nil or disabled: no augmentation (evaluation).
    ///   - sampleKeys: `indices.count` keys; required when augmentation is enabled.
    public static func gather<Indices: Collection<Int>>(dataset: Dataset, indices: Indices, into matrix: Matrix,
                                                        labels: UnsafeMutablePointer<Int32>,
                                                        augmentation: Augmentation?,
                                                        sampleKeys: UnsafePointer<UInt64>?) {
        gather(dataset: dataset, indices: indices, into: matrix, labels: labels)
        guard let augmentation, augmentation.isEnabled else { return }
        guard let sampleKeys else { preconditionFailure("augmentation needs one sample key per row") }
        augmentation.apply(to: matrix, sampleShape: dataset.sampleShape, keys: sampleKeys)
    }
}
