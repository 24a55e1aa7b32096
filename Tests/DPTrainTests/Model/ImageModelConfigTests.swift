import DPTrain
import Testing

// model.layers syntax for the image and normalisation layers: names, shapes, parameter tables
// and errors that name the layer index.

private func build(_ layers: String, input: String = "[1, 28, 28]") throws -> Sequential {
    try TrainingTestSupport.model(layers: layers, input: input)
}

@Suite("Image model configs")
struct ImageModelConfigTests {
    @Test("CNN layers build with [C, H, W] shapes flowing through")
    func buildsCNN() throws {
        let model = try build("""
                - {conv2d: 8, kernel: 3, padding: 1, activation: relu, bias: false}
                - {batchnorm: {}}
                - {maxpool: 2}
                - {conv2d: 16, kernel: [3, 5], stride: 2}
                - {batchnorm: {sync: true, momentum: 0.2, eps: 0.001}}
                - {avgpool: 2, stride: 1}
                - {residual: 16}
                - {residual: 32, stride: 2}
                - {global_avgpool: {}}
                - {layernorm: {}}
                - {dense: 10}
            """)
        #expect(model.layers.map(\.name) == ["conv2d.0", "batchnorm.1", "maxpool.2", "conv2d.3", "batchnorm.4",
                                             "avgpool.5", "residual.6", "residual.7", "global_avgpool.8",
                                             "layernorm.9", "dense.10"])
        #expect(model.layers.map(\.outputShape) == [[8, 28, 28], [8, 28, 28], [8, 14, 14], [16, 6, 5], [16, 6, 5],
                                                    [16, 5, 4], [16, 5, 4], [32, 3, 2], [32], [32], [10]])
        let store = model.store
        #expect(store.slice(named: "conv2d.0.weight")?.shape == [8, 1, 3, 3])
        #expect(store.slice(named: "conv2d.0.bias") == nil)
        #expect(store.slice(named: "conv2d.3.weight")?.shape == [16, 8, 3, 5])
        #expect(store.slice(named: "batchnorm.1.running_var")?.role == .runningStatistic)
        #expect(store.slice(named: "batchnorm.1.weight")?.decays == false)
        #expect(store.slice(named: "residual.6.shortcut.weight") == nil, "same shape: identity shortcut")
        #expect(store.slice(named: "residual.7.shortcut.weight")?.shape == [32, 16, 1, 1])
        #expect(store.slice(named: "residual.7.bn2.running_mean")?.shape == [32])
        let bn = try #require(model.layers[4] as? BatchNorm)
        #expect(bn.synchronized && bn.momentum == 0.2 && bn.epsilon == 0.001)
        #expect((model.layers[1] as? BatchNorm)?.synchronized == false)
        #expect(BatchNormSynchronizer(model: model).layers.count == 2 + 4)
        #expect(BatchNormSynchronizer(model: model).statisticsPassCount == 2)
    }

    @Test("Shape errors name the layer", arguments: [
        ("    - {flatten: {}}\n    - {conv2d: 4}", "model.layers.1 (conv2d)"),
        ("    - {maxpool: 30}", "model.layers.0 (maxpool)"),
        ("    - {conv2d: 4, kernel: 7}\n    - {conv2d: 4, kernel: 29, padding: 2}", "model.layers.1 (conv2d)"),
        ("    - {dense: 10}", "model.layers.0 (dense)"),
    ])
    func shapeErrors(_ layers: String, _ expected: String) throws {
        do {
            _ = try build(layers)
            Issue.record("expected an error mentioning \(expected)")
        } catch {
            #expect("\(error)".contains(expected), "\(error)")
        }
    }

    @Test("Unknown layer options are reported with a suggestion")
    func unknownOption() throws {
        do {
            _ = try build("    - {conv2d: 4, kernal: 3}")
            Issue.record("expected an unknown-key error")
        } catch {
            #expect("\(error)".contains("kernal") && "\(error)".contains("kernel"), "\(error)")
        }
        do {
            _ = try build("    - {batchnorm: {synch: true}}")
            Issue.record("expected an unknown-key error")
        } catch {
            #expect("\(error)".contains("synch"), "\(error)")
        }
    }
}

@Suite("BatchNorm running statistics in the parameter store")
struct RunningStatisticsStoreTests {
    @Test("Every optimizer leaves running statistics (zero gradient, not decayed) unchanged",
          arguments: OptimizerConfig.names)
    func optimizersSkipRunningStatistics(_ name: String) throws {
        let config = try TrainingTestSupport.config("""
            name: bn
            data: {dataset: spirals, samples: 64, test_samples: 16}
            model: {input: [4], layers: [{dense: 3}, {batchnorm: {}}, {dense: 2}]}
            loss: softmax_cross_entropy
            optimizer: {name: \(name), lr: 0.1, weight_decay: 0.1}
            batch: {global: 16, micro: 16}
            """)
        let model = try ModelBuilder.build(layers: config.layers, inputShape: config.inputShape)
        let store = model.store
        let optimizer = config.optimizer.makeOptimizer(parameterCount: store.count)
        var random = TestRandom(seed: 5)
        let values = random.floats(store.count)
        for i in 0..<store.count { store.values[i] = values[i] }
        let running = store.slices.filter { $0.role == .runningStatistic }
        #expect(running.map(\.name) == ["batchnorm.1.running_mean", "batchnorm.1.running_var"])
        #expect(running.allSatisfy { !$0.decays })
        for _ in 0..<3 {
            let gradients = random.floats(store.count)
            for i in 0..<store.count { store.gradients[i] = gradients[i] }
            for slice in running { store.gradients(of: slice).update(repeating: 0, count: slice.count) }
            optimizer.step(store: store, learningRate: 0.1)
        }
        for slice in running {
            #expect(slice.range.allSatisfy { store.values[$0] == values[$0] }, "\(name) changed \(slice.name)")
        }
        let weight = try #require(store.slice(named: "dense.0.weight"))
        #expect(weight.range.contains { store.values[$0] != values[$0] }, "\(name) must still train the weights")
    }
}
