import Foundation

/// Binary cross-entropy on logits y (sigmoid fused in), PyTorch `BCEWithLogitsLoss` per
/// sample: the mean over the c columns of the stable form
///
///     ℓ_ij = max(y, 0) − y·t + log(1 + e^(−|y|))        ∂ℓ_ij/∂y = σ(y) − t
///     ℓ_i  = (1/c)·Σ_j ℓ_ij
///
/// Targets: `.values` in [0, 1] (multi-label); `.classes` with c = 1 use the label (0 or 1)
/// as t (correct = (y > 0) == (label == 1)); with c > 1 one-hot vectors (correct = arg-max
/// equals label).
public struct BinaryCrossEntropyWithLogits: Loss {
    /// Config name (`loss: ...` in YAML).
    public var name: String { "binary_cross_entropy_with_logits" }
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
            let g = gradient?.row(row)
            for j in 0..<c {
                let v = y[j], target = t[j]
                let e = Foundation.exp(-abs(v))  // e^(−|y|) ∈ (0, 1]
                rowSum += max(v, 0) - v * target + Foundation.log1p(e)
                if let g {
                    let sigmoid = v >= 0 ? 1 / (1 + e) : e / (1 + e)
                    g[j] = step * (sigmoid - target)
                }
            }
            sum += Double(rowSum) * inverseColumns
            if t.values == nil {
                if c == 1 { if (y[0] > 0) == (t.label == 1) { correct += 1 } }
                else if argmax(y, c) == t.label { correct += 1 }
            }
        }
        return LossResult(sum: sum, correct: correct)
    }
}
