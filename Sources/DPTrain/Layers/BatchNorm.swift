import Foundation

/// Batch normalisation over channels (Ioffe & Szegedy 2015):
///
///     x̂ = (x − μ_c) / √(σ²_c + ε)        y = f(γ_c·x̂ + β_c)
///
/// with an optional fused activation f (identity by default; ``ModelBuilder`` fuses the
/// activation that follows the layer in the config, saving one pass over the activations each
/// way). f must have its derivative in terms of y (``Activation/derivativeNeedsPreActivation``
/// false).
///
/// Channels: for a `[C, H, W]` (or `[C, L]`) sample the statistics of channel c run over the
/// micro-batch and all positions (N = n·H·W values); for a flat `[F]` sample every feature is
/// a channel (N = n). Shapes: X, Y `n × size`, γ, β, running mean and variance `[C]`.
///
/// **Training** normalises with the batch statistics μ, σ² (biased variance); backward, with
/// g = ∂L/∂z = ∂L/∂y ⊙ f′ (z = γ·x̂ + β) and means over the same N values:
///
///     dγ += Σ g·x̂     dβ += Σ g     dx = γ/√(σ² + ε) · (g − mean(g) − x̂·mean(g·x̂))
///
/// x̂ is not stored: backward recomputes it from X (kept as a view of the caller's input, which
/// must stay valid until backward) with the forward's μ and 1/√(σ² + ε), the same Float
/// operations as the forward.
///
/// **Evaluation** normalises with the running statistics; dx = γ·g/√(running_var + ε).
///
/// **Which batch (two modes).**
/// - Ghost (default, `synchronized == false`): statistics of each micro-batch of m samples on
///   its own (Hoffer et al. 2017, "Train longer, generalize better"); no communication in the
///   forward/backward pass. Results depend on m but not on W or K.
/// - Synchronized (`synchronized == true`): statistics, and the backward means of g and g·x̂,
///   over the whole global batch of B samples — across ranks *and* accumulation micro-steps.
///   One forward cannot see the other micro-steps, so a ``BatchNormSynchronizer`` drives
///   extra statistics passes over the step's micro-batches (see there). Used without a
///   synchroniser (no trainer support) the layer falls back to ghost mode.
///
/// **Parameters and running statistics.** `"\(name).weight"` γ (role `.normScale`, init 1)
/// and `"\(name).bias"` β (`.normShift`, init 0), neither decayed; `"\(name).running_mean"`
/// (init 0) and `"\(name).running_var"` (init 1) with role `.runningStatistic` — PyTorch's
/// names. The running statistics live in the ``ParameterStore`` so that checkpoints,
/// `final.safetensors`, the initial broadcast and replica checks include them; they are not
/// trained (backward never touches their gradient, which stays 0, and a zero gradient leaves
/// every optimizer's value unchanged). Update, with momentum α (PyTorch's convention, default
/// 0.1) and the unbiased variance:
///
///     running_mean ← (1 − α)·running_mean + α·μ        running_var ← (1 − α)·running_var + α·σ²·N/(N − 1)
///
/// When a ``BatchNormSynchronizer`` drives the step, this happens once per optimizer step in
/// ``BatchNormSynchronizer/finishStep(communicator:)`` with μ, σ² of the whole global batch
/// (all-reduced), so every replica holds the same running statistics whatever W and K are.
/// Without one (fallback), it happens after every training micro-batch with that micro-batch's
/// statistics, as in single-process PyTorch; replicas then hold different running statistics.
public final class BatchNorm: Layer {
    /// The layer's name, `<kind>.<position>`; prefixes its parameters (``Layer/name``).
    public let name: String
    /// Per-sample input shape: `[C, H, W]`, `[C, L]` or `[F]`.
    public let inputShape: [Int]
    /// Per-sample output shape: the input shape.
    public var outputShape: [Int] { inputShape }
    /// Momentum α of the running statistics (PyTorch convention: weight of the new value).
    public let momentum: Double
    /// ε added to the variance.
    public let epsilon: Double
    /// Global-batch statistics (true) or per-micro-batch "ghost" statistics (false).
    public let synchronized: Bool
    /// Whether backward computes dX (``Sequential`` clears it where dX is never used).
    public var needsInputGradient = true
    /// The fused nonlinearity f applied to γ·x̂ + β.
    public let activation: Activation

    /// C: channels (features for flat inputs).
    public let channels: Int
    /// Positions per channel and sample (H·W, L or 1).
    public let spatial: Int

    // MARK: - Bound parameters
    private var scaleSlice: ParameterSlice?
    private var shiftSlice: ParameterSlice?
    private var meanSlice: ParameterSlice?
    private var varianceSlice: ParameterSlice?
    private var store: ParameterStore?

