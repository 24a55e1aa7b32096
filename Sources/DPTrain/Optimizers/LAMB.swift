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
/// Defaults: betas (0.9, 0.999), eps 1e-6, weight_decay 0.01 here and 0 in configs (lr 0.001).
///
/// Each step makes two passes per slice: one updating m and v and accumulating ‖θ‖² and ‖u‖²
/// (in Double), one recomputing u and applying it (so no P-float scratch buffer is needed).
/// With a sharded update the first pass runs on each rank's part of a tensor and the two sums
/// are added over the ranks before the second.
///
/// Reference: You et al., "Large Batch Optimization for Deep Learning: Training BERT in 76
/// minutes", ICLR 2020, https://arxiv.org/abs/1904.00962
public final class LAMB: SliceOptimizer {
    /// Config name, `"lamb"`.
    public let name = "lamb"
    /// β₁, default 0.9.
    public let beta1: Float
    /// β₂, default 0.999.
    public let beta2: Float
    /// ε, default 1e-6 (the paper's value).
    public let epsilon: Float
    /// λ (decoupled, added to the direction u), default 0.01, and l1, default 0.
    public let regularization: Regularization
    /// Update count and `exp_avg`, `exp_avg_sq`.
    public let state: OptimizerState
    /// m (P floats).
    public let firstMoment: UnsafeMutableBufferPointer<Float>
    /// v (P floats).
    public let secondMoment: UnsafeMutableBufferPointer<Float>

    /// - Parameters:
    ///   - parameterCount: P, the ``ParameterStore/count`` of the stores it will update.
    ///   - beta1: default 0.9.
    ///   - beta2: default 0.999.
    ///   - epsilon: default 1e-6.
    ///   - weightDecay: λ, default 0.01.
    ///   - l1: default 0.
    public init(parameterCount: Int, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-6, weightDecay: Float = 0.01, l1: Float = 0) {
        HyperparameterCheck.betas(beta1, beta2)
        HyperparameterCheck.nonNegative(["epsilon": epsilon])
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.regularization = Regularization(weightDecay: weightDecay, l1: l1)
        self.state = OptimizerState(parameterCount: parameterCount)
        self.firstMoment = state.allocate("exp_avg")
        self.secondMoment = state.allocate("exp_avg_sq")
    }

    /// 1 − β₁ᵗ and √(1 − β₂ᵗ), computed in Double and rounded to Float.
    public func constants(forStep t: Int, learningRate: Float)
        -> (firstMomentCorrection: Float, secondMomentCorrectionRoot: Float) {
        let t = Double(t)
        return (Float(1 - pow(Double(beta1), t)), Float((1 - pow(Double(beta2), t)).squareRoot()))
    }

    /// Two sums per tensor: ‖θ‖² and ‖u‖².
    public var layerSumCount: Int { 2 }

    /// First pass over this part of a slice: m and v, and the part's ‖θ‖² and ‖u‖².
    public func accumulateLayerSums(_ slice: OptimizerSlice,
                                    constants: (firstMomentCorrection: Float, secondMomentCorrectionRoot: Float),
                                    into sums: UnsafeMutableBufferPointer<Double>) {
        let (valueSquares, directionSquares) = LAMB.updateMoments(
            values: slice.values, gradients: slice.gradients,
            firstMoment: slice.state(firstMoment), secondMoment: slice.state(secondMoment),
            count: slice.count, firstMomentCorrection: constants.firstMomentCorrection,
            secondMomentCorrectionRoot: constants.secondMomentCorrectionRoot,
            beta1: beta1, beta2: beta2, epsilon: epsilon,
            weightDecay: slice.regularization.weightDecay, l1: slice.regularization.l1)
        sums[0] += valueSquares
        sums[1] += directionSquares
    }

