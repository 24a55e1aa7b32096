import DPTrain
import Testing

// Synchronized batch norm: one optimizer step split into K micro-batches (W = 1, LocalCommunicator)
// and driven by BatchNormSynchronizer must give the gradient and running statistics of
// ordinary BN over the whole batch in one pass. Ghost BN over the same micro-batches must not.

/// A small CNN with three BN layers (two on [C, H, W], one on flat features) and dropout.
private func makeModel(synchronized: Bool) -> Sequential {
    let conv1 = Conv2D(name: "conv2d.0", inputShape: [1, 6, 6], outputChannels: 3, kernel: (3, 3), padding: 1, usesBias: false)
    let bn1 = BatchNorm(name: "batchnorm.1", inputShape: [3, 6, 6], synchronized: synchronized)
    let relu1 = ActivationLayer(name: "activation.2", activation: .relu, shape: [3, 6, 6])
    let block = ResidualBlock.basic(name: "residual.3", inputShape: [3, 6, 6], channels: 4, stride: 2,
                                    synchronizedBatchNorm: synchronized)
    let flatten = Flatten(name: "flatten.4", inputShape: [4, 3, 3])
    let dropout = Dropout(name: "dropout.5", rate: 0.2, shape: [36])
    let dense = Dense(name: "dense.6", inputSize: 36, outputSize: 5)
    let bn2 = BatchNorm(name: "batchnorm.7", inputShape: [5], synchronized: synchronized)
    let out = Dense(name: "dense.8", inputSize: 5, outputSize: 3)
    return Sequential([conv1, bn1, relu1, block, flatten, dropout, dense, bn2, out])
}

/// One optimizer step over `batch` samples in micro-batches of `micro`, following the trainer
/// protocol of BatchNormSynchronizer. L = Σ Y ⊙ dY (dY fixed per sample).
private func step(_ model: Sequential, micro: Int, x: [Float], dy: [Float], keys: [UInt64]) throws {
    let synchronizer = BatchNormSynchronizer(model: model)
    let communicator = LocalCommunicator()
    let inSize = model.layers[0].inputSize, outSize = model.layers.last!.outputSize
    let batch = keys.count
    func pass(backward: Bool) {
        for start in stride(from: 0, to: batch, by: micro) {
            let input = TestMatrix(rows: micro, columns: inSize, values: Array(x[(start * inSize)..<((start + micro) * inSize)]))
            let gradient = TestMatrix(rows: micro, columns: outSize, values: Array(dy[(start * outSize)..<((start + micro) * outSize)]))
            let microKeys = Array(keys[start..<(start + micro)])
            microKeys.withUnsafeBufferPointer { keyPointer in
                let context = PassContext(training: true, sampleKeys: keyPointer.baseAddress)
                _ = model.forward(input.matrix, context: context)
                if backward { model.backward(gradient.matrix, context: context) }
            }
        }
    }
    model.store.zeroGradients()
    synchronizer.beginStep()
    for index in 0..<synchronizer.statisticsPassCount {
        synchronizer.beginStatisticsPass(index)
        pass(backward: synchronizer.statisticsPassNeedsBackward(index))
        try synchronizer.endStatisticsPass(index, communicator: communicator)
    }
    if synchronizer.statisticsPassCount > 0 { model.store.zeroGradients() }
    synchronizer.beginFinalPass()
    pass(backward: true)
    try synchronizer.finishStep(communicator: communicator)
}

private struct Setup {
    var θ: [Float], x: [Float], dy: [Float], keys: [UInt64]
    init(model: Sequential, batch: Int) {
        var random = TestRandom(seed: 7)
        model.initializeParameters(seed: 3)
        θ = Array(model.store.values)
        // Non-trivial γ, β and running statistics.
        for slice in model.store.slices where slice.role != .weight {
            for i in slice.range {
                θ[i] = slice.role == .runningStatistic && slice.name.hasSuffix("running_var")
                    ? 0.5 + random.floats(1, low: 0, high: 1)[0] : random.floats(1, low: -0.5, high: 0.5)[0]
                if slice.role == .normScale { θ[i] += 1 }
            }
        }
        x = random.floats(batch * model.layers[0].inputSize)
        dy = random.floats(batch * model.layers.last!.outputSize)
        keys = (0..<batch).map { _ in random.generator.next() }
    }
    func load(into model: Sequential) { for i in θ.indices { model.store.values[i] = θ[i] } }
}

