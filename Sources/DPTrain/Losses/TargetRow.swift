// MARK: - Shared target handling for the elementwise losses (internal)

/// The target row of one sample as seen by the elementwise losses (MSE, MAE, BCE).
///
/// `.values`: the target matrix's row. `.classes` with c > 1 columns: the one-hot vector of
/// the label. `.classes` with c = 1 column: the label itself as the single target value
/// (0/1 for binary classification).
struct TargetRow {
    let values: UnsafePointer<Float>?
    let label: Int
    let columns: Int

    @inline(__always)
    init(_ targets: Targets, row: Int, columns: Int) {
        self.columns = columns
        switch targets {
        case .values(let matrix):
            values = UnsafePointer(matrix.base + row * columns)
            label = -1
        case .classes(let labels):
            values = nil
            label = Int(labels[row])
            precondition(columns == 1 || (label >= 0 && label < columns),
                         "class label \(label) of row \(row) is outside 0..<\(columns)")
        }
    }

    /// t_j.
    @inline(__always)
    subscript(j: Int) -> Float {
        if let values { return values[j] }
        if columns == 1 { return Float(label) }
        return j == label ? 1 : 0
    }
}

extension Targets {
    /// Checks that value targets have the output's shape.
    func check(against output: Matrix) {
        if case .values(let matrix) = self {
            precondition(matrix.rows == output.rows && matrix.columns == output.columns,
                         "targets are \(matrix.rows)×\(matrix.columns), output is \(output.rows)×\(output.columns)")
        }
    }
}

/// Index of the largest of `count` floats (the first one on ties).
@inline(__always) func argmax(_ row: UnsafePointer<Float>, _ count: Int) -> Int {
    var best = 0
    var bestValue = row[0]
    for j in 1..<max(count, 1) where row[j] > bestValue { best = j; bestValue = row[j] }
    return best
}
