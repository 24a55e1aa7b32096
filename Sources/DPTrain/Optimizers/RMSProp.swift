/// RMSProp with optional centering, momentum, coupled weight decay and an L1 penalty —
/// `torch.optim.RMSprop` semantics.
///
/// With learning rate η, for every element:
///
///     g' = g + λ·θ + l1·sign(θ)          (λ, l1 only on slices with `decays`)
///     v  ← α·v + (1 − α)·g'²              (v starts at 0)
///     centered:  ḡ ← α·ḡ + (1 − α)·g';  r = √(v − ḡ²) + ε
///     otherwise: r = √v + ε               (ε outside the root)
///     μ > 0:     b ← μ·b + g'/r;  θ ← θ − η·b      (b starts at 0)
///     μ = 0:     θ ← θ − η·g'/r
///
/// Defaults equal torch (lr 0.01, alpha 0.99, eps 1e-8, weight_decay 0, momentum 0,
/// centered false). torch decays every parameter; here only slices with `decays == true`.
///
/// Reference: Hinton, Srivastava & Swersky, "Neural Networks for Machine Learning", lecture 6e
/// (2012), https://www.cs.toronto.edu/~tijmen/csc321/slides/lecture_slides_lec6.pdf ;
/// centered form: Graves, "Generating Sequences With Recurrent Neural Networks", 2013,
/// https://arxiv.org/abs/1308.0850
public final class RMSProp: SliceOptimizer {
    /// Config name, `"rmsprop"`.
    public let name = "rmsprop"
    /// Smoothing constant α of the moving averages, default 0.99.
    public let alpha: Float
    /// ε added to the root, default 1e-8.
    public let epsilon: Float
    /// μ ≥ 0, default 0.
    public let momentum: Float
    /// Normalise by an estimate of the variance v − ḡ² instead of v. Default false.
    public let centered: Bool
    /// Coupled λ and l1, default 0 each.
    public let regularization: Regularization
    /// Update count and `square_avg`, then `grad_avg` (centered) and `momentum_buffer` (μ > 0).
    public let state: OptimizerState
    /// v, the moving average of g'² (P floats).
    public let squareAverage: UnsafeMutableBufferPointer<Float>
    /// ḡ, the moving average of g' (P floats), only when centered.
    public let gradientAverage: UnsafeMutableBufferPointer<Float>?
    /// b (P floats), only when μ > 0.
    public let momentumBuffer: UnsafeMutableBufferPointer<Float>?

    /// - Parameters:
    ///   - parameterCount: P, the ``ParameterStore/count`` of the stores it will update.
    ///   - alpha: default 0.99.
    ///   - epsilon: default 1e-8.
    ///   - weightDecay: λ, default 0.
    ///   - momentum: μ, default 0.
    ///   - centered: default false.
    ///   - l1: default 0.
    public init(parameterCount: Int, alpha: Float = 0.99, epsilon: Float = 1e-8,
                weightDecay: Float = 0, momentum: Float = 0, centered: Bool = false,
                l1: Float = 0) {
        HyperparameterCheck.nonNegative(["alpha": alpha, "epsilon": epsilon, "momentum": momentum])
        self.alpha = alpha
        self.epsilon = epsilon
        self.momentum = momentum
        self.centered = centered
        self.regularization = Regularization(weightDecay: weightDecay, l1: l1)
        self.state = OptimizerState(parameterCount: parameterCount)
        self.squareAverage = state.allocate("square_avg")
        self.gradientAverage = centered ? state.allocate("grad_avg") : nil
        self.momentumBuffer = momentum > 0 ? state.allocate("momentum_buffer") : nil
    }

    /// One slice of an update (see the type's doc for the rule).
    public func update(_ slice: OptimizerSlice, learningRate: Float, constants: Void) {
        RMSProp.update(values: slice.values, gradients: slice.gradients,
                       squareAverage: slice.state(squareAverage),
                       gradientAverage: slice.state(gradientAverage),
                       momentumBuffer: slice.state(momentumBuffer),
                       count: slice.count, learningRate: learningRate, alpha: alpha,
                       epsilon: epsilon, momentum: momentum,
                       weightDecay: slice.regularization.weightDecay, l1: slice.regularization.l1)
    }

