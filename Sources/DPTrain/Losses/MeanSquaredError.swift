/// Mean squared error, PyTorch `MSELoss` per sample: the mean over the c output columns,
///
///     ℓ_i = (1/c)·Σ_j (y_ij − t_ij)²        ∂ℓ_i/∂y_ij = 2·(y_ij − t_ij)/c
///
/// so that Σ_i ℓ_i / B is `MSELoss(reduction='mean')` of the batch. Targets: `.values`
/// (`n × c`); `.classes` are one-hot vectors when c > 1 (correct = arg-max equals label) and
/// the label itself when c = 1 (correct = |y − label| < ½).
public struct MeanSquaredError: ElementwiseLoss {
    /// Config name (`loss: ...` in YAML).
    public var name: String { "mean_squared_error" }
    /// Creates the loss; it has no hyperparameters and no state.
    public init() {}

    /// (y − t)².
    @inline(__always)
    public func elementLoss(output y: Float, target t: Float) -> Float { let d = y - t; return d * d }

    /// step·(y − t), with the 2 of ℓ′ = 2·(y − t) folded into the step.
    @inline(__always)
    public func elementGradient(output y: Float, target t: Float, step: Float) -> Float { step * (y - t) }

    /// 2·scale / c.
    public static func gradientStep(scale: Float, columns: Int) -> Float { 2 * scale / Float(columns) }

    /// The output rounds to the label: |y − label| < ½.
    public func predicts(label: Int, from y: Float) -> Bool { abs(y - Float(label)) < 0.5 }
}
