import DPTrain
import Testing

// Batch norm with a fused activation computes exactly what batch norm followed by a separate
// activation layer computes (same Float operations), and the model builder fuses only where
// that holds, without moving any other layer's initial values.

private let fusableActivations: [Activation] = [.relu, .leakyRelu, .sigmoid, .tanh, .hardTanh, .elu]

@Suite("Batch norm with a fused activation")
struct BatchNormFusionTests {
    @Test("BN(f) equals BN → f: outputs, dX, dγ and dβ bit for bit",
          arguments: fusableActivations, [true, false])
    func fusedEqualsSeparate(activation: Activation, training: Bool) {
        let shape = [3, 5, 4], n = 6, size = 60
        let separate = Sequential([BatchNorm(name: "batchnorm.0", inputShape: shape),
                                   ActivationLayer(name: "activation.1", activation: activation, shape: shape)])
        let fused = Sequential([BatchNorm(name: "batchnorm.0", inputShape: shape, activation: activation)])
        for model in [separate, fused] { model.layers[0].needsInputGradient = true }
        var random = TestRandom(seed: 17)
        let θ = random.floats(separate.store.count, low: 0.5, high: 1.5)
        // Inputs with a channel offset, so that μ ≠ 0 matters for the recomputed x̂.
        let x = random.floats(n * size).enumerated().map { $0.element * 2 + Float($0.offset % size / 20) }
        let dy = random.floats(n * size)
        var results: [(y: [Float], dx: [Float], g: [Float])] = []
        for model in [separate, fused] {
            for i in 0..<model.store.count { model.store.values[i] = θ[i] }
            let input = TestMatrix(rows: n, columns: size, values: x)
            let gradient = TestMatrix(rows: n, columns: size, values: dy)
            let context = PassContext(training: training, sampleKeys: nil)
            let y = model.forward(input.matrix, context: context).toArray()
            // Layer by layer (not Sequential.backward) to read the first layer's dX.
            var g = gradient.matrix
            for layer in model.layers.reversed() { g = layer.backward(g, context: context) }
            results.append((y, g.toArray(), Array(model.store.gradients)))
        }
        #expect(results[0].y == results[1].y)
        #expect(results[0].dx == results[1].dx)
        #expect(results[0].g == results[1].g)
        #expect(results[1].dx.count == n * size && results[1].dx.contains { $0 != 0 })
    }

    @Test("An activation whose derivative needs its input (GELU) is not fused")
    func geluStaysSeparate() throws {
        let model = try buildImageModel("""
                - {conv2d: 4, kernel: 3, padding: 1, bias: false}
                - {batchnorm: {}}
                - {activation: gelu}
                - {conv2d: 4, kernel: 3, padding: 1, bias: false}
                - {batchnorm: {}}
                - {activation: relu}
                - {flatten: {}}
                - {dense: 10}
            """)
        #expect(model.layers.map(\.name) == ["conv2d.0", "batchnorm.1", "activation.2", "conv2d.3", "batchnorm.4",
                                             "flatten.6", "dense.7"])
        #expect((model.layers[1] as? BatchNorm)?.activation == .identity)
        #expect((model.layers[4] as? BatchNorm)?.activation == .relu)
        #expect(model.positions == [0, 1, 2, 3, 4, 6, 7])
    }

    @Test("Fusion keeps every parameter's initial value (streams follow config positions)")
    func fusionKeepsInitialValues() throws {
        let fusedModel = try buildImageModel("""
                - {conv2d: 4, kernel: 3, padding: 1, bias: false}
                - {batchnorm: {}}
                - {activation: relu}
                - {flatten: {}}
                - {dense: 10}
            """)
        // The same list with a GELU (never fused) at position 2: every layer keeps its position.
        let unfusedModel = try buildImageModel("""
                - {conv2d: 4, kernel: 3, padding: 1, bias: false}
                - {batchnorm: {}}
                - {activation: gelu}
                - {flatten: {}}
                - {dense: 10}
            """)
        #expect(fusedModel.layers.count == 4 && unfusedModel.layers.count == 5)
        fusedModel.initializeParameters(seed: 5)
        unfusedModel.initializeParameters(seed: 5)
        #expect(fusedModel.store.slices.map(\.name) == unfusedModel.store.slices.map(\.name))
        #expect(Array(fusedModel.store.values) == Array(unfusedModel.store.values))
        let dense = try #require(fusedModel.store.slice(named: "dense.4.weight"))
        #expect(fusedModel.store.values(of: dense)[0] != 0)
    }
}

/// A model from `model.layers` lines for a `[1, 8, 8]` input.
private func buildImageModel(_ layers: String) throws -> Sequential {
    try TrainingTestSupport.model(layers: layers, input: "[1, 8, 8]")
}