    /// The update rule over `count` contiguous elements, in one pass, allocation-free.
    /// Centering is on when `gradientAverage` is non-nil, momentum when `momentumBuffer` is
    /// non-nil and μ > 0.
    public static func update(values: UnsafeMutablePointer<Float>,
                              gradients: UnsafePointer<Float>,
                              squareAverage: UnsafeMutablePointer<Float>,
                              gradientAverage: UnsafeMutablePointer<Float>?,
                              momentumBuffer: UnsafeMutablePointer<Float>?,
                              count: Int, learningRate: Float, alpha: Float, epsilon: Float,
                              momentum: Float, weightDecay: Float, l1: Float) {
        let fresh = 1 - alpha
        // One loop; the variants are closures inlined into it (a branch in the loop would stop
        // it from vectorizing). `root(i, v, g')` gives r without ε, `direction(i, g'/r)` the
        // step d with θ ← θ − η·d.
        @inline(__always)
        func run(root: (_ i: Int, _ v: Float, _ g: Float) -> Float,
                 direction: (_ i: Int, _ scaled: Float) -> Float) {
            Regularization.updateEach(values: values, gradients: gradients, count: count,
                                      weightDecay: weightDecay, l1: l1) { i, theta, g in
                let v = alpha * squareAverage[i] + fresh * (g * g)
                squareAverage[i] = v
                return theta - learningRate * direction(i, g / (root(i, v, g) + epsilon))
            }
        }
        let plainRoot = { (_: Int, v: Float, _: Float) -> Float in v.squareRoot() }
        let noMomentum = { (_: Int, scaled: Float) -> Float in scaled }
        switch (gradientAverage, momentum > 0 ? momentumBuffer : nil) {
        case (nil, nil):
            run(root: plainRoot, direction: noMomentum)
        case (let average?, nil):
            run(root: { i, v, g in RMSProp.centeredRoot(average, i, v, g, alpha, fresh) },
                direction: noMomentum)
        case (nil, let buffer?):
            run(root: plainRoot, direction: { i, scaled in RMSProp.momentumStep(buffer, i, scaled, momentum) })
        case (let average?, let buffer?):
            run(root: { i, v, g in RMSProp.centeredRoot(average, i, v, g, alpha, fresh) },
                direction: { i, scaled in RMSProp.momentumStep(buffer, i, scaled, momentum) })
        }
    }

    /// ḡ ← α·ḡ + (1 − α)·g'; returns √(v − ḡ²).
    @inline(__always)
    static func centeredRoot(_ average: UnsafeMutablePointer<Float>, _ i: Int, _ v: Float, _ g: Float,
                             _ alpha: Float, _ fresh: Float) -> Float {
        let m = alpha * average[i] + fresh * g
        average[i] = m
        return (v - m * m).squareRoot()
    }

    /// b ← μ·b + g'/r; returns b.
    @inline(__always)
    static func momentumStep(_ buffer: UnsafeMutablePointer<Float>, _ i: Int, _ scaled: Float,
                             _ momentum: Float) -> Float {
        let b = momentum * buffer[i] + scaled
        buffer[i] = b
        return b
    }
}

// MARK: - Config

extension RMSProp {
    /// `optimizer: {name: rmsprop, alpha, eps, momentum, centered}` (besides `lr`, default
    /// 0.01, `weight_decay` and `l1`, default 0).
    public struct Options: OptimizerOptions {
        /// `alpha`: in [0, 1), default 0.99.
        public var alpha: Double
        /// `eps`: ≥ 0, default 1e-8.
        public var epsilon: Double
        /// `momentum`: μ in [0, 1), default 0.
        public var momentum: Double
        /// `centered`: default false.
        public var centered: Bool

        init(reading reader: ConfigReader) throws {
            alpha = try reader.unitIntervalOption("alpha", default: 0.99)
            epsilon = try reader.nonNegativeOption("eps", default: 1e-8)
            momentum = try reader.unitIntervalOption("momentum", default: 0)
            centered = try reader.bool("centered", default: false)
        }

        public func makeOptimizer(parameterCount: Int, weightDecay: Float, l1: Float) -> any Optimizer {
            RMSProp(parameterCount: parameterCount, alpha: Float(alpha), epsilon: Float(epsilon),
                    weightDecay: weightDecay, momentum: Float(momentum), centered: centered, l1: l1)
        }
    }

    /// `optimizer.name: rmsprop`.
    public static let kind = OptimizerKind(name: "rmsprop") { try Options(reading: $0) }
}
