import Foundation

/// Cross-entropy of the softmax of logits y, fused and stable (PyTorch `CrossEntropyLoss`
/// per sample):
///
///     lse_i = m + log Σ_j e^(y_ij − m),  m = max_j y_ij
///     ℓ_i   = lse_i − y_i,label                      (`.classes`)
///     ℓ_i   = Σ_j t_ij·(lse_i − y_ij)                 (`.values`: soft labels, rows of t
///                                                      usually summing to 1)
///     ∂ℓ_i/∂y_ij = softmax_ij·Σ_k t_ik − t_ij         (= softmax − one-hot for labels)
///
/// The gradient written is `scale·∂ℓ_i/∂y_i`. `correct` counts rows whose arg-max logit (the
/// first on ties) equals the label (0 for `.values`).
public struct SoftmaxCrossEntropy: Loss {
    /// Config name (`loss: ...` in YAML).
    public var name: String { "softmax_cross_entropy" }
    /// Creates the loss; it has no hyperparameters and no state.
    public init() {}

    /// Σ_i ℓ_i over the `n × c` output and the correct count; with `gradient` (`n × c`),
    /// overwrites it with `scale·∂ℓ_i/∂y_i`. Allocates nothing.
    public func evaluate(output: Matrix, targets: Targets, gradient: Matrix?, scale: Float) -> LossResult {
        let c = output.columns
        return LossResult.summingRows(of: output, gradient: gradient) { row, y, g in
            let best = argmax(y, c)
            let maximum = y[best]
            var expSum: Float = 0
            if let g {
                for j in 0..<c { let e = Foundation.exp(y[j] - maximum); g[j] = e; expSum += e }
            } else {
                for j in 0..<c { expSum += Foundation.exp(y[j] - maximum) }
            }
            let logSumExp = maximum + Foundation.log(expSum)
            switch targets {
            case .classes(let labels):
                let label = Int(labels[row])
                precondition(label >= 0 && label < c, "class label \(label) of row \(row) is outside 0..<\(c)")
                let loss = Double(logSumExp - y[label])
                if let g {
                    let factor = scale / expSum
                    for j in 0..<c { g[j] *= factor }
                    g[label] -= scale
                }
                return (loss, best == label)
            case .values(let matrix):
                let t = matrix.base + row * c
                var rowSum: Float = 0, mass: Float = 0
                for j in 0..<c { rowSum += t[j] * (logSumExp - y[j]); mass += t[j] }
                if let g {
                    let factor = scale * mass / expSum
                    for j in 0..<c { g[j] = g[j] * factor - scale * t[j] }
                }
                return (Double(rowSum), false)
            }
        }
    }
}