    // MARK: - Caches of the last forward (n rows)
    /// X, `n × size`: a view of the caller's input, valid until `backward`.
    private var input: Matrix?
    /// Y, `n × size`.
    private let output = FloatBuffer()
    /// g = ∂L/∂y ⊙ f′, `n × size` (only with a fused activation).
    private let activationGradient = FloatBuffer()
    /// dX, `n × size`.
    private let inputGradient = FloatBuffer()
    /// μ and 1/√(σ² + ε) per channel used by the last forward.
    private var mean: [Double]
    private var inverseStd: [Double]
    /// Biased σ² per channel of the last forward with local statistics (kept to avoid an array per forward).
    private var variance: [Double]
    /// Rows of the last forward and whether it used batch statistics (training).
    private var rows = -1
    private var usedBatchStatistics = false

    // MARK: - Step protocol state (driven by BatchNormSynchronizer)
    /// Where the forward statistics come from in a training forward.
    enum Source { case local, collecting, global }
    /// How the running statistics are updated by training forwards.
    enum RunningUpdate { case perMicroBatch, accumulate, none }
    var forwardSource = Source.local
    var backwardSource = Source.local
    var runningUpdate = RunningUpdate.perMicroBatch
    /// Σx, Σx², N per channel: [0..<C] sums, [C..<2C] sums of squares, [2C] count.
    var forwardSums: [Double]
    /// Σg, Σg·x̂, N per channel, same layout.
    var backwardSums: [Double]
    /// Σx, Σx², N of the ghost-mode training forwards of this step (layout of `forwardSums`).
    var stepSums: [Double]
    /// Global μ and 1/√(σ² + ε) of the step (valid when `forwardSource == .global`).
    var globalMean: [Double]
    var globalInverseStd: [Double]
    /// Global biased σ² of the step (for the running variance).
    var globalVariance: [Double]
    /// Global mean(g) and mean(g·x̂) of the step (valid when `backwardSource == .global`).
    var globalMeanGradient: [Double]
    var globalMeanGradientNormalized: [Double]

    /// - Parameters:
    ///   - name: parameter prefix, by convention `batchnorm.<position in the model>`.
    ///   - inputShape: `[C, H, W]`, `[C, L]` or `[F]`.
    ///   - momentum: α in (0, 1], default 0.1.
    ///   - epsilon: ε > 0, default 1e-5.
    ///   - synchronized: global-batch statistics (default false: ghost, per micro-batch).
    ///   - activation: fused f (default `.identity`); precondition: f′ is a function of y.
    public init(name: String, inputShape: [Int], momentum: Double = 0.1, epsilon: Double = 1e-5,
                synchronized: Bool = false, activation: Activation = .identity) {
        precondition((1...3).contains(inputShape.count) && inputShape.allSatisfy { $0 > 0 },
                     "BatchNorm \(name): input shape must be [C, H, W], [C, L] or [F], got \(inputShape)")
        precondition(momentum > 0 && momentum <= 1 && epsilon > 0, "BatchNorm \(name): momentum in (0, 1], epsilon > 0")
        precondition(!activation.derivativeNeedsPreActivation,
                     "BatchNorm \(name): a fused \(activation) needs its pre-activation; use a separate activation layer")
        self.activation = activation
        self.name = name
        self.inputShape = inputShape
        self.momentum = momentum
        self.epsilon = epsilon
        self.synchronized = synchronized
        channels = inputShape[0]
        spatial = inputShape.dropFirst().reduce(1, *)
        mean = Array(repeating: 0, count: channels)
        variance = Array(repeating: 1, count: channels)
        inverseStd = Array(repeating: 1, count: channels)
        forwardSums = Array(repeating: 0, count: 2 * channels + 1)
        backwardSums = Array(repeating: 0, count: 2 * channels + 1)
        stepSums = Array(repeating: 0, count: 2 * channels + 1)
        globalMean = Array(repeating: 0, count: channels)
        globalInverseStd = Array(repeating: 1, count: channels)
        globalVariance = Array(repeating: 1, count: channels)
        globalMeanGradient = Array(repeating: 0, count: channels)
        globalMeanGradientNormalized = Array(repeating: 0, count: channels)
    }

    /// γ `"\(name).weight"`, β `"\(name).bias"`, `"\(name).running_mean"`, `"\(name).running_var"`, each `[C]`.
    public var parameterSpecs: [ParameterSpec] {
        [ParameterSpec(name: "\(name).weight", shape: [channels], role: .normScale),
         ParameterSpec(name: "\(name).bias", shape: [channels], role: .normShift),
         ParameterSpec(name: "\(name).running_mean", shape: [channels], role: .runningStatistic, decays: false),
         ParameterSpec(name: "\(name).running_var", shape: [channels], role: .runningStatistic, decays: false)]
    }

