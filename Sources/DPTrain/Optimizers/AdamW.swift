/// Adam with decoupled weight decay, optional AMSGrad and an L1 penalty —
/// `torch.optim.AdamW` semantics.
///
/// At update t (t = 1 first) with learning rate η, for every element:
///
///     θ  ← θ·(1 − η·λ)                       (λ only on slices with `decays`)
///     g' = g + l1·sign(θ)
///     m  ← β₁·m + (1 − β₁)·g';  v ← β₂·v + (1 − β₂)·g'²
///     amsgrad: v̂ ← max(v̂, v), else v̂ = v
///     θ  ← θ − (η / (1 − β₁ᵗ)) · m / (√v̂ / √(1 − β₂ᵗ) + ε)
///
/// The decay is scaled by η (the scheduled rate), as in torch and mlx, not by η/η₀ as in the
/// paper's schedule multiplier. Defaults equal torch (betas (0.9, 0.999), eps 1e-8,
/// weight_decay 1e-2, amsgrad false). torch decays every parameter; here only slices with
/// `decays == true`.
///
/// Reference: Loshchilov & Hutter, "Decoupled Weight Decay Regularization", ICLR 2019,
/// https://arxiv.org/abs/1711.05101
public final class AdamW: Optimizer {
    /// Config name, `"adamw"`.
    public let name = "adamw"
    /// β₁, default 0.9.
    public let beta1: Float
    /// β₂, default 0.999.
    public let beta2: Float
    /// ε added outside the root, default 1e-8.
    public let epsilon: Float
    /// Decoupled decay coefficient λ, default 1e-2 (torch's AdamW default).
    public let weightDecay: Float
    /// Use the running maximum v̂ of v (AMSGrad). Default false.
    public let amsgrad: Bool
    /// L1 coefficient, default 0.
    public let l1: Float
    /// Updates applied so far (t in the rule; the first update has t = 1). Restored from
    /// checkpoints together with ``stateBuffers``.
    public var stepCount = 0
    /// m, v and (AMSGrad) v̂, P floats each.
    public let moments: AdamMoments
    /// Number of parameters P this optimizer was built for.
    public let parameterCount: Int

    /// - Parameters:
    ///   - parameterCount: P, the ``ParameterStore/count`` of the stores it will update.
    ///   - beta1: default 0.9.
    ///   - beta2: default 0.999.
    ///   - epsilon: default 1e-8.
    ///   - weightDecay: decoupled λ, default 1e-2.
    ///   - amsgrad: default false.
    ///   - l1: default 0.
    public init(parameterCount: Int, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 1e-2, amsgrad: Bool = false,
                l1: Float = 0) {
        Adam.validate(beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay, l1: l1)
        self.parameterCount = parameterCount
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.amsgrad = amsgrad
        self.l1 = l1
        self.moments = AdamMoments(parameterCount: parameterCount, amsgrad: amsgrad)
    }

    /// `exp_avg`, `exp_avg_sq` and, with amsgrad, `max_exp_avg_sq` (torch's names).
    ///
    /// The buffers are owned by the optimizer and valid only while it is alive.
    public var stateBuffers: [(name: String, buffer: UnsafeMutableBufferPointer<Float>)] { moments.named }

    /// One update at learning rate η (see the type's doc for the rule); the kernel is
    /// ``Adam/update(values:gradients:firstMoment:secondMoment:maxSecondMoment:count:stepSize:secondMomentCorrectionRoot:beta1:beta2:epsilon:weightDecay:decoupledShrink:l1:)``.
    public func step(store: ParameterStore, learningRate: Float) {
        precondition(store.count == parameterCount,
                     "AdamW was built for \(parameterCount) parameters, the store has \(store.count)")
        stepCount += 1
        Adam.step(store: store, learningRate: learningRate, stepCount: stepCount,
                  beta1: beta1, beta2: beta2, epsilon: epsilon,
                  coupledWeightDecay: 0, decoupledWeightDecay: weightDecay, l1: l1,
                  firstMoment: moments.first, secondMoment: moments.second,
                  maxSecondMoment: moments.maximum)
    }
}
