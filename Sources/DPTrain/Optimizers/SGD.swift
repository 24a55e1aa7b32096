/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum, coupled
/// (L2) or decoupled weight decay and an L1 penalty — `torch.optim.SGD` semantics.
///
/// At update t (t = 1 first) with learning rate η, for every element of every slice:
///
///     g' = g + λ·θ + l1·sign(θ)        (λ only if coupled; λ, l1 only on slices with
///                                        `decays`, see ``Regularization``)
///     θ  ← θ − η·λ_d·θ                  (decoupled: λ_d = λ, else 0)
///     if μ ≠ 0:
///         b ← g'                        at t = 1
///         b ← μ·b + (1 − dampening)·g'  at t > 1
///         d  = g' + μ·b                 (nesterov)   or   d = b
///     else:
///         d  = g'
///     θ  ← θ − η·d
///
/// This is PyTorch's momentum convention (η outside the buffer, b = μb + g). Sutskever's
/// convention keeps η inside a velocity, v ← μv + η·g, θ ← θ − v; the two agree while η is
/// constant but not when η changes. Goyal et al. (2017, §2.2) restore the agreement with their
/// *momentum correction*: when η changes from η_t to η_{t+1}, scale the velocity by
/// η_{t+1}/η_t, v ← μ·(η_{t+1}/η_t)·v + η_{t+1}·g. With v_t = η_t·b_t that is exactly the update
/// above, so the correction is implicit here: it needs no stored η and survives resume with the
/// buffer alone. This is the default, `momentumCorrection == true` (`optimizer.momentum_correction:
/// true`). Without the correction (`false`) the buffer is Sutskever's velocity itself, as in
/// Caffe and Keras, and it keeps the old η when η changes (the buffer is then named `velocity`):
///
///     v ← g'·η                            at t = 1
///     v ← μ·v + (1 − dampening)·η·g'      at t > 1
///     θ ← θ − η·λ_d·θ − d,   d = η·g' + μ·v (nesterov)   or   d = v
///
/// During a warmup (η growing) the uncorrected velocity lags: it holds gradients weighted with
/// the smaller rates of earlier steps. Horovod's `momentum_correction` option does the same for
/// Keras's (uncorrected) SGD.
///
/// Defaults equal `torch.optim.SGD` (lr 0.01 in configs, momentum 0, dampening 0,
/// weight_decay 0, nesterov false). torch decays every parameter; here only slices with
/// `decays == true` (weights by default).
///
/// Reference: Sutskever et al., "On the importance of initialization and momentum in deep
/// learning", ICML 2013, http://proceedings.mlr.press/v28/sutskever13.html ; momentum
/// correction: Goyal et al., "Accurate, Large Minibatch SGD", 2017, §2.2,
/// https://arxiv.org/abs/1706.02677 ; decoupled decay: Loshchilov & Hutter, ICLR 2019,
/// https://arxiv.org/abs/1711.05101
public final class SGD: SliceOptimizer {
    /// Config name, `"sgd"`.
    public let name = "sgd"
    /// μ ≥ 0, default 0 (no momentum buffer is allocated when 0).
    public let momentum: Float
    /// Fraction of g' kept out of the momentum buffer after the first step, default 0.
    public let dampening: Float
    /// Nesterov momentum d = g' + μ·b; requires μ > 0 and dampening = 0. Default false.
    public let nesterov: Bool
    /// Coupled (λ·θ in g', default) or decoupled (θ ← θ − η·λ·θ before the update, SGDW).
    public let weightDecayMode: WeightDecayMode
    /// Goyal et al.'s momentum correction when η changes (default true: η outside the buffer,
    /// which includes it); false keeps η inside an uncorrected velocity (see the type's doc).
    public let momentumCorrection: Bool
    /// λ ≥ 0 and l1 ≥ 0, default 0 each.
    public let regularization: Regularization
    /// Update count and `momentum_buffer` (or `velocity` without momentum correction).
    public let state: OptimizerState
    /// The momentum buffer b, or the velocity v without momentum correction (P floats), `nil`
    /// when μ = 0.
    public let momentumBuffer: UnsafeMutableBufferPointer<Float>?

    /// - Parameters:
    ///   - parameterCount: P, the ``ParameterStore/count`` of the stores it will update.
    ///   - momentum: μ, default 0.
    ///   - dampening: default 0.
    ///   - nesterov: default false.
    ///   - weightDecay: λ, default 0.
    ///   - weightDecayMode: default `.coupled` (L2 as in torch).
    ///   - l1: default 0.
    ///   - momentumCorrection: default true (η outside the buffer; see the type's doc).
    public init(parameterCount: Int, momentum: Float = 0, dampening: Float = 0,
                nesterov: Bool = false, weightDecay: Float = 0,
                weightDecayMode: WeightDecayMode = .coupled, l1: Float = 0, momentumCorrection: Bool = true) {
        HyperparameterCheck.nonNegative(["momentum": momentum])
        precondition(!nesterov || (momentum > 0 && dampening == 0),
                     "Nesterov momentum requires a momentum and zero dampening")
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        self.weightDecayMode = weightDecayMode
        self.momentumCorrection = momentumCorrection
        self.regularization = Regularization(weightDecay: weightDecay, l1: l1)
        self.state = OptimizerState(parameterCount: parameterCount)
        self.momentumBuffer = momentum != 0 ? state.allocate(momentumCorrection ? "momentum_buffer" : "velocity") : nil
    }

