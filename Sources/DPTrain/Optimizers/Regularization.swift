/// Penalty terms that every optimizer folds into the gradient it uses, shared so that all
/// optimizers agree on them.
///
/// For an element θ with gradient g of a slice whose ``ParameterSlice/decays`` is true, the
/// gradient an optimizer feeds into its update rule is
///
///     g' = g + λ·θ + l1·sign(θ)          (sign(0) = 0)
///
/// where λ is the *coupled* (L2) weight decay and `l1` the L1 penalty coefficient. For a slice
/// whose `decays` is false (biases and normalisation parameters by default) both are 0 and
/// g' = g. This differs from `torch.optim`, which decays every parameter of a group; in torch
/// the same effect needs two parameter groups, one with `weight_decay = 0`.
///
/// Decoupled decay (``Adam`` or ``SGD`` with ``WeightDecayMode/decoupled``) is not a gradient
/// term: it is θ ← θ − η·λ·θ applied before the update (Loshchilov & Hutter 2019); such
/// optimizers keep λ here too and pass 0 as the coupled coefficient to their kernel. The
/// store's gradient buffer is never modified by either term; g' exists only inside the update
/// loop (``updateEach(values:gradients:count:weightDecay:l1:_:)``).
///
/// Reference: Loshchilov & Hutter, "Decoupled Weight Decay Regularization", ICLR 2019,
/// https://arxiv.org/abs/1711.05101
public struct Regularization: Sendable, Equatable {
    /// Coefficient λ of the weight decay (0 = off): the coupled L2 term λ·θ of g', or the
    /// decoupled shrink, as the optimizer using it documents.
    public var weightDecay: Float
    /// Coefficient of the L1 term l1·sign(θ) added to the gradient (0 = off).
    public var l1: Float

    /// - Parameters:
    ///   - weightDecay: λ ≥ 0, default 0.
    ///   - l1: ≥ 0, default 0.
    public init(weightDecay: Float = 0, l1: Float = 0) {
        precondition(weightDecay >= 0, "Invalid weight_decay value: \(weightDecay)")
        precondition(l1 >= 0, "Invalid l1 value: \(l1)")
        self.weightDecay = weightDecay
        self.l1 = l1
    }

    /// The coefficients that apply to `slice`: these, or zeros when `slice.decays` is false.
    @inline(__always)
    public func applying(to slice: ParameterSlice) -> Regularization {
        slice.decays ? self : Regularization()
    }

    /// sign(x) ∈ {−1, 0, 1} without branches (NaN gives 0), so that loops vectorize.
    @inline(__always)
    public static func sign(_ x: Float) -> Float {
        (x > 0 ? 1 : 0) - (x < 0 ? 1 : 0)
    }

    /// g' = g + weightDecay·θ + l1·sign(θ), the gradient an update rule sees.
    @inline(__always)
    public static func effectiveGradient(_ gradient: Float, value: Float,
                                         weightDecay: Float, l1: Float) -> Float {
        gradient + weightDecay * value + l1 * sign(value)
    }

    /// The loop of every element-wise update kernel: for i in 0..<count,
    /// θᵢ ← newValue(i, θᵢ, g'ᵢ) with g'ᵢ = gᵢ + λ·θᵢ + l1·sign(θᵢ).
    ///
    /// Inlined with its closure, so each kernel compiles to one branch-free loop that
    /// vectorizes; a kernel's variants (AMSGrad, centering, Nesterov) pass different closures
    /// instead of repeating the loop.
    @inline(__always)
    public static func updateEach(values: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>,
                                  count: Int, weightDecay: Float, l1: Float,
                                  _ newValue: (_ index: Int, _ theta: Float, _ gradient: Float) -> Float) {
        for i in 0..<count {
            let theta = values[i]
            let g = effectiveGradient(gradients[i], value: theta, weightDecay: weightDecay, l1: l1)
            values[i] = newValue(i, theta, g)
        }
    }
}
