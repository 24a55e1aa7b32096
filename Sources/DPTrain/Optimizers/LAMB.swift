import Foundation

/// Layer-wise Adaptive Moments for Batch training: Adam's bias-corrected direction plus
/// decoupled weight decay, scaled per slice by the trust ratio ‖θ‖ / ‖u‖.
///
/// At update t (t = 1 first) with learning rate η, for each slice (a "layer"):
///
///     g' = g + l1·sign(θ)                        (l1 only on slices with `decays`)
///     m  ← β₁·m + (1 − β₁)·g';   v ← β₂·v + (1 − β₂)·g'²   (m, v start at 0)
///     u  = (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε) + λ·θ
///     ρ  = ‖θ‖ / ‖u‖   if ‖θ‖ > 0 and ‖u‖ > 0, else 1
///     θ  ← θ − η·ρ·u
///
/// (Algorithm 2 of the paper with φ(x) = x and bias correction.) Slices with
/// `decays == false` (biases, normalisation parameters) use λ = 0 and ρ = 1, i.e. plain Adam
/// with ε inside as above — the common practice (BERT's and NVIDIA's LAMB exclude them from
/// both decay and adaptation). Note ε is added after the bias-corrected root, as in the paper
/// and in torch's Adam. `torch.optim` has no LAMB.
///
/// Each step makes two passes per slice: one updating m and v and accumulating ‖θ‖² and ‖u‖²
/// (in Double), one recomputing u and applying it (so no P-float scratch buffer is needed).
///
/// Reference: You et al., "Large Batch Optimization for Deep Learning: Training BERT in 76
/// minutes", ICLR 2020, https://arxiv.org/abs/1904.00962
public final class LAMB: Optimizer {
    /// Config name, `"lamb"`.
    public let name = "lamb"
    /// β₁, default 0.9.
    public let beta1: Float
    /// β₂, default 0.999.
    public let beta2: Float
    /// ε, default 1e-6 (the paper's value).
    public let epsilon: Float
    /// Decoupled decay λ added to the direction u, default 0.01.
    public let weightDecay: Float
    /// L1 coefficient, default 0.
    public let l1: Float
    /// Updates applied so far (t in the rule; the first update has t = 1). Restored from
    /// checkpoints together with ``stateBuffers``.
    public var stepCount = 0
    /// m (P floats).
    public let firstMoment: UnsafeMutableBufferPointer<Float>
    /// v (P floats).
    public let secondMoment: UnsafeMutableBufferPointer<Float>
    /// Number of parameters P this optimizer was built for.
    public let parameterCount: Int

    /// - Parameters:
    ///   - parameterCount: P, the ``ParameterStore/count`` of the stores it will update.
    ///   - beta1: default 0.9.
    ///   - beta2: default 0.999.
    ///   - epsilon: default 1e-6.
    ///   - weightDecay: λ, default 0.01.
    ///   - l1: default 0.
    public init(parameterCount: Int, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-6, weightDecay: Float = 0.01, l1: Float = 0) {
        Adam.validate(beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay, l1: l1)
        self.parameterCount = parameterCount
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.l1 = l1
        self.firstMoment = ParameterStore.allocate(parameterCount)
        self.secondMoment = ParameterStore.allocate(parameterCount)
    }

    deinit {
        firstMoment.baseAddress?.deallocate()
        secondMoment.baseAddress?.deallocate()
    }

    /// `exp_avg`, `exp_avg_sq`.
    ///
    /// The buffers are owned by the optimizer and valid only while it is alive.
    public var stateBuffers: [(name: String, buffer: UnsafeMutableBufferPointer<Float>)] {
        [("exp_avg", firstMoment), ("exp_avg_sq", secondMoment)]
    }

    /// One update at learning rate η (see the type's doc for the rule).
    public func step(store: ParameterStore, learningRate: Float) {
        precondition(store.count == parameterCount,
                     "LAMB was built for \(parameterCount) parameters, the store has \(store.count)")
        stepCount += 1
        let t = Double(stepCount)
        let correction1 = Float(1 - pow(Double(beta1), t))
        let correction2Root = Float((1 - pow(Double(beta2), t)).squareRoot())
        for slice in store.slices where slice.count > 0 {
            LAMB.update(values: store.values(of: slice), gradients: store.gradients(of: slice),
                        firstMoment: firstMoment.baseAddress! + slice.offset,
                        secondMoment: secondMoment.baseAddress! + slice.offset,
                        count: slice.count, learningRate: learningRate,
                        firstMomentCorrection: correction1,
                        secondMomentCorrectionRoot: correction2Root,
                        beta1: beta1, beta2: beta2, epsilon: epsilon,
                        weightDecay: slice.decays ? weightDecay : 0,
                        l1: slice.decays ? l1 : 0, adaptsLayer: slice.decays)
        }
    }

    /// The update rule over one slice of `count` contiguous elements (two passes,
    /// allocation-free).
    ///
    /// - Parameters:
    ///   - firstMomentCorrection: 1 − β₁ᵗ.
    ///   - secondMomentCorrectionRoot: √(1 − β₂ᵗ).
    ///   - adaptsLayer: apply the trust ratio ρ (false: ρ = 1).
    public static func update(values: UnsafeMutablePointer<Float>,
                              gradients: UnsafePointer<Float>,
                              firstMoment: UnsafeMutablePointer<Float>,
                              secondMoment: UnsafeMutablePointer<Float>,
                              count: Int, learningRate: Float,
                              firstMomentCorrection: Float, secondMomentCorrectionRoot: Float,
                              beta1: Float, beta2: Float, epsilon: Float,
                              weightDecay: Float, l1: Float, adaptsLayer: Bool) {
        let fresh1 = 1 - beta1
        let fresh2 = 1 - beta2
        let correction1 = 1 / firstMomentCorrection
        let correction2 = 1 / secondMomentCorrectionRoot
        var valueSquares = 0.0
        var directionSquares = 0.0
        for i in 0..<count {
            let theta = values[i]
            let g = gradients[i] + l1 * Regularization.sign(theta)
            let m = beta1 * firstMoment[i] + fresh1 * g
            let v = beta2 * secondMoment[i] + fresh2 * (g * g)
            firstMoment[i] = m
            secondMoment[i] = v
            let u = (m * correction1) / (v.squareRoot() * correction2 + epsilon)
                + weightDecay * theta
            valueSquares += Double(theta) * Double(theta)
            directionSquares += Double(u) * Double(u)
        }
        var ratio: Float = 1
        if adaptsLayer && valueSquares > 0 && directionSquares > 0 {
            ratio = Float((valueSquares / directionSquares).squareRoot())
        }
        let stepSize = learningRate * ratio
        for i in 0..<count {
            let theta = values[i]
            let u = (firstMoment[i] * correction1)
                / (secondMoment[i].squareRoot() * correction2 + epsilon)
                + weightDecay * theta
            values[i] = theta - stepSize * u
        }
    }
}
