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
public struct BinaryCrossEntropy: ElementwiseLoss {
    /// Config name (`loss: ...` in YAML).
    public var name: String { "binary_cross_entropy" }
    /// Creates the loss; it has no hyperparameters and no state.
    public init() {}

    /// −(t·max(log p, −100) + (1 − t)·max(log(1 − p), −100)).
    @inline(__always)
    public func elementLoss(output p: Float, target t: Float) -> Float {
        let logP = max(Foundation.log(p), -100)
        let logQ = max(Foundation.log(1 - p), -100)
        return -(t * logP + (1 - t) * logQ)
    }

    /// step·(p − t) / max(p·(1 − p), 10⁻¹²).
    @inline(__always)
    public func elementGradient(output p: Float, target t: Float, step: Float) -> Float {
        step * (p - t) / max(p * (1 - p), 1e-12)
    }

    /// p > ½ predicts class 1.
    public func predicts(label: Int, from p: Float) -> Bool { (p > 0.5) == (label == 1) }
}
