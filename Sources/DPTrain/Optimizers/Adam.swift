import Foundation

/// Adam with bias correction, optional AMSGrad, coupled (L2, `adam`) or decoupled (`adamw`)
/// weight decay and an L1 penalty — `torch.optim.Adam` and `torch.optim.AdamW` semantics.
///
/// At update t (t = 1 first) with learning rate η, for every element:
///
///     decoupled:  θ ← θ·(1 − η·λ)           (λ, l1 only on slices with `decays`)
///     g' = g + λ·θ + l1·sign(θ)             (coupled; decoupled: g' = g + l1·sign(θ))
///     m  ← β₁·m + (1 − β₁)·g'
///     v  ← β₂·v + (1 − β₂)·g'²
///     amsgrad: v̂ ← max(v̂, v), else v̂ = v    (m, v, v̂ start at 0)
///     θ  ← θ − (η / (1 − β₁ᵗ)) · m / (√v̂ / √(1 − β₂ᵗ) + ε)
///
/// ε is added *outside* the square root and after the bias correction of v, as in torch's
/// code. The decoupled decay is scaled by η (the scheduled rate), as in torch and mlx, not by
/// η/η₀ as in the AdamW paper's schedule multiplier.
///
/// Defaults equal torch (lr 0.001, betas (0.9, 0.999), eps 1e-8, amsgrad false,
/// weight_decay 0 for Adam and 1e-2 for AdamW, see ``adamW(parameterCount:beta1:beta2:epsilon:weightDecay:amsgrad:l1:)``).
/// torch decays every parameter; here only slices with `decays == true`.
///
/// Reference: Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015,
/// https://arxiv.org/abs/1412.6980 ; AMSGrad: Reddi, Kale & Kumar, "On the Convergence of Adam
/// and Beyond", ICLR 2018, https://openreview.net/forum?id=ryQu7f-RZ ; decoupled decay:
/// Loshchilov & Hutter, "Decoupled Weight Decay Regularization", ICLR 2019,
/// https://arxiv.org/abs/1711.05101
public final class Adam: SliceOptimizer {
    /// β₁, decay of the first moment, default 0.9.
    public let beta1: Float
    /// β₂, decay of the second moment, default 0.999.
    public let beta2: Float
    /// ε added outside the root, default 1e-8.
    public let epsilon: Float
    /// Coupled (Adam, default) or decoupled (AdamW) weight decay.
    public let weightDecayMode: WeightDecayMode
    /// Use the running maximum v̂ of v (AMSGrad). Default false.
    public let amsgrad: Bool
    /// λ and l1, default 0 each.
    public let regularization: Regularization
    /// Update count and `exp_avg`, `exp_avg_sq` and, with amsgrad, `max_exp_avg_sq` (torch's names).
    public let state: OptimizerState
    /// m, the first moment (P floats).
    public let firstMoment: UnsafeMutableBufferPointer<Float>
    /// v, the second moment (P floats).
    public let secondMoment: UnsafeMutableBufferPointer<Float>
    /// v̂, the running maximum of v (P floats), only with AMSGrad.
    public let maxSecondMoment: UnsafeMutableBufferPointer<Float>?

    /// Config and checkpoint name: `"adam"` (coupled decay) or `"adamw"` (decoupled).
    public var name: String { weightDecayMode == .coupled ? "adam" : "adamw" }

    /// - Parameters:
    ///   - parameterCount: P, the ``ParameterStore/count`` of the stores it will update.
    ///   - beta1: default 0.9.
    ///   - beta2: default 0.999.
    ///   - epsilon: default 1e-8.
    ///   - weightDecay: λ, default 0.
    ///   - weightDecayMode: default `.coupled` (Adam); `.decoupled` is AdamW.
    ///   - amsgrad: default false.
    ///   - l1: default 0.
    public init(parameterCount: Int, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0,
                weightDecayMode: WeightDecayMode = .coupled, amsgrad: Bool = false, l1: Float = 0) {
        HyperparameterCheck.betas(beta1, beta2)
        HyperparameterCheck.nonNegative(["epsilon": epsilon])
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecayMode = weightDecayMode
        self.amsgrad = amsgrad
        self.regularization = Regularization(weightDecay: weightDecay, l1: l1)
        self.state = OptimizerState(parameterCount: parameterCount)
        self.firstMoment = state.allocate("exp_avg")
        self.secondMoment = state.allocate("exp_avg_sq")
        self.maxSecondMoment = amsgrad ? state.allocate("max_exp_avg_sq") : nil
    }