@Suite("Synchronized batch norm")
struct BatchNormSyncTests {
    @Test("Sync BN over K micro-batches equals full-batch BN (gradients and running statistics)",
          arguments: [1, 2, 4, 8])
    func syncEqualsFullBatch(micro: Int) throws {
        let batch = 8
        let reference = makeModel(synchronized: false)
        let setup = Setup(model: reference, batch: batch)
        setup.load(into: reference)
        try step(reference, micro: batch, x: setup.x, dy: setup.dy, keys: setup.keys)

        let synchronized = makeModel(synchronized: true)
        #expect(synchronized.store.slices.map(\.name) == reference.store.slices.map(\.name))
        setup.load(into: synchronized)
        try step(synchronized, micro: micro, x: setup.x, dy: setup.dy, keys: setup.keys)

        defer { withExtendedLifetime((reference, synchronized)) {} }
        assertClose(Array(synchronized.store.gradients), Array(reference.store.gradients).map(Double.init),
                    relative: 1e-4, absolute: 1e-6, "gradient, sync K=\(batch / micro) vs full batch")
        assertClose(Array(synchronized.store.values), Array(reference.store.values).map(Double.init),
                    relative: 1e-5, absolute: 1e-6, "running statistics (and untouched parameters)")
        // Running statistics moved, and their gradient slots are zero.
        let runningSlices = synchronized.store.slices.filter { $0.role == .runningStatistic }
        #expect(runningSlices.count == 8)
        #expect(runningSlices.contains { slice in slice.range.contains { synchronized.store.values[$0] != setup.θ[$0] } })
        #expect(runningSlices.allSatisfy { slice in slice.range.allSatisfy { synchronized.store.gradients[$0] == 0 } })
    }

    @Test("Ghost BN over micro-batches differs from full-batch BN (the sync test can fail)")
    func ghostDiffers() throws {
        let batch = 8
        let reference = makeModel(synchronized: false)
        let setup = Setup(model: reference, batch: batch)
        setup.load(into: reference)
        try step(reference, micro: batch, x: setup.x, dy: setup.dy, keys: setup.keys)
        let ghost = makeModel(synchronized: false)
        setup.load(into: ghost)
        try step(ghost, micro: 2, x: setup.x, dy: setup.dy, keys: setup.keys)
        defer { withExtendedLifetime((reference, ghost)) {} }
        let difference = zip(ghost.store.gradients, reference.store.gradients).map { abs($0 - $1) }.max() ?? 0
        #expect(difference > 1e-3)
    }

    @Test("Without a synchroniser, training forwards update running statistics per micro-batch (PyTorch)")
    func fallbackUpdatesRunningStatistics() {
        let bn = BatchNorm(name: "batchnorm.0", inputShape: [2, 1, 2], momentum: 0.1)
        let model = Sequential([bn])
        model.initializeParameters(seed: 1)
        // Channel 0 values 1, 3, 5, 7 (μ = 4, unbiased σ² = 20/3); channel 1 all 2.
        let input = TestMatrix(rows: 2, columns: 4, values: [1, 3, 2, 2, 5, 7, 2, 2])
        _ = model.forward(input.matrix, context: PassContext(training: true))
        defer { withExtendedLifetime(model) {} }
        let mean = model.store.slice(named: "batchnorm.0.running_mean")!
        let variance = model.store.slice(named: "batchnorm.0.running_var")!
        assertClose(Array(UnsafeBufferPointer(start: model.store.values(of: mean), count: 2)), [0.4, 0.2],
                    "running mean = 0.9·0 + 0.1·μ")
        assertClose(Array(UnsafeBufferPointer(start: model.store.values(of: variance), count: 2)), [0.9 + 0.1 * 20 / 3, 0.9],
                    "running var = 0.9·1 + 0.1·unbiased σ²")
    }
}
