/// A loss that is the mean over the c output columns of one term per element:
///
///     ℓ_i = (1/c)·Σ_j ℓ(y_ij, t_ij)        ∂ℓ_i/∂y_ij = ℓ′(y_ij, t_ij)/c
///
/// A conforming loss supplies the element term, its derivative and how one output column
/// predicts a class; ``evaluate(output:targets:gradient:scale:)`` runs the rows. Each row's
/// terms are summed in Float in column order, then Σ_i ℓ_i in Double in row order.
///
/// Targets: `.values` (`n × c`); `.classes` are one-hot vectors when c > 1
/// (correct = arg-max equals label) and the label itself when c = 1 (correct =
/// ``predicts(label:from:)``).
public protocol ElementwiseLoss: Loss {
    /// ℓ(y, t): the loss of one output element y against its target t.
    func elementLoss(output y: Float, target t: Float) -> Float
    /// `step·ℓ′(y, t)`, the gradient written for one element, where `step` is
    /// ``gradientStep(scale:columns:)``.
    func elementGradient(output y: Float, target t: Float, step: Float) -> Float
    /// The factor of ℓ′ in the written gradient for a batch `scale` (1/B) and `columns` = c:
    /// `scale / c` unless a loss folds a constant of ℓ′ into it.
    static func gradientStep(scale: Float, columns: Int) -> Float
    /// With one output column and class targets: whether the output y predicts `label`.
    func predicts(label: Int, from y: Float) -> Bool
}

extension ElementwiseLoss {
    /// `scale / c`.
    public static func gradientStep(scale: Float, columns: Int) -> Float { scale / Float(columns) }

    /// Σ_i ℓ_i over the `n × c` output and the correct count; with `gradient` (`n × c`),
    /// overwrites it with `scale·∂ℓ_i/∂y_i`. Allocates nothing.
    public func evaluate(output: Matrix, targets: Targets, gradient: Matrix?, scale: Float) -> LossResult {
        targets.check(against: output)
        let c = output.columns
        let inverseColumns = 1 / Double(c)
        let step = Self.gradientStep(scale: scale, columns: c)
        return LossResult.summingRows(of: output, gradient: gradient) { row, y, g in
            let t = TargetRow(targets, row: row, columns: c)
            var rowSum: Float = 0
            for j in 0..<c {
                rowSum += elementLoss(output: y[j], target: t[j])
                if let g { g[j] = elementGradient(output: y[j], target: t[j], step: step) }
            }
            let correct = t.values == nil && (c == 1 ? predicts(label: t.label, from: y[0]) : argmax(y, c) == t.label)
            return (Double(rowSum) * inverseColumns, correct)
        }
    }
}
