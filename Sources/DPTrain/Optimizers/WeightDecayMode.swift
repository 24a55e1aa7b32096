/// How an optimizer applies its weight decay λ (on slices with ``ParameterSlice/decays`` only).
///
///     coupled:    g' = g + λ·θ              (L2 regularisation: λ·θ goes through the
///                                             optimizer's scaling, e.g. Adam's 1/√v̂)
///     decoupled:  θ ← θ·(1 − η·λ)  before the update, g' = g
///
/// The two agree for plain SGD at a constant η and differ for adaptive methods.
///
/// Reference: Loshchilov & Hutter, "Decoupled Weight Decay Regularization", ICLR 2019,
/// https://arxiv.org/abs/1711.05101
public enum WeightDecayMode: Sendable, Equatable {
    /// λ·θ added to the gradient (torch's `Adam`, `SGD`).
    case coupled
    /// θ shrunk by η·λ·θ before the update (torch's `AdamW`; SGDW).
    case decoupled
}