    /// AdamW: Adam with decoupled weight decay and torch's AdamW default λ = 1e-2.
    ///
    /// - Parameters:
    ///   - parameterCount: P, the ``ParameterStore/count`` of the stores it will update.
    ///   - beta1: default 0.9.
    ///   - beta2: default 0.999.
    ///   - epsilon: default 1e-8.
    ///   - weightDecay: decoupled λ, default 1e-2.
    ///   - amsgrad: default false.
    ///   - l1: default 0.
    public static func adamW(parameterCount: Int, beta1: Float = 0.9, beta2: Float = 0.999,
                             epsilon: Float = 1e-8, weightDecay: Float = 1e-2, amsgrad: Bool = false,
                             l1: Float = 0) -> Adam {
        Adam(parameterCount: parameterCount, beta1: beta1, beta2: beta2, epsilon: epsilon,
             weightDecay: weightDecay, weightDecayMode: .decoupled, amsgrad: amsgrad, l1: l1)
    }

    /// η / (1 − β₁ᵗ) and √(1 − β₂ᵗ), the bias corrections in Double as torch computes them in
    /// Python floats.
    public func constants(forStep t: Int, learningRate: Float)
        -> (stepSize: Float, secondMomentCorrectionRoot: Float) {
        let t = Double(t)
        let correction1 = 1 - pow(Double(beta1), t)
        let correction2Root = (1 - pow(Double(beta2), t)).squareRoot()
        return (Float(Double(learningRate) / correction1), Float(correction2Root))
    }

    /// One slice of update t (see the type's doc for the rule).
    public func update(_ slice: OptimizerSlice, learningRate: Float,
                       constants: (stepSize: Float, secondMomentCorrectionRoot: Float)) {
        let coupled: Float = weightDecayMode == .coupled ? weightDecay : 0
        let decoupled: Float = weightDecayMode == .decoupled ? weightDecay : 0
        Adam.update(values: slice.values, gradients: slice.gradients,
                    firstMoment: slice.state(firstMoment), secondMoment: slice.state(secondMoment),
                    maxSecondMoment: slice.state(maxSecondMoment),
                    count: slice.count, stepSize: constants.stepSize,
                    secondMomentCorrectionRoot: constants.secondMomentCorrectionRoot,
                    beta1: beta1, beta2: beta2, epsilon: epsilon,
                    weightDecay: slice.decays ? coupled : 0,
                    decoupledShrink: slice.decays ? 1 - learningRate * decoupled : 1,
                    l1: slice.regularization.l1)
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
        // One loop; AMSGrad is a closure `estimate(i, v)` giving v̂, inlined into it.
        @inline(__always)
        func run(estimate: (_ i: Int, _ v: Float) -> Float) {
            Regularization.updateEach(values: values, gradients: gradients, count: count,
                                      weightDecay: weightDecay, l1: l1) { i, theta, g in
                let m = beta1 * firstMoment[i] + fresh1 * g
                let v = beta2 * secondMoment[i] + fresh2 * (g * g)
                firstMoment[i] = m
                secondMoment[i] = v
                let denominator = estimate(i, v).squareRoot() * correction + epsilon
                return theta * decoupledShrink - stepSize * (m / denominator)
            }
        }
        if let maxima = maxSecondMoment {
            run { i, v in
                let vMax = max(maxima[i], v)
                maxima[i] = vMax
                return vMax
            }
        } else {
            run { _, v in v }
        }
    }
}

// MARK: - Config

extension Adam {
    /// `optimizer: {name: adam | adamw, betas, eps, amsgrad}` (besides `lr`, default 0.001,
    /// `weight_decay`, default 0 for adam and 0.01 for adamw, and `l1`, default 0).
    public struct Options: OptimizerOptions {
        /// Coupled for `adam`, decoupled for `adamw`.
        public var weightDecayMode: WeightDecayMode
        /// `betas: [β₁, β₂]`, each in [0, 1), default [0.9, 0.999].
        public var beta1: Double
        /// β₂ (second of `betas`).
        public var beta2: Double
        /// `eps`: ≥ 0, default 1e-8.
        public var epsilon: Double
        /// `amsgrad`: default false.
        public var amsgrad: Bool

        init(reading reader: ConfigReader, weightDecayMode: WeightDecayMode) throws {
            self.weightDecayMode = weightDecayMode
            (beta1, beta2) = try reader.betasOption()
            epsilon = try reader.nonNegativeOption("eps", default: 1e-8)
            amsgrad = try reader.bool("amsgrad", default: false)
        }

        public func makeOptimizer(parameterCount: Int, weightDecay: Float, l1: Float) -> any Optimizer {
            Adam(parameterCount: parameterCount, beta1: Float(beta1), beta2: Float(beta2),
                 epsilon: Float(epsilon), weightDecay: weightDecay, weightDecayMode: weightDecayMode,
                 amsgrad: amsgrad, l1: l1)
        }
    }

    /// `optimizer.name: adam`.
    public static let kind = OptimizerKind(name: "adam", defaultLearningRate: 0.001) {
        try Options(reading: $0, weightDecayMode: .coupled)
    }

    /// `optimizer.name: adamw` (decoupled decay, default `weight_decay` 0.01).
    public static let adamWKind = OptimizerKind(name: "adamw", defaultLearningRate: 0.001,
                                                defaultWeightDecay: 0.01) {
        try Options(reading: $0, weightDecayMode: .decoupled)
    }
}
