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
public struct BinaryCrossEntropyWithLogits: ElementwiseLoss {
    /// Config name (`loss: ...` in YAML).
    public var name: String { "binary_cross_entropy_with_logits" }
    /// Creates the loss; it has no hyperparameters and no state.
    public init() {}

    /// max(y, 0) − y·t + log(1 + e^(−|y|)).
    @inline(__always)
    public func elementLoss(output y: Float, target t: Float) -> Float {
        max(y, 0) - y * t + Foundation.log1p(Foundation.exp(-abs(y)))
    }

    /// step·(σ(y) − t), with σ(y) from e^(−|y|) ∈ (0, 1] so that it never overflows.
    @inline(__always)
    public func elementGradient(output y: Float, target t: Float, step: Float) -> Float {
        let e = Foundation.exp(-abs(y))
        let sigmoid = y >= 0 ? 1 / (1 + e) : e / (1 + e)
        return step * (sigmoid - t)
    }

    /// y > 0 (σ(y) > ½) predicts class 1.
    public func predicts(label: Int, from y: Float) -> Bool { (y > 0) == (label == 1) }
}