    /// Whether this is update 1 (the momentum buffer then starts as g').
    public func constants(forStep t: Int, learningRate: Float) -> Bool { t == 1 }

    /// One slice of update t (see the type's doc for the rule).
    public func update(_ slice: OptimizerSlice, learningRate: Float, constants isFirstStep: Bool) {
        let decay = slice.regularization.weightDecay
        SGD.update(values: slice.values, gradients: slice.gradients,
                   momentumBuffer: slice.state(momentumBuffer),
                   count: slice.count, learningRate: learningRate,
                   momentum: momentum, dampening: dampening, nesterov: nesterov,
                   weightDecay: weightDecayMode == .coupled ? decay : 0,
                   decoupledWeightDecay: weightDecayMode == .decoupled ? decay : 0,
                   l1: slice.regularization.l1, isFirstStep: isFirstStep,
                   momentumCorrection: momentumCorrection)
    }

    /// The update rule over `count` contiguous elements, in one pass, allocation-free.
    ///
    /// `weightDecay` is the coupled λ and `decoupledWeightDecay` the decoupled λ_d (pass 0 for
    /// whichever is off); `momentumBuffer` must be non-nil when `momentum` ≠ 0 and holds b
    /// (`momentumCorrection`, the default) or the velocity v (without).
    public static func update(values: UnsafeMutablePointer<Float>,
                              gradients: UnsafePointer<Float>,
                              momentumBuffer: UnsafeMutablePointer<Float>?,
                              count: Int, learningRate: Float,
                              momentum: Float, dampening: Float, nesterov: Bool,
                              weightDecay: Float, decoupledWeightDecay: Float, l1: Float,
                              isFirstStep: Bool, momentumCorrection: Bool = true) {
        let shrink = 1 - learningRate * decoupledWeightDecay
        guard momentum != 0, let buffer = momentumBuffer else {
            Regularization.updateEach(values: values, gradients: gradients, count: count,
                                      weightDecay: weightDecay, l1: l1) { _, theta, g in
                theta * shrink - learningRate * g
            }
            return
        }
        // b ← keep·b + fresh·g'. At t = 1 (keep, fresh) = (0, 1) gives b = g' exactly (torch
        // clones g'); the buffer is still zero then. A branch in the loop would stop it from
        // vectorizing, so the Nesterov choice is a closure inlined into the loop. Without
        // momentum correction η moves from the step into the buffer: (into, out) = (η, 1)
        // instead of (1, η), so the buffer is v and g'·η enters it (a factor 1 is exact).
        let keep: Float = isFirstStep ? 0 : momentum
        let fresh: Float = isFirstStep ? 1 : 1 - dampening
        let into: Float = momentumCorrection ? 1 : learningRate
        let out: Float = momentumCorrection ? learningRate : 1
        @inline(__always)
        func withMomentum(direction: (_ g: Float, _ b: Float) -> Float) {
            Regularization.updateEach(values: values, gradients: gradients, count: count,
                                      weightDecay: weightDecay, l1: l1) { i, theta, g in
                let scaled = into * g
                let b = keep * buffer[i] + fresh * scaled
                buffer[i] = b
                return theta * shrink - out * direction(scaled, b)
            }
        }
        if nesterov {
            withMomentum { g, b in g + momentum * b }
        } else {
            withMomentum { _, b in b }
        }
    }
}

// MARK: - Config

extension SGD {
    /// `optimizer: {name: sgd, momentum, dampening, nesterov, decoupled, momentum_correction}` (besides `lr`,
    /// default 0.01, `weight_decay` and `l1`, default 0).
    public struct Options: OptimizerOptions {
        /// `momentum`: μ in [0, 1), default 0.
        public var momentum: Double
        /// `dampening`: in [0, 1], default 0.
        public var dampening: Double
        /// `nesterov`: default false; needs `momentum` > 0 and `dampening` 0.
        public var nesterov: Bool
        /// `decoupled`: apply `weight_decay` decoupled (SGDW), default false.
        public var decoupled: Bool
        /// `momentum_correction`: Goyal et al.'s momentum correction when the LR changes,
        /// default true (torch's convention, which includes it); false is the uncorrected
        /// velocity v ← μv + η·g of Caffe and Keras (see ``SGD``).
        public var momentumCorrection: Bool

        init(reading reader: ConfigReader) throws {
            momentum = try reader.unitIntervalOption("momentum", default: 0)
            dampening = try reader.double("dampening", default: 0, allowed: "a value in [0, 1]",
                                          where: { $0 >= 0 && $0 <= 1 })
            nesterov = try reader.bool("nesterov", default: false)
            decoupled = try reader.bool("decoupled", default: false)
            momentumCorrection = try reader.bool("momentum_correction", default: true)
            if nesterov && (momentum == 0 || dampening != 0) {
                throw ConfigError.inconsistent(message:
                    "optimizer.nesterov: true needs optimizer.momentum > 0 and optimizer.dampening: 0 (as in torch.optim.SGD)")
            }
        }

        public func makeOptimizer(parameterCount: Int, weightDecay: Float, l1: Float) -> any Optimizer {
            SGD(parameterCount: parameterCount, momentum: Float(momentum), dampening: Float(dampening),
                nesterov: nesterov, weightDecay: weightDecay,
                weightDecayMode: decoupled ? .decoupled : .coupled, l1: l1,
                momentumCorrection: momentumCorrection)
        }
    }

    /// `optimizer.name: sgd`.
    public static let kind = OptimizerKind(name: "sgd") { try Options(reading: $0) }
}
