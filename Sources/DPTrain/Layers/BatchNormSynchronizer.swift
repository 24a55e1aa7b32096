/// Drives the ``BatchNorm`` layers of a model through one optimizer step: deterministic
/// running statistics for every BN layer, and global-batch statistics for synchronized ones.
///
/// **Why passes.** A synchronized BN layer normalises with μ, σ² of all B samples of the step
/// (W ranks × K micro-steps), and its backward needs the global means of g and g·x̂. A forward
/// over one micro-batch cannot see the other K − 1, and micro-batches cannot all be kept in
/// memory, so the step runs extra passes over its own K micro-batches first. With L
/// synchronized layers ℓ = 0 … L − 1 (forward order) there are 2L statistics passes:
///
/// - pass ℓ (forward only): layers < ℓ normalise with their global statistics, layer ℓ
///   collects Σx, Σx², N; ``endStatisticsPass(_:communicator:)`` all-reduces them.
/// - pass 2L − 1 − ℓ (forward + loss + backward, for ℓ = L − 1 … 0): every synchronized layer
///   normalises with global statistics, layers > ℓ use their global backward means, layer ℓ
///   collects Σg, Σg·x̂, N; the end of the pass all-reduces them.
///
/// Each layer needs the global values of the layers before it (forward) or after it
/// (backward), hence one pass per layer and direction; the result is exactly full-batch BN.
/// Statistics passes are a forward (and backward) of every micro-batch, so a synchronized
/// model costs about (2L + 1)× a ghost one per step. Their backward passes add into the
/// gradient buffer, which the trainer must zero again before the final pass. Dropout masks
/// and augmentation are functions of the sample keys, so every pass sees the same inputs.
///
/// **Trainer protocol** (one optimizer step; `S` = this synchroniser):
///
///     S.beginStep()
///     for pass in 0..<S.statisticsPassCount {
///         S.beginStatisticsPass(pass)
///         for micro in 0..<K {                      // the same micro-batches as below
///             y = model.forward(x_micro, training)
///             if S.statisticsPassNeedsBackward(pass) { loss gradient (same 1/B scale); model.backward }
///         }
///         try S.endStatisticsPass(pass, communicator: c)   // collective
///     }
///     if S.statisticsPassCount > 0 { store.zeroGradients() }
///     S.beginFinalPass()
///     for micro in 0..<K { forward, loss, backward }   // the usual micro-steps
///     all-reduce gradients
///     try S.finishStep(communicator: c)                // collective; before optimizer.step
///
/// Every rank calls every collective, in the same order, even with no sample in a slot.
/// With no synchronized layer there are no statistics passes and the only extra work is one
/// all-reduce of 2C + 1 Doubles per ghost BN layer (all layers in one call) in `finishStep`.
public final class BatchNormSynchronizer {
    /// Every BN layer of the model in forward order (including those inside residual blocks).
    public let layers: [BatchNorm]
    /// The synchronized ones, in forward order.
    public let synchronizedLayers: [BatchNorm]
    private let store: ParameterStore

    /// Collects the BN layers of `model` (walking into ``ResidualBlock``s).
    public init(model: Sequential) {
        var found: [BatchNorm] = []
        func walk(_ layers: [any Layer]) {
            for layer in layers {
                if let bn = layer as? BatchNorm { found.append(bn) }
                if let block = layer as? ResidualBlock { walk(block.sublayers) }
            }
        }
        walk(model.layers)
        layers = found
        synchronizedLayers = found.filter(\.synchronized)
        store = model.store
    }

    /// True when the model has BN layers (otherwise every call is a no-op).
    public var isActive: Bool { !layers.isEmpty }

    /// 2L: the statistics passes to run before the final pass of each step.
    public var statisticsPassCount: Int { 2 * synchronizedLayers.count }

    /// Whether pass `pass` needs the loss gradient and `model.backward` (the last L passes).
    public func statisticsPassNeedsBackward(_ pass: Int) -> Bool { pass >= synchronizedLayers.count }

    /// Starts a step: clears every accumulator and the global statistics of the last step.
    public func beginStep() {
        for layer in layers {
            layer.forwardSource = .local
            layer.backwardSource = .local
            layer.runningUpdate = .none
            for i in layer.stepSums.indices { layer.stepSums[i] = 0 }
            for i in layer.forwardSums.indices { layer.forwardSums[i] = 0; layer.backwardSums[i] = 0 }
        }
    }

