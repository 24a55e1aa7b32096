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
/// Momentum uses PyTorch's convention (η outside the buffer), not the paper's v ← μv + ηρ(…);
/// the two agree while η is constant. When η changes (warmup, decay) the convention here is
/// the paper's form with Goyal et al.'s momentum correction (v scaled by η_{t+1}/η_t; see
/// ``SGD``), the default `momentumCorrection == true`. With `false` the buffer is the paper's
/// uncorrected velocity (named `velocity`):
///
///     v ← μ·v + η·ρ·g'          (v starts at 0)
///     θ ← θ − v
///
/// `torch.optim` has no LARS.
///
/// Defaults: momentum 0.9, trust_coefficient 0.001, weight_decay 0, eps 0 here and 1e-8 in
/// configs (lr 0.01).
///
/// Reference: You, Gitman & Ginsburg, "Large Batch Training of Convolutional Networks", 2017,
/// https://arxiv.org/abs/1708.03888
public final class LARS: SliceOptimizer {
    /// Config name, `"lars"`.
    public let name = "lars"
    /// τ, the trust coefficient, default 0.001 (the paper's η).
    public let trustCoefficient: Float
    /// μ, default 0.9.
    public let momentum: Float
    /// ε added to the trust-ratio denominator, default 0 (1e-8 in configs).
    public let epsilon: Float
    /// λ (the paper's β, coupled) and l1, default 0 each.
    public let regularization: Regularization
    /// Momentum correction when η changes (default true: η outside the buffer, which includes
    /// it); false keeps η inside the paper's uncorrected velocity (see the type's doc).
    public let momentumCorrection: Bool
    /// Update count and `momentum_buffer` (or `velocity` without momentum correction).
    public let state: OptimizerState
    /// b, or the velocity v without momentum correction (P floats).
    public let momentumBuffer: UnsafeMutableBufferPointer<Float>

    /// - Parameters:
    ///   - parameterCount: P, the ``ParameterStore/count`` of the stores it will update.
    ///   - trustCoefficient: τ, default 0.001.
    ///   - momentum: μ, default 0.9.
    ///   - weightDecay: λ, default 0.
    ///   - epsilon: default 0.
    ///   - l1: default 0.
    ///   - momentumCorrection: default true (η outside the buffer; see the type's doc).
    public init(parameterCount: Int, trustCoefficient: Float = 0.001, momentum: Float = 0.9,
                weightDecay: Float = 0, epsilon: Float = 0, l1: Float = 0, momentumCorrection: Bool = true) {
        precondition(trustCoefficient > 0, "Invalid trust_coefficient value: \(trustCoefficient)")
        HyperparameterCheck.nonNegative(["momentum": momentum, "epsilon": epsilon])
        self.trustCoefficient = trustCoefficient
        self.momentum = momentum
        self.epsilon = epsilon
        self.regularization = Regularization(weightDecay: weightDecay, l1: l1)
        self.momentumCorrection = momentumCorrection
        self.state = OptimizerState(parameterCount: parameterCount)
        self.momentumBuffer = state.allocate(momentumCorrection ? "momentum_buffer" : "velocity")
    }

    /// Two sums per tensor: ‖θ‖² and ‖g‖² (of weight slices; the trust ratio's norms).
    public var layerSumCount: Int { 2 }

    /// Adds ‖θ‖² and ‖g‖² of this part of a weight slice (nothing for other slices).
    public func accumulateLayerSums(_ slice: OptimizerSlice, constants: Void,
                                    into sums: UnsafeMutableBufferPointer<Double>) {
        guard slice.decays else { return }
        sums[0] += VectorMath.sumOfSquares(slice.values, count: slice.count)
        sums[1] += VectorMath.sumOfSquares(slice.gradients, count: slice.count)
    }

    /// One slice of an update (see the type's doc for the rule): the trust ratio from the
    /// tensor's norms, then the momentum step.
    public func update(_ slice: OptimizerSlice, learningRate: Float, constants: Void) {
        var ratio: Float = 1
        if slice.decays {
            ratio = LARS.trustRatio(valueSquares: slice.layerSums[0], gradientSquares: slice.layerSums[1],
                                    trustCoefficient: trustCoefficient, weightDecay: weightDecay, epsilon: epsilon)
        }
        LARS.update(values: slice.values, gradients: slice.gradients,
                    momentumBuffer: slice.state(momentumBuffer),
                    count: slice.count, learningRate: learningRate, trustRatio: ratio,
                    momentum: momentum, weightDecay: slice.regularization.weightDecay,
                    l1: slice.regularization.l1, momentumCorrection: momentumCorrection)
    }

