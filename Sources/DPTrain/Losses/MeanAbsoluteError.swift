/// Mean absolute error (L1), PyTorch `L1Loss` per sample: the mean over the c columns,
///
///     ℓ_i = (1/c)·Σ_j |y_ij − t_ij|        ∂ℓ_i/∂y_ij = sign(y_ij − t_ij)/c
///
/// with the subgradient 0 where y = t (as PyTorch). Targets as for ``MeanSquaredError``.
public struct MeanAbsoluteError: Loss {
    /// Config name (`loss: ...` in YAML).
    public var name: String { "mean_absolute_error" }
    /// Creates the loss; it has no hyperparameters and no state.
    public init() {}

    /// Σ_i ℓ_i over the `n × c` output and the correct count; with `gradient` (`n × c`),
    /// overwrites it with `scale·∂ℓ_i/∂y_i`. Allocates nothing.
    public func evaluate(output: Matrix, targets: Targets, gradient: Matrix?, scale: Float) -> LossResult {
        targets.check(against: output)
        let c = output.columns
        let inverseColumns = 1 / Double(c)
        let step = scale / Float(c)
        var sum = 0.0
        var correct = 0
        for row in 0..<output.rows {
            let y = output.base + row * c
            let t = TargetRow(targets, row: row, columns: c)
            var rowSum: Float = 0
            if let g = gradient?.row(row) {
                for j in 0..<c {
                    let d = y[j] - t[j]
                    rowSum += abs(d)
                    g[j] = d > 0 ? step : (d < 0 ? -step : 0)
                }
            } else {
                for j in 0..<c { rowSum += abs(y[j] - t[j]) }
            }
            sum += Double(rowSum) * inverseColumns
            if t.values == nil {
                if c == 1 { if abs(y[0] - Float(t.label)) < 0.5 { correct += 1 } }
                else if argmax(y, c) == t.label { correct += 1 }
            }
        }
        return LossResult(sum: sum, correct: correct)
    }
}
