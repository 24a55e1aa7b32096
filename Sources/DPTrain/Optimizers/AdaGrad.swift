/// AdaGrad with learning-rate decay, an initial accumulator value, coupled weight decay and
/// an L1 penalty — `torch.optim.Adagrad` semantics.
///
/// At update t (t = 1 first) with learning rate η, for every element:
///
///     g' = g + λ·θ + l1·sign(θ)        (λ, l1 only on slices with `decays`)
///     η_t = η / (1 + (t − 1)·lrDecay)
///     s  ← s + g'²                      (s starts at initialAccumulatorValue)
///     θ  ← θ − η_t · g' / (√s + ε)      (ε outside the root)
///
/// Defaults equal torch (lr_decay 0, weight_decay 0, initial_accumulator_value 0, eps 1e-10).
/// torch decays every parameter; here only slices with `decays == true`.
///
/// Reference: Duchi, Hazan & Singer, "Adaptive Subgradient Methods for Online Learning and
/// Stochastic Optimization", JMLR 12, 2011, https://jmlr.org/papers/v12/duchi11a.html
public final class AdaGrad: Optimizer {
    /// Config name, `"adagrad"`.
    public let name = "adagrad"
    /// Decay of the step size with t: η_t = η / (1 + (t − 1)·lrDecay). Default 0.
    public let lrDecay: Float
    /// Value every element of the accumulator s starts at. Default 0.
    public let initialAccumulatorValue: Float
    /// ε added to √s, default 1e-10.
    public let epsilon: Float
    /// Coupled L2 coefficient λ, default 0.
    public let weightDecay: Float
    /// L1 coefficient, default 0.
    public let l1: Float
    /// Updates applied so far (t in the rule; the first update has t = 1). Restored from
    /// checkpoints together with ``stateBuffers``.
    public var stepCount = 0
    /// The accumulator s of squared gradients (P floats).
    public let sumOfSquares: UnsafeMutableBufferPointer<Float>
    /// Number of parameters P this optimizer was built for.
    public let parameterCount: Int

    /// - Parameters:
    ///   - parameterCount: P, the ``ParameterStore/count`` of the stores it will update.
    ///   - lrDecay: default 0.
    ///   - initialAccumulatorValue: default 0.
    ///   - epsilon: default 1e-10.
    ///   - weightDecay: λ, default 0.
    ///   - l1: default 0.
    public init(parameterCount: Int, lrDecay: Float = 0, initialAccumulatorValue: Float = 0,
                epsilon: Float = 1e-10, weightDecay: Float = 0, l1: Float = 0) {
        precondition(lrDecay >= 0, "Invalid lr_decay value: \(lrDecay)")
        precondition(initialAccumulatorValue >= 0,
                     "Invalid initial_accumulator_value value: \(initialAccumulatorValue)")
        precondition(epsilon >= 0, "Invalid epsilon value: \(epsilon)")
        precondition(weightDecay >= 0, "Invalid weight_decay value: \(weightDecay)")
        precondition(l1 >= 0, "Invalid l1 value: \(l1)")
        self.parameterCount = parameterCount
        self.lrDecay = lrDecay
        self.initialAccumulatorValue = initialAccumulatorValue
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.l1 = l1
        self.sumOfSquares = ParameterStore.allocate(parameterCount)
        if initialAccumulatorValue != 0 {
            sumOfSquares.update(repeating: initialAccumulatorValue)
        }
    }

    deinit { sumOfSquares.baseAddress?.deallocate() }

    /// `sum` (torch's state name).
    ///
    /// The buffers are owned by the optimizer and valid only while it is alive.
    public var stateBuffers: [(name: String, buffer: UnsafeMutableBufferPointer<Float>)] {
        [("sum", sumOfSquares)]
    }

    /// One update at learning rate η (see the type's doc for the rule).
    public func step(store: ParameterStore, learningRate: Float) {
        precondition(store.count == parameterCount,
                     "AdaGrad was built for \(parameterCount) parameters, the store has \(store.count)")
        stepCount += 1
        let decayed = Float(Double(learningRate) / (1 + Double(stepCount - 1) * Double(lrDecay)))
        for slice in store.slices where slice.count > 0 {
            AdaGrad.update(values: store.values(of: slice), gradients: store.gradients(of: slice),
                           sumOfSquares: sumOfSquares.baseAddress! + slice.offset,
                           count: slice.count, stepSize: decayed, epsilon: epsilon,
                           weightDecay: slice.decays ? weightDecay : 0,
                           l1: slice.decays ? l1 : 0)
        }
    }

    /// The update rule over `count` contiguous elements with the already decayed step size
    /// η_t, in one pass, allocation-free.
    public static func update(values: UnsafeMutablePointer<Float>,
                              gradients: UnsafePointer<Float>,
                              sumOfSquares: UnsafeMutablePointer<Float>,
                              count: Int, stepSize: Float, epsilon: Float,
                              weightDecay: Float, l1: Float) {
        for i in 0..<count {
            let theta = values[i]
            let g = Regularization.effectiveGradient(gradients[i], value: theta,
                                                     weightDecay: weightDecay, l1: l1)
            let s = sumOfSquares[i] + g * g
            sumOfSquares[i] = s
            values[i] = theta - stepSize * (g / (s.squareRoot() + epsilon))
        }
    }
}