    /// ρ = τ·‖θ‖ / (‖g‖ + λ·‖θ‖ + ε) over one slice, or 1 when ‖θ‖ or ‖g‖ is 0. Norms are
    /// accumulated in Double.
    public static func trustRatio(values: UnsafePointer<Float>, gradients: UnsafePointer<Float>,
                                  count: Int, trustCoefficient: Float, weightDecay: Float,
                                  epsilon: Float) -> Float {
        trustRatio(valueSquares: VectorMath.sumOfSquares(values, count: count),
                   gradientSquares: VectorMath.sumOfSquares(gradients, count: count),
                   trustCoefficient: trustCoefficient, weightDecay: weightDecay, epsilon: epsilon)
    }

    /// ρ = τ·‖θ‖ / (‖g‖ + λ·‖θ‖ + ε) from ‖θ‖² and ‖g‖², or 1 when either is 0.
    public static func trustRatio(valueSquares: Double, gradientSquares: Double, trustCoefficient: Float,
                                  weightDecay: Float, epsilon: Float) -> Float {
        let valueNorm = valueSquares.squareRoot()
        let gradientNorm = gradientSquares.squareRoot()
        guard valueNorm > 0, gradientNorm > 0 else { return 1 }
        return Float(Double(trustCoefficient) * valueNorm
                     / (gradientNorm + Double(weightDecay) * valueNorm + Double(epsilon)))
    }

    /// b ← μ·b + ρ·(g + λ·θ + l1·sign(θ)); θ ← θ − η·b over `count` contiguous elements,
    /// one pass, allocation-free; without `momentumCorrection` the buffer is the velocity,
    /// v ← μ·v + η·ρ·(…); θ ← θ − v.
    public static func update(values: UnsafeMutablePointer<Float>,
                              gradients: UnsafePointer<Float>,
                              momentumBuffer: UnsafeMutablePointer<Float>,
                              count: Int, learningRate: Float, trustRatio: Float,
                              momentum: Float, weightDecay: Float, l1: Float,
                              momentumCorrection: Bool = true) {
        // η multiplies the step (corrected) or the buffer's input (uncorrected velocity).
        let into = momentumCorrection ? trustRatio : learningRate * trustRatio
        let out: Float = momentumCorrection ? learningRate : 1
        Regularization.updateEach(values: values, gradients: gradients, count: count,
                                  weightDecay: weightDecay, l1: l1) { i, theta, g in
            let b = momentum * momentumBuffer[i] + into * g
            momentumBuffer[i] = b
            return theta - out * b
        }
    }
}

// MARK: - Config

extension LARS {
    /// `optimizer: {name: lars, momentum, trust_coefficient, eps, momentum_correction}` (besides `lr`, default
    /// 0.01, `weight_decay` and `l1`, default 0).
    public struct Options: OptimizerOptions {
        /// `momentum`: μ in [0, 1), default 0.9.
        public var momentum: Double
        /// `trust_coefficient`: τ > 0, default 0.001.
        public var trustCoefficient: Double
        /// `eps`: ≥ 0, default 1e-8.
        public var epsilon: Double
        /// `momentum_correction`: default true (η outside the buffer); false is the paper's
        /// uncorrected velocity v ← μv + ηρ(…) (see ``LARS``).
        public var momentumCorrection: Bool

        init(reading reader: ConfigReader) throws {
            momentum = try reader.unitIntervalOption("momentum", default: 0.9)
            trustCoefficient = try reader.double("trust_coefficient", default: 0.001, allowed: "a value > 0",
                                                 where: { $0 > 0 && $0.isFinite })
            epsilon = try reader.nonNegativeOption("eps", default: 1e-8)
            momentumCorrection = try reader.bool("momentum_correction", default: true)
        }

        public func makeOptimizer(parameterCount: Int, weightDecay: Float, l1: Float) -> any Optimizer {
            LARS(parameterCount: parameterCount, trustCoefficient: Float(trustCoefficient),
                 momentum: Float(momentum), weightDecay: weightDecay, epsilon: Float(epsilon), l1: l1,
                 momentumCorrection: momentumCorrection)
        }
    }

    /// `optimizer.name: lars`.
    public static let kind = OptimizerKind(name: "lars") { try Options(reading: $0) }
}