    /// Finds the four slices in `store`; precondition: present.
    public func bind(to store: ParameterStore) {
        func find(_ suffix: String) -> ParameterSlice {
            guard let slice = store.slice(named: "\(name).\(suffix)") else {
                preconditionFailure("BatchNorm \(name): the store has no \(name).\(suffix)")
            }
            return slice
        }
        scaleSlice = find("weight")
        shiftSlice = find("bias")
        meanSlice = find("running_mean")
        varianceSlice = find("running_var")
        self.store = store
    }

    /// γ = 1, β = 0, running mean 0, running variance 1 (draws nothing).
    public func initializeParameters(in store: ParameterStore, generator: inout SplitMix64) {
        for (suffix, value) in [("weight", Float(1)), ("bias", 0), ("running_mean", 0), ("running_var", 1)] {
            guard let slice = store.slice(named: "\(name).\(suffix)") else {
                preconditionFailure("BatchNorm \(name): the store has no \(name).\(suffix)")
            }
            store.values(of: slice).update(repeating: value, count: slice.count)
        }
    }

    /// Pointers to γ, β, running mean and running variance.
    private func parameters() -> (γ: UnsafeMutablePointer<Float>, β: UnsafeMutablePointer<Float>,
                                  mean: UnsafeMutablePointer<Float>, variance: UnsafeMutablePointer<Float>) {
        guard let store, let scaleSlice, let shiftSlice, let meanSlice, let varianceSlice else {
            preconditionFailure("BatchNorm \(name): used before bind(to:)")
        }
        return (store.values(of: scaleSlice), store.values(of: shiftSlice),
                store.values(of: meanSlice), store.values(of: varianceSlice))
    }

    // MARK: - Forward

    /// Y = f(γ·x̂ + β), `n × size` (a view of a buffer this layer owns); batch statistics in
    /// training, running statistics in evaluation.
    public func forward(_ input: Matrix, context: PassContext) -> Matrix {
        precondition(input.columns == inputSize, "BatchNorm \(name): input has \(input.columns) columns, expected \(inputSize)")
        let (γ, β, runningMean, runningVariance) = parameters()
        let n = input.rows, c = channels, s = spatial, size = inputSize
        rows = n
        self.input = input
        usedBatchStatistics = context.training
        let y = output.matrix(rows: n, columns: size)
        let fused = !activation.isIdentity, fusedRelu = activation == .relu
        /// Y rows of one channel, right after its statistics while its rows are still in cache
        /// (a channel of a 128-sample micro-batch at 28×28 is 400 KB).
        func normalize(channel: Int) {
            let μ = Float(mean[channel]), scale = Float(inverseStd[channel])
            let g = γ[channel], b = β[channel]
            for sample in 0..<n {
                let offset = sample * size + channel * s
                let x = input.base + offset, yr = y.base + offset
                if fusedRelu {
                    // ReLU (the usual CNN block) in the same loop, the same Float operations as
                    // ``Activation/forward(_:output:count:)``: one pass, no call per row.
                    for j in 0..<s {
                        let z = g * ((x[j] - μ) * scale) + b
                        yr[j] = z > 0 ? z : 0
                    }
                    continue
                }
                for j in 0..<s { yr[j] = g * ((x[j] - μ) * scale) + b }
                // The row is still in L1: f in place costs no extra pass over memory.
                if fused { activation.forward(yr, output: yr, count: s) }
            }
        }
        if !context.training {
            for channel in 0..<c {
                mean[channel] = Double(runningMean[channel])
                inverseStd[channel] = 1 / (Double(runningVariance[channel]) + epsilon).squareRoot()
                normalize(channel: channel)
            }
        } else if synchronized && forwardSource == .global {
            mean = globalMean
            inverseStd = globalInverseStd
            for channel in 0..<c { normalize(channel: channel) }
        } else {
            // Local statistics of this micro-batch, two passes (each row of s values summed in
            // Float lanes, rows in Double).
            let count = Double(n * s)
            for channel in 0..<c {
                var sum = 0.0
                for sample in 0..<n {
                    sum += VectorMath.sum(input.base + sample * size + channel * s, count: s)
                }
                let μ = sum / count
                var squares = 0.0
                for sample in 0..<n {
                    squares += VectorMath.sumOfSquaredDeviations(input.base + sample * size + channel * s, count: s, from: μ)
                }
                mean[channel] = μ
                variance[channel] = squares / count
                inverseStd[channel] = 1 / (variance[channel] + epsilon).squareRoot()
                normalize(channel: channel)
            }
            let collect = synchronized && forwardSource == .collecting
            let accumulate = runningUpdate == .accumulate && !synchronized
            if collect || accumulate {
                // Σx = N·μ, Σx² = N·(σ² + μ²).
                for channel in 0..<c {
                    let μ = mean[channel]
                    if collect {
                        forwardSums[channel] += count * μ
                        forwardSums[c + channel] += count * (variance[channel] + μ * μ)
                    }
                    if accumulate {
                        stepSums[channel] += count * μ
                        stepSums[c + channel] += count * (variance[channel] + μ * μ)
                    }
                }
                if collect { forwardSums[2 * c] += count }
                if accumulate { stepSums[2 * c] += count }
            }
            if runningUpdate == .perMicroBatch {
                updateRunningStatistics(mean: mean, biasedVariance: variance, count: count)
            }
        }
        return y
    }

