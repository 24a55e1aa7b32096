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
/// Defaults equal torch (lr 0.01, lr_decay 0, weight_decay 0, initial_accumulator_value 0,
/// eps 1e-10). torch decays every parameter; here only slices with `decays == true`.
///
/// Reference: Duchi, Hazan & Singer, "Adaptive Subgradient Methods for Online Learning and
/// Stochastic Optimization", JMLR 12, 2011, https://jmlr.org/papers/v12/duchi11a.html
public final class AdaGrad: SliceOptimizer {
    /// Config name, `"adagrad"`.
    public let name = "adagrad"
    /// Decay of the step size with t: η_t = η / (1 + (t − 1)·lrDecay). Default 0.
    public let lrDecay: Float
    /// Value every element of the accumulator s starts at. Default 0.
    public let initialAccumulatorValue: Float
    /// ε added to √s, default 1e-10.
    public let epsilon: Float
    /// Coupled λ and l1, default 0 each.
    public let regularization: Regularization
    /// Update count and `sum`.
    public let state: OptimizerState
    /// The accumulator s of squared gradients (P floats), `sum` in checkpoints.
    public let sumOfSquares: UnsafeMutableBufferPointer<Float>

    /// - Parameters:
    ///   - parameterCount: P, the ``ParameterStore/count`` of the stores it will update.
    ///   - lrDecay: default 0.
    ///   - initialAccumulatorValue: default 0.
    ///   - epsilon: default 1e-10.
    ///   - weightDecay: λ, default 0.
    ///   - l1: default 0.
    public init(parameterCount: Int, lrDecay: Float = 0, initialAccumulatorValue: Float = 0,
                epsilon: Float = 1e-10, weightDecay: Float = 0, l1: Float = 0) {
        HyperparameterCheck.nonNegative(["lr_decay": lrDecay,
                                         "initial_accumulator_value": initialAccumulatorValue,
                                         "epsilon": epsilon])
        self.lrDecay = lrDecay
        self.initialAccumulatorValue = initialAccumulatorValue
        self.epsilon = epsilon
        self.regularization = Regularization(weightDecay: weightDecay, l1: l1)
        self.state = OptimizerState(parameterCount: parameterCount)
        self.sumOfSquares = state.allocate("sum", filledWith: initialAccumulatorValue)
    }

    /// η_t = η / (1 + (t − 1)·lrDecay), in Double as torch computes it in Python floats.
    public func constants(forStep t: Int, learningRate: Float) -> Float {
        Float(Double(learningRate) / (1 + Double(t - 1) * Double(lrDecay)))
    }

    /// One slice of update t (see the type's doc for the rule).
    public func update(_ slice: OptimizerSlice, learningRate: Float, constants decayedRate: Float) {
        AdaGrad.update(values: slice.values, gradients: slice.gradients,
                       sumOfSquares: slice.state(sumOfSquares),
                       count: slice.count, stepSize: decayedRate, epsilon: epsilon,
                       weightDecay: slice.regularization.weightDecay, l1: slice.regularization.l1)
    }

    /// The update rule over `count` contiguous elements with the already decayed step size
    /// η_t, in one pass, allocation-free.
    public static func update(values: UnsafeMutablePointer<Float>,
                              gradients: UnsafePointer<Float>,
                              sumOfSquares: UnsafeMutablePointer<Float>,
                              count: Int, stepSize: Float, epsilon: Float,
                              weightDecay: Float, l1: Float) {
        Regularization.updateEach(values: values, gradients: gradients, count: count,
                                  weightDecay: weightDecay, l1: l1) { i, theta, g in
            let s = sumOfSquares[i] + g * g
            sumOfSquares[i] = s
            return theta - stepSize * (g / (s.squareRoot() + epsilon))
        }
    }
}

// MARK: - Config

extension AdaGrad {
    /// `optimizer: {name: adagrad, lr_decay, initial_accumulator_value, eps}` (besides `lr`,
    /// default 0.01, `weight_decay` and `l1`, default 0).
    public struct Options: OptimizerOptions {
        /// `lr_decay`: ≥ 0, default 0.
        public var lrDecay: Double
        /// `initial_accumulator_value`: ≥ 0, default 0.
        public var initialAccumulatorValue: Double
        /// `eps`: ≥ 0, default 1e-10.
        public var epsilon: Double

        init(reading reader: ConfigReader) throws {
            lrDecay = try reader.nonNegativeOption("lr_decay", default: 0)
            initialAccumulatorValue = try reader.nonNegativeOption("initial_accumulator_value", default: 0)
            epsilon = try reader.nonNegativeOption("eps", default: 1e-10)
        }

        public func makeOptimizer(parameterCount: Int, weightDecay: Float, l1: Float) -> any Optimizer {
            AdaGrad(parameterCount: parameterCount, lrDecay: Float(lrDecay),
                    initialAccumulatorValue: Float(initialAccumulatorValue),
                    epsilon: Float(epsilon), weightDecay: weightDecay, l1: l1)
        }
    }

    /// `optimizer.name: adagrad`.
    public static let kind = OptimizerKind(name: "adagrad") { try Options(reading: $0) }
}
