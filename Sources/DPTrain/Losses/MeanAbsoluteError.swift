/// Mean absolute error (L1), PyTorch `L1Loss` per sample: the mean over the c columns,
///
///     ℓ_i = (1/c)·Σ_j |y_ij − t_ij|        ∂ℓ_i/∂y_ij = sign(y_ij − t_ij)/c
///
/// with the subgradient 0 where y = t (as PyTorch). Targets as for ``MeanSquaredError``.
public struct MeanAbsoluteError: ElementwiseLoss {
    /// Config name (`loss: ...` in YAML).
    public var name: String { "mean_absolute_error" }
    /// Creates the loss; it has no hyperparameters and no state.
    public init() {}

    /// |y − t|.
    @inline(__always)
    public func elementLoss(output y: Float, target t: Float) -> Float { abs(y - t) }

    /// step·sign(y − t), 0 where y = t.
    @inline(__always)
    public func elementGradient(output y: Float, target t: Float, step: Float) -> Float {
        let d = y - t
        return d > 0 ? step : (d < 0 ? -step : 0)
    }

    /// The output rounds to the label: |y − label| < ½.
    public func predicts(label: Int, from y: Float) -> Bool { abs(y - Float(label)) < 0.5 }
}
