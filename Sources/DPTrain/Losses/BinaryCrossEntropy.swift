import Foundation

/// Binary cross-entropy on probabilities p (for example after a sigmoid), PyTorch `BCELoss`
/// per sample: the mean over the c columns of
///
///     ℓ_ij = −(t·max(log p, −100) + (1 − t)·max(log(1 − p), −100))
///     ∂ℓ_ij/∂p = (p − t) / max(p·(1 − p), 10⁻¹²)
///
/// The clamp of the logs at −100 and of the denominator at 10⁻¹² are PyTorch's, so p = 0 or 1
/// gives a finite loss. Prefer ``BinaryCrossEntropyWithLogits``: it is exact for large
/// logits. Targets and `correct` as there, with the decision p > ½.
public struct BinaryCrossEntropy: Loss {
    /// Config name (`loss: ...` in YAML).
    public var name: String { "binary_cross_entropy" }
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
            let p = output.base + row * c
            let t = TargetRow(targets, row: row, columns: c)
            var rowSum: Float = 0
            let g = gradient?.row(row)
            for j in 0..<c {
                let v = p[j], target = t[j]
                let logP = max(Foundation.log(v), -100)
                let logQ = max(Foundation.log(1 - v), -100)
                rowSum -= target * logP + (1 - target) * logQ
                if let g { g[j] = step * (v - target) / max(v * (1 - v), 1e-12) }
            }
            sum += Double(rowSum) * inverseColumns
            if t.values == nil {
                if c == 1 { if (p[0] > 0.5) == (t.label == 1) { correct += 1 } }
                else if argmax(p, c) == t.label { correct += 1 }
            }
        }
        return LossResult(sum: sum, correct: correct)
    }
}
