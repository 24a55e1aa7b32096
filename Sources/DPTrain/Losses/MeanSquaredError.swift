/// Mean squared error, PyTorch `MSELoss` per sample: the mean over the c output columns,
///
///     ℓ_i = (1/c)·Σ_j (y_ij − t_ij)²        ∂ℓ_i/∂y_ij = 2·(y_ij − t_ij)/c
///
/// so that Σ_i ℓ_i / B is `MSELoss(reduction='mean')` of the batch. Targets: `.values`
/// (`n × c`); `.classes` are one-hot vectors when c > 1 (correct = arg-max equals label) and
/// the label itself when c = 1 (correct = |y − label| < ½).
public struct MeanSquaredError: Loss {
    /// Config name (`loss: ...` in YAML).
    public var name: String { "mean_squared_error" }
    /// Creates the loss; it has no hyperparameters and no state.
    public init() {}

    /// Σ_i ℓ_i over the `n × c` output and the correct count; with `gradient` (`n × c`),
    /// overwrites it with `scale·∂ℓ_i/∂y_i`. Allocates nothing.
    public func evaluate(output: Matrix, targets: Targets, gradient: Matrix?, scale: Float) -> LossResult {
        targets.check(against: output)
        let c = output.columns
        let inverseColumns = 1 / Double(c)
        let gradientFactor = 2 * scale / Float(c)
        var sum = 0.0
        var correct = 0
        for row in 0..<output.rows {
            let y = output.base + row * c
            let t = TargetRow(targets, row: row, columns: c)
            var rowSum: Float = 0
            if let g = gradient?.row(row) {
                for j in 0..<c { let d = y[j] - t[j]; rowSum += d * d; g[j] = gradientFactor * d }
            } else {
                for j in 0..<c { let d = y[j] - t[j]; rowSum += d * d }
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
