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
/// Defaults equal torch (alpha 0.99, eps 1e-8, weight_decay 0, momentum 0, centered false).
/// torch decays every parameter; here only slices with `decays == true`.
///
/// Reference: Hinton, Srivastava & Swersky, "Neural Networks for Machine Learning", lecture 6e
/// (2012), https://www.cs.toronto.edu/~tijmen/csc321/slides/lecture_slides_lec6.pdf ;
/// centered form: Graves, "Generating Sequences With Recurrent Neural Networks", 2013,
/// https://arxiv.org/abs/1308.0850
public final class RMSProp: Optimizer {
    /// Config name, `"rmsprop"`.
    public let name = "rmsprop"
    /// Smoothing constant α of the moving averages, default 0.99.
    public let alpha: Float
    /// ε added to the root, default 1e-8.
    public let epsilon: Float
    /// Coupled L2 coefficient λ, default 0.
    public let weightDecay: Float
    /// μ ≥ 0, default 0.
    public let momentum: Float
    /// Normalise by an estimate of the variance v − ḡ² instead of v. Default false.
    public let centered: Bool
    /// L1 coefficient, default 0.
    public let l1: Float
    /// Updates applied so far (t in the rule; the first update has t = 1). Restored from
    /// checkpoints together with ``stateBuffers``.
    public var stepCount = 0
    /// v, the moving average of g'² (P floats).
    public let squareAverage: UnsafeMutableBufferPointer<Float>
    /// ḡ, the moving average of g' (P floats), only when centered.
    public let gradientAverage: UnsafeMutableBufferPointer<Float>?
    /// b (P floats), only when μ > 0.
    public let momentumBuffer: UnsafeMutableBufferPointer<Float>?
    /// Number of parameters P this optimizer was built for.
    public let parameterCount: Int

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
        precondition(alpha >= 0, "Invalid alpha value: \(alpha)")
        precondition(epsilon >= 0, "Invalid epsilon value: \(epsilon)")
        precondition(weightDecay >= 0, "Invalid weight_decay value: \(weightDecay)")
        precondition(momentum >= 0, "Invalid momentum value: \(momentum)")
        precondition(l1 >= 0, "Invalid l1 value: \(l1)")
        self.parameterCount = parameterCount
        self.alpha = alpha
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.momentum = momentum
        self.centered = centered
        self.l1 = l1
        self.squareAverage = ParameterStore.allocate(parameterCount)
        self.gradientAverage = centered ? ParameterStore.allocate(parameterCount) : nil
        self.momentumBuffer = momentum > 0 ? ParameterStore.allocate(parameterCount) : nil
    }

    deinit {
        squareAverage.baseAddress?.deallocate()
        gradientAverage?.baseAddress?.deallocate()
        momentumBuffer?.baseAddress?.deallocate()
    }

    /// `square_avg`, then `grad_avg` (centered) and `momentum_buffer` (μ > 0): torch's names.
    ///
    /// The buffers are owned by the optimizer and valid only while it is alive.
    public var stateBuffers: [(name: String, buffer: UnsafeMutableBufferPointer<Float>)] {
        var buffers: [(name: String, buffer: UnsafeMutableBufferPointer<Float>)] =
            [("square_avg", squareAverage)]
        if let gradientAverage { buffers.append(("grad_avg", gradientAverage)) }
        if let momentumBuffer { buffers.append(("momentum_buffer", momentumBuffer)) }
        return buffers
    }

    /// One update at learning rate η (see the type's doc for the rule).
    public func step(store: ParameterStore, learningRate: Float) {
        precondition(store.count == parameterCount,
                     "RMSProp was built for \(parameterCount) parameters, the store has \(store.count)")
        stepCount += 1
        for slice in store.slices where slice.count > 0 {
            RMSProp.update(values: store.values(of: slice), gradients: store.gradients(of: slice),
                           squareAverage: squareAverage.baseAddress! + slice.offset,
                           gradientAverage: gradientAverage.map { $0.baseAddress! + slice.offset },
                           momentumBuffer: momentumBuffer.map { $0.baseAddress! + slice.offset },
                           count: slice.count, learningRate: learningRate, alpha: alpha,
                           epsilon: epsilon, momentum: momentum,
                           weightDecay: slice.decays ? weightDecay : 0,
                           l1: slice.decays ? l1 : 0)
        }
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
        switch (gradientAverage, momentum > 0 ? momentumBuffer : nil) {
        case (nil, nil):
            for i in 0..<count {
                let theta = values[i]
                let g = Regularization.effectiveGradient(gradients[i], value: theta,
                                                         weightDecay: weightDecay, l1: l1)
                let v = alpha * squareAverage[i] + fresh * (g * g)
                squareAverage[i] = v
                values[i] = theta - learningRate * (g / (v.squareRoot() + epsilon))
            }
        case (let average?, nil):
            for i in 0..<count {
                let theta = values[i]
                let g = Regularization.effectiveGradient(gradients[i], value: theta,
                                                         weightDecay: weightDecay, l1: l1)
                let v = alpha * squareAverage[i] + fresh * (g * g)
                squareAverage[i] = v
                let m = alpha * average[i] + fresh * g
                average[i] = m
                values[i] = theta - learningRate * (g / ((v - m * m).squareRoot() + epsilon))
            }
        case (nil, let buffer?):
            for i in 0..<count {
                let theta = values[i]
                let g = Regularization.effectiveGradient(gradients[i], value: theta,
                                                         weightDecay: weightDecay, l1: l1)
                let v = alpha * squareAverage[i] + fresh * (g * g)
                squareAverage[i] = v
                let b = momentum * buffer[i] + g / (v.squareRoot() + epsilon)
                buffer[i] = b
                values[i] = theta - learningRate * b
            }
        case (let average?, let buffer?):
            for i in 0..<count {
                let theta = values[i]
                let g = Regularization.effectiveGradient(gradients[i], value: theta,
                                                         weightDecay: weightDecay, l1: l1)
                let v = alpha * squareAverage[i] + fresh * (g * g)
                squareAverage[i] = v
                let m = alpha * average[i] + fresh * g
                average[i] = m
                let b = momentum * buffer[i] + g / ((v - m * m).squareRoot() + epsilon)
                buffer[i] = b
                values[i] = theta - learningRate * b
            }
        }
    }
}
