import Foundation

/// Adam with bias correction, optional AMSGrad, coupled (L2) weight decay and an L1 penalty —
/// `torch.optim.Adam` semantics.
///
/// At update t (t = 1 first) with learning rate η, for every element:
///
///     g' = g + λ·θ + l1·sign(θ)             (λ, l1 only on slices with `decays`)
///     m  ← β₁·m + (1 − β₁)·g'
///     v  ← β₂·v + (1 − β₂)·g'²
///     amsgrad: v̂ ← max(v̂, v), else v̂ = v    (m, v, v̂ start at 0)
///     θ  ← θ − (η / (1 − β₁ᵗ)) · m / (√v̂ / √(1 − β₂ᵗ) + ε)
///
/// ε is added *outside* the square root and after the bias correction of v, as in torch's
/// code. The weight decay is coupled (an L2 term in g'); for decoupled decay use ``AdamW``.
///
/// Defaults equal torch (betas (0.9, 0.999), eps 1e-8, weight_decay 0, amsgrad false).
/// torch decays every parameter; here only slices with `decays == true`.
///
/// Reference: Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015,
/// https://arxiv.org/abs/1412.6980 ; AMSGrad: Reddi, Kale & Kumar, "On the Convergence of Adam
/// and Beyond", ICLR 2018, https://openreview.net/forum?id=ryQu7f-RZ
public final class Adam: Optimizer {
    /// Config name, `"adam"`.
    public let name = "adam"
    /// β₁, decay of the first moment, default 0.9.
    public let beta1: Float
    /// β₂, decay of the second moment, default 0.999.
    public let beta2: Float
    /// ε added outside the root, default 1e-8.
    public let epsilon: Float
    /// Coupled L2 coefficient λ, default 0.
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
    ///   - weightDecay: λ (coupled), default 0.
    ///   - amsgrad: default false.
    ///   - l1: default 0.
    public init(parameterCount: Int, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0, amsgrad: Bool = false,
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

    /// One update at learning rate η (see the type's doc for the rule).
    public func step(store: ParameterStore, learningRate: Float) {
        precondition(store.count == parameterCount,
                     "Adam was built for \(parameterCount) parameters, the store has \(store.count)")
        stepCount += 1
        Adam.step(store: store, learningRate: learningRate, stepCount: stepCount,
                  beta1: beta1, beta2: beta2, epsilon: epsilon,
                  coupledWeightDecay: weightDecay, decoupledWeightDecay: 0, l1: l1,
                  firstMoment: moments.first, secondMoment: moments.second,
                  maxSecondMoment: moments.maximum)
    }

    // MARK: - Shared with AdamW

    static func validate(beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float, l1: Float) {
        precondition(beta1 >= 0 && beta1 < 1, "Invalid beta parameter at index 0: \(beta1)")
        precondition(beta2 >= 0 && beta2 < 1, "Invalid beta parameter at index 1: \(beta2)")
        precondition(epsilon >= 0, "Invalid epsilon value: \(epsilon)")
        precondition(weightDecay >= 0, "Invalid weight_decay value: \(weightDecay)")
        precondition(l1 >= 0, "Invalid l1 value: \(l1)")
    }

    /// One update of every slice at update count t = `stepCount` (already incremented).
    static func step(store: ParameterStore, learningRate: Float, stepCount: Int,
                     beta1: Float, beta2: Float, epsilon: Float,
                     coupledWeightDecay: Float, decoupledWeightDecay: Float, l1: Float,
                     firstMoment: UnsafeMutableBufferPointer<Float>,
                     secondMoment: UnsafeMutableBufferPointer<Float>,
                     maxSecondMoment: UnsafeMutableBufferPointer<Float>?) {
        // Bias corrections in Double, as torch computes them in Python floats.
        let t = Double(stepCount)
        let correction1 = 1 - pow(Double(beta1), t)
        let correction2Root = (1 - pow(Double(beta2), t)).squareRoot()
        let stepSize = Float(Double(learningRate) / correction1)
        for slice in store.slices where slice.count > 0 {
            let decays = slice.decays
            Adam.update(values: store.values(of: slice), gradients: store.gradients(of: slice),
                        firstMoment: firstMoment.baseAddress! + slice.offset,
                        secondMoment: secondMoment.baseAddress! + slice.offset,
                        maxSecondMoment: maxSecondMoment.map { $0.baseAddress! + slice.offset },
                        count: slice.count, stepSize: stepSize,
                        secondMomentCorrectionRoot: Float(correction2Root),
                        beta1: beta1, beta2: beta2, epsilon: epsilon,
                        weightDecay: decays ? coupledWeightDecay : 0,
                        decoupledShrink: decays ? 1 - learningRate * decoupledWeightDecay : 1,
                        l1: decays ? l1 : 0)
        }
    }

    /// The update rule over `count` contiguous elements, in one pass, allocation-free.
    ///
    /// - Parameters:
    ///   - stepSize: η / (1 − β₁ᵗ).
    ///   - secondMomentCorrectionRoot: √(1 − β₂ᵗ).
    ///   - weightDecay: coupled λ (0 when off).
    ///   - decoupledShrink: 1 − η·λ for decoupled decay (AdamW), 1 when off; θ is multiplied
    ///     by it before the update.
    ///   - maxSecondMoment: v̂ when AMSGrad is on, else nil.
    public static func update(values: UnsafeMutablePointer<Float>,
                              gradients: UnsafePointer<Float>,
                              firstMoment: UnsafeMutablePointer<Float>,
                              secondMoment: UnsafeMutablePointer<Float>,
                              maxSecondMoment: UnsafeMutablePointer<Float>?,
                              count: Int, stepSize: Float, secondMomentCorrectionRoot: Float,
                              beta1: Float, beta2: Float, epsilon: Float,
                              weightDecay: Float, decoupledShrink: Float, l1: Float) {
        let fresh1 = 1 - beta1
        let fresh2 = 1 - beta2
        // √v̂/√(1 − β₂ᵗ) as √v̂ · (1/√(1 − β₂ᵗ)): one division fewer per element (the loop is
        // scalar: Float.squareRoot() on Linux keeps an errno fallback that blocks vectorizing).
        let correction = 1 / secondMomentCorrectionRoot
        if let maxima = maxSecondMoment {
            for i in 0..<count {
                let theta = values[i]
                let g = Regularization.effectiveGradient(gradients[i], value: theta,
                                                         weightDecay: weightDecay, l1: l1)
                let m = beta1 * firstMoment[i] + fresh1 * g
                let v = beta2 * secondMoment[i] + fresh2 * (g * g)
                let vMax = max(maxima[i], v)
                firstMoment[i] = m
                secondMoment[i] = v
                maxima[i] = vMax
                let denominator = vMax.squareRoot() * correction + epsilon
                values[i] = theta * decoupledShrink - stepSize * (m / denominator)
            }
        } else {
            for i in 0..<count {
                let theta = values[i]
                let g = Regularization.effectiveGradient(gradients[i], value: theta,
                                                         weightDecay: weightDecay, l1: l1)
                let m = beta1 * firstMoment[i] + fresh1 * g
                let v = beta2 * secondMoment[i] + fresh2 * (g * g)
                firstMoment[i] = m
                secondMoment[i] = v
                let denominator = v.squareRoot() * correction + epsilon
                values[i] = theta * decoupledShrink - stepSize * (m / denominator)
            }
        }
    }
}
