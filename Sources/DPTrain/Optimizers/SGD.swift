/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum, coupled
/// (L2) or decoupled weight decay and an L1 penalty — `torch.optim.SGD` semantics.
///
/// At update t (t = 1 first) with learning rate η, for every element of every slice:
///
///     g' = g + λ·θ + l1·sign(θ)        (λ = weightDecay if coupled, else 0; λ, l1 only on
///                                        slices with `decays`, see ``Regularization``)
///     θ  ← θ − η·λ_d·θ                  (decoupled: λ_d = weightDecay, else 0)
///     if μ ≠ 0:
///         b ← g'                        at t = 1
///         b ← μ·b + (1 − dampening)·g'  at t > 1
///         d  = g' + μ·b                 (nesterov)   or   d = b
///     else:
///         d  = g'
///     θ  ← θ − η·d
///
/// This is PyTorch's momentum convention (η outside the buffer, b = μb + g), not Sutskever's
/// v = μv + η·g: the two agree for a constant η but differ when η changes.
///
/// Defaults equal `torch.optim.SGD` (momentum 0, dampening 0, weight_decay 0, nesterov false).
/// torch decays every parameter; here only slices with `decays == true` (weights by default).
///
/// Reference: Sutskever et al., "On the importance of initialization and momentum in deep
/// learning", ICML 2013, http://proceedings.mlr.press/v28/sutskever13.html ; decoupled decay:
/// Loshchilov & Hutter, ICLR 2019, https://arxiv.org/abs/1711.05101
public final class SGD: Optimizer {
    /// Config name, `"sgd"`.
    public let name = "sgd"
    /// μ ≥ 0, default 0 (no momentum buffer is allocated when 0).
    public let momentum: Float
    /// Fraction of g' kept out of the momentum buffer after the first step, default 0.
    public let dampening: Float
    /// Nesterov momentum d = g' + μ·b; requires μ > 0 and dampening = 0. Default false.
    public let nesterov: Bool
    /// λ ≥ 0, default 0. Coupled (added to the gradient) unless ``decoupledWeightDecay``.
    public let weightDecay: Float
    /// When true, λ is applied as θ ← θ − η·λ·θ before the update instead of as λ·θ in g'.
    public let decoupledWeightDecay: Bool
    /// L1 coefficient, default 0 (l1·sign(θ) added to g' on decaying slices).
    public let l1: Float
    /// Updates applied so far (t in the rule; the first update has t = 1). Restored from
    /// checkpoints together with ``stateBuffers``.
    public var stepCount = 0
    /// The momentum buffer b (P floats), `nil` when μ = 0.
    public let momentumBuffer: UnsafeMutableBufferPointer<Float>?
    /// Number of parameters P this optimizer was built for.
    public let parameterCount: Int

    /// - Parameters:
    ///   - parameterCount: P, the ``ParameterStore/count`` of the stores it will update.
    ///   - momentum: μ, default 0.
    ///   - dampening: default 0.
    ///   - nesterov: default false.
    ///   - weightDecay: λ, default 0.
    ///   - decoupledWeightDecay: default false (coupled L2 as in torch).
    ///   - l1: default 0.
    public init(parameterCount: Int, momentum: Float = 0, dampening: Float = 0,
                nesterov: Bool = false, weightDecay: Float = 0,
                decoupledWeightDecay: Bool = false, l1: Float = 0) {
        precondition(momentum >= 0, "Invalid momentum value: \(momentum)")
        precondition(weightDecay >= 0, "Invalid weight_decay value: \(weightDecay)")
        precondition(l1 >= 0, "Invalid l1 value: \(l1)")
        precondition(!nesterov || (momentum > 0 && dampening == 0),
                     "Nesterov momentum requires a momentum and zero dampening")
        self.parameterCount = parameterCount
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        self.weightDecay = weightDecay
        self.decoupledWeightDecay = decoupledWeightDecay
        self.l1 = l1
        self.momentumBuffer = momentum != 0 ? ParameterStore.allocate(parameterCount) : nil
    }

    deinit { momentumBuffer?.baseAddress?.deallocate() }

    /// `momentum_buffer` (torch's state name) when μ ≠ 0, else nothing.
    ///
    /// The buffers are owned by the optimizer and valid only while it is alive.
    public var stateBuffers: [(name: String, buffer: UnsafeMutableBufferPointer<Float>)] {
        momentumBuffer.map { [("momentum_buffer", $0)] } ?? []
    }

    /// One update at learning rate η (see the type's doc for the rule).
    public func step(store: ParameterStore, learningRate: Float) {
        precondition(store.count == parameterCount,
                     "SGD was built for \(parameterCount) parameters, the store has \(store.count)")
        stepCount += 1
        for slice in store.slices where slice.count > 0 {
            let decays = slice.decays
            SGD.update(values: store.values(of: slice), gradients: store.gradients(of: slice),
                       momentumBuffer: momentumBuffer.map { $0.baseAddress! + slice.offset },
                       count: slice.count, learningRate: learningRate,
                       momentum: momentum, dampening: dampening, nesterov: nesterov,
                       weightDecay: decays && !decoupledWeightDecay ? weightDecay : 0,
                       decoupledWeightDecay: decays && decoupledWeightDecay ? weightDecay : 0,
                       l1: decays ? l1 : 0, isFirstStep: stepCount == 1)
        }
    }

    /// The update rule over `count` contiguous elements, in one pass, allocation-free.
    ///
    /// `weightDecay` is the coupled λ and `decoupledWeightDecay` the decoupled λ_d (pass 0 for
    /// whichever is off); `momentumBuffer` must be non-nil when `momentum` ≠ 0.
    public static func update(values: UnsafeMutablePointer<Float>,
                              gradients: UnsafePointer<Float>,
                              momentumBuffer: UnsafeMutablePointer<Float>?,
                              count: Int, learningRate: Float,
                              momentum: Float, dampening: Float, nesterov: Bool,
                              weightDecay: Float, decoupledWeightDecay: Float, l1: Float,
                              isFirstStep: Bool) {
        let shrink = 1 - learningRate * decoupledWeightDecay
        guard momentum != 0, let buffer = momentumBuffer else {
            for i in 0..<count {
                let theta = values[i]
                let g = Regularization.effectiveGradient(gradients[i], value: theta,
                                                         weightDecay: weightDecay, l1: l1)
                values[i] = theta * shrink - learningRate * g
            }
            return
        }
        // b ← keep·b + fresh·g'. At t = 1 (keep, fresh) = (0, 1) gives b = g' exactly (torch
        // clones g'); the buffer is still zero then. A branch in the loop would stop it from
        // vectorizing.
        let keep: Float = isFirstStep ? 0 : momentum
        let fresh: Float = isFirstStep ? 1 : 1 - dampening
        if nesterov {
            for i in 0..<count {
                let theta = values[i]
                let g = Regularization.effectiveGradient(gradients[i], value: theta,
                                                         weightDecay: weightDecay, l1: l1)
                let b = keep * buffer[i] + fresh * g
                buffer[i] = b
                values[i] = theta * shrink - learningRate * (g + momentum * b)
            }
        } else {
            for i in 0..<count {
                let theta = values[i]
                let g = Regularization.effectiveGradient(gradients[i], value: theta,
                                                         weightDecay: weightDecay, l1: l1)
                let b = keep * buffer[i] + fresh * g
                buffer[i] = b
                values[i] = theta * shrink - learningRate * b
            }
        }
    }
}
