/// Exact evaluation over any number of ranks (DESIGN §3.9): rank r evaluates the contiguous
/// block [r·n/W, (r+1)·n/W) of the dataset in batches, and the loss sum, correct count and
/// sample count are all-reduced — every sample counts once, nothing is padded.
public final class Evaluator {
    /// The replica evaluated (in evaluation mode: no dropout, running statistics).
    public let model: Sequential
    /// The loss averaged over the samples.
    public let loss: Loss
    /// Sums the ranks' loss sums, correct counts and sample counts.
    public let communicator: Communicator
    /// Samples per forward pass (`train.eval_batch`).
    public let batchSize: Int
    private var labels: [Int32]
    /// Rows gathered from a stored dataset [batchSize × F] and their targets [batchSize × T].
    private let inputBuffer = FloatBuffer()
    private let targetBuffer = FloatBuffer()

    /// An evaluator of `model` in batches of `batchSize`.
    public init(model: Sequential, loss: Loss, communicator: Communicator, batchSize: Int) {
        self.model = model
        self.loss = loss
        self.communicator = communicator
        self.batchSize = batchSize
        labels = [Int32](repeating: 0, count: batchSize)
    }

    /// Mean loss, accuracy (fraction correct; 0 for regression) and sample count over `dataset`.
    public func evaluate(_ dataset: Dataset) throws -> (loss: Double, accuracy: Double, count: Int) {
        let n = dataset.count
        let rank = communicator.rank, world = communicator.worldSize
        let lower = rank * n / world, upper = (rank + 1) * n / world
        var totals = [0.0, 0.0, 0.0]
        var start = lower
        while start < upper {
            let rows = min(batchSize, upper - start)
            let input: Matrix
            if dataset.stored == nil {
                // The dataset's rows are contiguous in memory: evaluate them in place, without a copy.
                input = Matrix(base: dataset.features.baseAddress! + start * dataset.featureCount,
                               rows: rows, columns: dataset.featureCount)
            } else {
                // Stored rows are read (and normalised) from the map into the batch buffer.
                input = inputBuffer.matrix(rows: rows, columns: dataset.featureCount)
                for row in 0..<rows { dataset.readRow(start + row, into: input.row(row)) }
            }
            let output = model.forward(input, context: .evaluation)
            let result: LossResult
            if dataset.targetWidth > 0 {
                let targets = targetBuffer.matrix(rows: rows, columns: dataset.targetWidth)
                for row in 0..<rows { dataset.readTargets(start + row, into: targets.row(row)) }
                result = loss.evaluate(output: output, targets: .values(targets), gradient: nil, scale: 1)
            } else {
                for row in 0..<rows { labels[row] = dataset.label(start + row) }
                result = labels.withUnsafeBufferPointer {
                    loss.evaluate(output: output, targets: .classes($0.baseAddress!), gradient: nil, scale: 1)
                }
            }
            totals[0] += result.sum
            totals[1] += Double(result.correct)
            totals[2] += Double(rows)
            start += rows
        }
        try communicator.allReduceSum(&totals)
        return (totals[0] / max(totals[2], 1), totals[1] / max(totals[2], 1), Int(totals[2]))
    }
}
