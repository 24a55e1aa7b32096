import DPTrain
import Testing

// Batch norm through the real training loop (the Trainer drives BatchNormSynchronizer).


/// The trained parameters (a copy: the model is released when this returns).
private func train(micro: Int, synchronized: Bool, steps: Int = 6) throws -> (values: [Float], names: [ParameterSlice]) {
    let config = try TrainingTestSupport.config("""
        name: bn
        seed: 2
        data: {dataset: spirals, samples: 512, test_samples: 64, noise: 0.05}
        model:
          input: [2]
          layers: [{dense: 16}, {batchnorm: {sync: \(synchronized)}}, {activation: relu},
                   {dense: 8}, {batchnorm: {sync: \(synchronized)}}, {activation: relu}, {dense: 2}]
        loss: softmax_cross_entropy
        optimizer: {name: sgd, lr: 0.1, momentum: 0.9}
        batch: {global: 32, micro: \(micro)}
        train: {epochs: 1, max_steps: \(steps), eval_every: 0, log_every: 1000}
        """)
    let builder = try RunBuilder(config: config, communicator: LocalCommunicator())
    let trainer = try builder.makeTrainer(writeRunDirectory: false)
    try trainer.run()
    let store = trainer.model.store
    return withExtendedLifetime(trainer) { (Array(store.values), store.slices) }
}

@Suite("Batch norm in the trainer")
struct TrainerBatchNormTests {
    @Test("sync BN: K = 4 micro-batches of 8 train like one micro-batch of 32 (parameters and running statistics)")
    func synchronizedIndependentOfAccumulation() throws {
        let full = try train(micro: 32, synchronized: true).values
        let accumulated = try train(micro: 8, synchronized: true).values
        assertClose(accumulated, full.map(Double.init), relative: 1e-4, absolute: 1e-5, "θ after 6 steps, K=4 vs K=1")
    }

    @Test("ghost BN: K = 4 differs from K = 1 (the sync test can fail); running statistics move")
    func ghostDependsOnMicroBatch() throws {
        let (full, slices) = try train(micro: 32, synchronized: false)
        let accumulated = try train(micro: 8, synchronized: false).values
        let difference = zip(full, accumulated).map { abs($0 - $1) }.max() ?? 0
        #expect(difference > 1e-3)
        let runningMean = try #require(slices.first { $0.name == "batchnorm.1.running_mean" })
        #expect(runningMean.range.contains { full[$0] != 0 }, "running mean updated from 0")
    }
}