    /// running ← (1 − α)·running + α·new, with the unbiased variance σ²·N/(N − 1).
    func updateRunningStatistics(mean: [Double], biasedVariance: [Double], count: Double) {
        let (_, _, runningMean, runningVariance) = parameters()
        let α = momentum, correction = count / max(count - 1, 1)
        for channel in 0..<channels {
            runningMean[channel] = Float((1 - α) * Double(runningMean[channel]) + α * mean[channel])
            runningVariance[channel] = Float((1 - α) * Double(runningVariance[channel])
                                             + α * biasedVariance[channel] * correction)
        }
    }

    // MARK: - Backward

    /// Given dY (`n × size`), adds dγ, dβ into the store's gradients and returns dX
    /// (`n × size`), or `0 × size` when `needsInputGradient` is false.
    public func backward(_ outputGradient: Matrix, context: PassContext) -> Matrix {
        precondition(rows >= 0, "BatchNorm \(name): backward without forward")
        precondition(outputGradient.rows == rows && outputGradient.columns == inputSize,
                     "BatchNorm \(name): gradient shape does not match the last forward")
        guard let store, let scaleSlice, let shiftSlice, let input else { preconditionFailure("BatchNorm \(name): not bound") }
        let γ = store.values(of: scaleSlice)
        let dγ = store.gradients(of: scaleSlice), dβ = store.gradients(of: shiftSlice)
        let n = rows, c = channels, s = spatial, size = inputSize
        let x = UnsafePointer(input.base)
        // g = dY ⊙ f′(y) row by row (fused activation), or dY itself.
        let fused = !activation.isIdentity, fusedRelu = activation == .relu
        let dy = fused ? UnsafePointer(activationGradient.matrix(rows: n, columns: size).base)
                       : UnsafePointer(outputGradient.base)
        let count = Double(n * s)
        let collecting = usedBatchStatistics && synchronized && backwardSource == .collecting
        let dX = needsInputGradient ? inputGradient.matrix(rows: n, columns: size)
                                    : Matrix(base: inputGradient.base, rows: 0, columns: size)
        // Channel by channel: the sums, then (with dX) the channel's dX rows while its g and x
        // rows are still in cache.
        for channel in 0..<c {
            var sumG = 0.0, sumGX = 0.0
            let μ = Float(mean[channel]), scale = Float(inverseStd[channel])
            for sample in 0..<n {
                let offset = sample * size + channel * s
                if fusedRelu {
                    // g = dY where y > 0, else 0 (as ``Activation/backward``), without a call per row.
                    let yr = output.base + offset, dyr = outputGradient.base + offset
                    let gr = activationGradient.base + offset
                    for j in 0..<s { let d = dyr[j]; gr[j] = yr[j] > 0 ? d : 0 }
                } else if fused {
                    activation.backward(preActivation: output.base + offset, output: output.base + offset,
                                        outputGradient: outputGradient.base + offset,
                                        inputGradient: activationGradient.base + offset, count: s)
                }
                let (rowSum, rowDot) = VectorMath.sumAndDot(dy + offset, x + offset, count: s,
                                                            centre: μ, scale: scale)
                sumG += rowSum
                sumGX += rowDot
            }
            dγ[channel] += Float(sumGX)
            dβ[channel] += Float(sumG)
            if collecting {
                backwardSums[channel] += sumG
                backwardSums[c + channel] += sumGX
            }
            guard needsInputGradient else { continue }
            let k = Float(Double(γ[channel]) * inverseStd[channel])
            var meanG: Float = 0, meanGX: Float = 0
            if usedBatchStatistics {
                if synchronized && backwardSource == .global {
                    meanG = Float(globalMeanGradient[channel])
                    meanGX = Float(globalMeanGradientNormalized[channel])
                } else {
                    meanG = Float(sumG / count)
                    meanGX = Float(sumGX / count)
                }
            }
            for sample in 0..<n {
                let offset = sample * size + channel * s
                let g = dy + offset, xr = x + offset, dx = dX.base + offset
                for j in 0..<s { dx[j] = k * (g[j] - meanG - ((xr[j] - μ) * scale) * meanGX) }
            }
        }
        if collecting { backwardSums[2 * c] += count }
        return dX
    }
}