    /// Sets the layers up for statistics pass `pass` (0 ..< ``statisticsPassCount``).
    public func beginStatisticsPass(_ pass: Int) {
        let count = synchronizedLayers.count
        precondition(pass >= 0 && pass < 2 * count, "BatchNormSynchronizer: no statistics pass \(pass)")
        for layer in layers { layer.runningUpdate = .none }
        if pass < count {
            synchronizedLayers[pass].forwardSource = .collecting
        } else {
            synchronizedLayers[2 * count - 1 - pass].backwardSource = .collecting
        }
    }

    /// All-reduces what pass `pass` collected and makes it the global value of its layer.
    /// Collective: every rank calls it.
    public func endStatisticsPass(_ pass: Int, communicator: Communicator) throws {
        let count = synchronizedLayers.count
        precondition(pass >= 0 && pass < 2 * count, "BatchNormSynchronizer: no statistics pass \(pass)")
        if pass < count {
            let layer = synchronizedLayers[pass]
            try communicator.allReduceSum(&layer.forwardSums)
            let c = layer.channels, n = max(layer.forwardSums[2 * c], 1)
            for channel in 0..<c {
                let μ = layer.forwardSums[channel] / n
                let variance = max(layer.forwardSums[c + channel] / n - μ * μ, 0)
                layer.globalMean[channel] = μ
                layer.globalVariance[channel] = variance
                layer.globalInverseStd[channel] = 1 / (variance + layer.epsilon).squareRoot()
            }
            layer.forwardSource = .global
        } else {
            let layer = synchronizedLayers[2 * count - 1 - pass]
            try communicator.allReduceSum(&layer.backwardSums)
            let c = layer.channels, n = max(layer.backwardSums[2 * c], 1)
            for channel in 0..<c {
                layer.globalMeanGradient[channel] = layer.backwardSums[channel] / n
                layer.globalMeanGradientNormalized[channel] = layer.backwardSums[c + channel] / n
            }
            layer.backwardSource = .global
        }
    }

    /// Sets the layers up for the K micro-steps whose gradients count: synchronized layers use
    /// their global statistics, ghost layers accumulate Σx, Σx², N for the running statistics.
    public func beginFinalPass() {
        for layer in layers {
            layer.runningUpdate = .accumulate
            if layer.synchronized {
                precondition(layer.forwardSource == .global && layer.backwardSource == .global,
                             "BatchNormSynchronizer: \(layer.name) is synchronized but its statistics passes did not run")
            }
        }
    }

    /// Ends the step (after the gradient all-reduce, before the optimizer): all-reduces the
    /// ghost layers' step sums in one call, updates every layer's running statistics with the
    /// global batch's μ and unbiased σ², and zeroes the running statistics' gradient slots
    /// (they are never written, but gradient noise adds to every element). Collective.
    public func finishStep(communicator: Communicator) throws {
        guard isActive else { return }
        let ghosts = layers.filter { !$0.synchronized }
        if !ghosts.isEmpty {
            var sums = ghosts.flatMap(\.stepSums)
            try communicator.allReduceSum(&sums)
            var offset = 0
            for layer in ghosts {
                let c = layer.channels, n = sums[offset + 2 * c]
                if n > 0 {
                    var mean = [Double](repeating: 0, count: c), variance = mean
                    for channel in 0..<c {
                        mean[channel] = sums[offset + channel] / n
                        variance[channel] = max(sums[offset + c + channel] / n - mean[channel] * mean[channel], 0)
                    }
                    layer.updateRunningStatistics(mean: mean, biasedVariance: variance, count: n)
                }
                offset += 2 * c + 1
            }
        }
        for layer in synchronizedLayers where layer.forwardSource == .global {
            let c = layer.channels, n = layer.forwardSums[2 * c]
            guard n > 0 else { continue }
            layer.updateRunningStatistics(mean: layer.globalMean, biasedVariance: layer.globalVariance, count: n)
        }
        for layer in layers { layer.runningUpdate = .none }
        for slice in store.slices where slice.role == .runningStatistic {
            store.gradients(of: slice).update(repeating: 0, count: slice.count)
        }
    }
}