    /// Second pass over one slice of update t (see the type's doc for the rule), with ρ from
    /// the tensor's ‖θ‖² and ‖u‖².
    public func update(_ slice: OptimizerSlice, learningRate: Float,
                       constants: (firstMomentCorrection: Float, secondMomentCorrectionRoot: Float)) {
        let ratio = LAMB.trustRatio(valueSquares: slice.layerSums[0], directionSquares: slice.layerSums[1],
                                    adaptsLayer: slice.decays)
        LAMB.applyDirection(values: slice.values, firstMoment: slice.state(firstMoment),
                            secondMoment: slice.state(secondMoment), count: slice.count,
                            stepSize: learningRate * ratio,
                            firstMomentCorrection: constants.firstMomentCorrection,
                            secondMomentCorrectionRoot: constants.secondMomentCorrectionRoot,
                            epsilon: epsilon, weightDecay: slice.regularization.weightDecay)
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
        let (valueSquares, directionSquares) = updateMoments(
            values: values, gradients: gradients, firstMoment: firstMoment, secondMoment: secondMoment,
            count: count, firstMomentCorrection: firstMomentCorrection,
            secondMomentCorrectionRoot: secondMomentCorrectionRoot, beta1: beta1, beta2: beta2,
            epsilon: epsilon, weightDecay: weightDecay, l1: l1)
        let ratio = trustRatio(valueSquares: valueSquares, directionSquares: directionSquares, adaptsLayer: adaptsLayer)
        applyDirection(values: values, firstMoment: firstMoment, secondMoment: secondMoment, count: count,
                       stepSize: learningRate * ratio, firstMomentCorrection: firstMomentCorrection,
                       secondMomentCorrectionRoot: secondMomentCorrectionRoot, epsilon: epsilon,
                       weightDecay: weightDecay)
    }

    /// First pass: m ← β₁·m + (1 − β₁)·g', v ← β₂·v + (1 − β₂)·g'², returning Σθ² and Σu²
    /// (in Double) over the `count` elements.
    public static func updateMoments(values: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>,
                                     firstMoment: UnsafeMutablePointer<Float>,
                                     secondMoment: UnsafeMutablePointer<Float>, count: Int,
                                     firstMomentCorrection: Float, secondMomentCorrectionRoot: Float,
                                     beta1: Float, beta2: Float, epsilon: Float,
                                     weightDecay: Float, l1: Float) -> (valueSquares: Double, directionSquares: Double) {
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
        return (valueSquares, directionSquares)
    }

    /// ρ = ‖θ‖ / ‖u‖ when `adaptsLayer` and both are > 0, else 1.
    public static func trustRatio(valueSquares: Double, directionSquares: Double, adaptsLayer: Bool) -> Float {
        guard adaptsLayer && valueSquares > 0 && directionSquares > 0 else { return 1 }
        return Float((valueSquares / directionSquares).squareRoot())
    }

    /// Second pass: θ ← θ − s·u with u recomputed from m and v, s = η·ρ.
    public static func applyDirection(values: UnsafeMutablePointer<Float>,
                                      firstMoment: UnsafeMutablePointer<Float>,
                                      secondMoment: UnsafeMutablePointer<Float>, count: Int, stepSize: Float,
                                      firstMomentCorrection: Float, secondMomentCorrectionRoot: Float,
                                      epsilon: Float, weightDecay: Float) {
        let correction1 = 1 / firstMomentCorrection
        let correction2 = 1 / secondMomentCorrectionRoot
        for i in 0..<count {
            let theta = values[i]
            let u = (firstMoment[i] * correction1)
                / (secondMoment[i].squareRoot() * correction2 + epsilon)
                + weightDecay * theta
            values[i] = theta - stepSize * u
        }
    }
}

// MARK: - Config

extension LAMB {
    /// `optimizer: {name: lamb, betas, eps}` (besides `lr`, default 0.001, `weight_decay`,
    /// default 0, and `l1`, default 0).
    public struct Options: OptimizerOptions {
        /// `betas: [β₁, β₂]`, each in [0, 1), default [0.9, 0.999].
        public var beta1: Double
        /// β₂ (second of `betas`).
        public var beta2: Double
        /// `eps`: ≥ 0, default 1e-6.
        public var epsilon: Double

        init(reading reader: ConfigReader) throws {
            (beta1, beta2) = try reader.betasOption()
            epsilon = try reader.nonNegativeOption("eps", default: 1e-6)
        }

        public func makeOptimizer(parameterCount: Int, weightDecay: Float, l1: Float) -> any Optimizer {
            LAMB(parameterCount: parameterCount, beta1: Float(beta1), beta2: Float(beta2),
                 epsilon: Float(epsilon), weightDecay: weightDecay, l1: l1)
        }
    }

    /// `optimizer.name: lamb`.
    public static let kind = OptimizerKind(name: "lamb", defaultLearningRate: 0.001) { try Options(reading: $0) }
}
