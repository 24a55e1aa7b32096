/// Layer-wise Adaptive Rate Scaling: SGD with momentum whose step for each weight slice is
/// scaled by a trust ratio ‖θ‖ / ‖g‖.
///
/// At each update with global learning rate η, for each slice (a "layer"):
///
///     adapted (slice.decays):   g' = g + λ·θ + l1·sign(θ)
///                               ρ  = τ·‖θ‖ / (‖g‖ + λ·‖θ‖ + ε)   if ‖θ‖ > 0 and ‖g‖ > 0, else 1
///     excluded (!slice.decays): g' = g,  ρ = 1
///     b ← μ·b + ρ·g'            (b starts at 0, so the first step gives b = ρ·g')
///     θ ← θ − η·b
///
/// with τ the trust coefficient and norms over the whole slice (‖g‖ is the raw gradient's
/// norm, as in the paper's local LR λ_l = τ‖w‖/(‖∇L(w)‖ + β‖w‖)). Biases and normalisation
/// parameters (slices with `decays == false`) get neither weight decay nor the trust ratio:
/// that is the common practice of large-batch implementations (You et al.'s follow-ups,
/// SimCLR's and Barlow Twins' LARS: "exclude from layer adaptation" defaults to "exclude
/// from weight decay"), and plain momentum SGD is applied to them.
///
/// Momentum uses PyTorch's convention (η outside the buffer), not the paper's v ← μv + ηλ(…);
/// the two agree while η is constant. `torch.optim` has no LARS.
///
/// Reference: You, Gitman & Ginsburg, "Large Batch Training of Convolutional Networks", 2017,
/// https://arxiv.org/abs/1708.03888
public final class LARS: Optimizer {
    /// Config name, `"lars"`.
    public let name = "lars"
    /// τ, the trust coefficient, default 0.001 (the paper's η).
    public let trustCoefficient: Float
    /// μ, default 0.9.
    public let momentum: Float
    /// λ (the paper's β), coupled, default 0.
    public let weightDecay: Float
    /// ε added to the trust-ratio denominator, default 0.
    public let epsilon: Float
    /// L1 coefficient, default 0.
    public let l1: Float
    /// Updates applied so far (t in the rule; the first update has t = 1). Restored from
    /// checkpoints together with ``stateBuffers``.
    public var stepCount = 0
    /// b (P floats).
    public let momentumBuffer: UnsafeMutableBufferPointer<Float>
    /// Number of parameters P this optimizer was built for.
    public let parameterCount: Int

    /// - Parameters:
    ///   - parameterCount: P, the ``ParameterStore/count`` of the stores it will update.
    ///   - trustCoefficient: τ, default 0.001.
    ///   - momentum: μ, default 0.9.
    ///   - weightDecay: λ, default 0.
    ///   - epsilon: default 0.
    ///   - l1: default 0.
    public init(parameterCount: Int, trustCoefficient: Float = 0.001, momentum: Float = 0.9,
                weightDecay: Float = 0, epsilon: Float = 0, l1: Float = 0) {
        precondition(trustCoefficient > 0, "Invalid trust_coefficient value: \(trustCoefficient)")
        precondition(momentum >= 0, "Invalid momentum value: \(momentum)")
        precondition(weightDecay >= 0, "Invalid weight_decay value: \(weightDecay)")
        precondition(epsilon >= 0, "Invalid epsilon value: \(epsilon)")
        precondition(l1 >= 0, "Invalid l1 value: \(l1)")
        self.parameterCount = parameterCount
        self.trustCoefficient = trustCoefficient
        self.momentum = momentum
        self.weightDecay = weightDecay
        self.epsilon = epsilon
        self.l1 = l1
        self.momentumBuffer = ParameterStore.allocate(parameterCount)
    }

    deinit { momentumBuffer.baseAddress?.deallocate() }

    /// `momentum_buffer`.
    ///
    /// The buffers are owned by the optimizer and valid only while it is alive.
    public var stateBuffers: [(name: String, buffer: UnsafeMutableBufferPointer<Float>)] {
        [("momentum_buffer", momentumBuffer)]
    }

    /// One update at learning rate η (see the type's doc for the rule).
    public func step(store: ParameterStore, learningRate: Float) {
        precondition(store.count == parameterCount,
                     "LARS was built for \(parameterCount) parameters, the store has \(store.count)")
        stepCount += 1
        for slice in store.slices where slice.count > 0 {
            let values = store.values(of: slice)
            let gradients = store.gradients(of: slice)
            var ratio: Float = 1
            if slice.decays {
                ratio = LARS.trustRatio(values: values, gradients: gradients, count: slice.count,
                                        trustCoefficient: trustCoefficient,
                                        weightDecay: weightDecay, epsilon: epsilon)
            }
            LARS.update(values: values, gradients: gradients,
                        momentumBuffer: momentumBuffer.baseAddress! + slice.offset,
                        count: slice.count, learningRate: learningRate, trustRatio: ratio,
                        momentum: momentum, weightDecay: slice.decays ? weightDecay : 0,
                        l1: slice.decays ? l1 : 0)
        }
    }

    /// ρ = τ·‖θ‖ / (‖g‖ + λ·‖θ‖ + ε) over one slice, or 1 when ‖θ‖ or ‖g‖ is 0. Norms are
    /// accumulated in Double.
    public static func trustRatio(values: UnsafePointer<Float>, gradients: UnsafePointer<Float>,
                                  count: Int, trustCoefficient: Float, weightDecay: Float,
                                  epsilon: Float) -> Float {
        let valueNorm = VectorMath.sumOfSquares(values, count: count).squareRoot()
        let gradientNorm = VectorMath.sumOfSquares(gradients, count: count).squareRoot()
        guard valueNorm > 0, gradientNorm > 0 else { return 1 }
        return Float(Double(trustCoefficient) * valueNorm
                     / (gradientNorm + Double(weightDecay) * valueNorm + Double(epsilon)))
    }

    /// b ← μ·b + ρ·(g + λ·θ + l1·sign(θ)); θ ← θ − η·b over `count` contiguous elements,
    /// one pass, allocation-free.
    public static func update(values: UnsafeMutablePointer<Float>,
                              gradients: UnsafePointer<Float>,
                              momentumBuffer: UnsafeMutablePointer<Float>,
                              count: Int, learningRate: Float, trustRatio: Float,
                              momentum: Float, weightDecay: Float, l1: Float) {
        for i in 0..<count {
            let theta = values[i]
            let g = Regularization.effectiveGradient(gradients[i], value: theta,
                                                     weightDecay: weightDecay, l1: l1)
            let b = momentum * momentumBuffer[i] + trustRatio * g
            momentumBuffer[i] = b
            values[i] = theta - learningRate * b
        }
    }
}
