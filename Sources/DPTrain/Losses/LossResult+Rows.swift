// MARK: - The row loop every loss shares (internal)

extension LossResult {
    /// Runs `rowLoss` over the rows of an `n × c` output, in order, and returns Σ_i ℓ_i and the
    /// number of correct rows: the reduction every loss shares.
    ///
    /// `rowLoss(i, y_i, g_i)` gets row i of the output (`c` floats) and, when `gradient` is
    /// given, row i of it to overwrite; it returns ℓ_i (already in Double, added to the sum in
    /// row order) and whether the row's prediction is correct.
    @inline(__always)
    static func summingRows(of output: Matrix, gradient: Matrix?,
                            _ rowLoss: (_ row: Int, _ output: UnsafeMutablePointer<Float>,
                                        _ gradient: UnsafeMutablePointer<Float>?) -> (loss: Double, correct: Bool))
        -> LossResult {
        var sum = 0.0
        var correct = 0
        for row in 0..<output.rows {
            let result = rowLoss(row, output.row(row), gradient?.row(row))
            sum += result.loss
            if result.correct { correct += 1 }
        }
        return LossResult(sum: sum, correct: correct)
    }
}
