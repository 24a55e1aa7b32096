import DPTrain
import DPTrainTestSupport
import Testing

// Gradient checks (STYLE B13.1): every layer's Float forward/backward against the Double
// reference of DPTrainTestSupport/ReferenceLayers.swift, and that reference against central
// finite differences.

/// One layer (or, with several specs, a Sequential) at one batch size.
struct LayerCase: Sendable, CustomTestStringConvertible {
    var specs: [LayerSpec]
    var batch: Int
    var training = true
    var needsInputGradient = true
    /// False for cases too large for the Double finite-difference check (the same reference
    /// code is proven on the small cases).
    var checkFiniteDifferences = true

    var testDescription: String {
        let body = specs.count == 1 ? specs[0].description : "sequential[\(specs.map(\.description).joined(separator: ", "))]"
        return "\(body) n=\(batch)\(training ? "" : " eval")\(needsInputGradient ? "" : " no dX")"
    }
}

let allActivations: [Activation] = [
    .identity, .relu, .leakyRelu(slope: 0.1), .leakyRelu(slope: -0.2), .sigmoid, .tanh,
    .hardTanh(min: -0.5, max: 0.3), .gelu, .elu(alpha: 1), .elu(alpha: 0.5),
]

let layerCases: [LayerCase] = {
    var cases: [LayerCase] = []
    for activation in allActivations {
        cases.append(LayerCase(specs: [.dense(inputs: 7, outputs: 3, activation: activation, bias: true)], batch: 5))
        cases.append(LayerCase(specs: [.dense(inputs: 7, outputs: 3, activation: activation, bias: false)], batch: 1))
        cases.append(LayerCase(specs: [.activation(activation, size: 6)], batch: 5))
    }
    cases.append(LayerCase(specs: [.activation(.tanh, size: 1)], batch: 1))
    cases.append(LayerCase(specs: [.dense(inputs: 1, outputs: 1, activation: .identity, bias: true)], batch: 1))
    cases.append(LayerCase(specs: [.dense(inputs: 4, outputs: 6, activation: .relu, bias: true)], batch: 5,
                           needsInputGradient: false))
    cases.append(LayerCase(specs: [.dense(inputs: 3, outputs: 7, activation: .gelu, bias: true)], batch: 5))
    // Larger than BLAS's small-matrix paths (compared with the reference only: the finite-
    // difference test proves the same reference code on the small cases).
    cases.append(LayerCase(specs: [.dense(inputs: 70, outputs: 33, activation: .relu, bias: true)], batch: 17))
    cases.append(LayerCase(specs: [.softmax(size: 5)], batch: 5))
    cases.append(LayerCase(specs: [.softmax(size: 1)], batch: 1))
    cases.append(LayerCase(specs: [.dropout(rate: 0.3, size: 8)], batch: 5))
    cases.append(LayerCase(specs: [.dropout(rate: 0.3, size: 8)], batch: 5, training: false))
    cases.append(LayerCase(specs: [.dropout(rate: 0, size: 8)], batch: 1))
    cases.append(LayerCase(specs: [.flatten(shape: [2, 3, 2])], batch: 5))
    let mlp: [LayerSpec] = [.dense(inputs: 5, outputs: 7, activation: .relu, bias: true), .dropout(rate: 0.3, size: 7),
                            .dense(inputs: 7, outputs: 3, activation: .tanh, bias: true), .softmax(size: 3)]
    cases.append(LayerCase(specs: mlp, batch: 5))
    cases.append(LayerCase(specs: mlp, batch: 1, training: false))
    cases.append(LayerCase(specs: [.flatten(shape: [2, 3, 2]), .dense(inputs: 12, outputs: 4, activation: .gelu, bias: true),
                                   .activation(.sigmoid, size: 4),
                                   .dense(inputs: 4, outputs: 2, activation: .identity, bias: false)], batch: 5))
    cases += imageLayerCases
    return cases
}()

/// Convolution, pooling, normalisation and residual cases: stride and padding variants, odd
/// sizes, BN in training and evaluation mode, residual blocks with identity and projection.
let imageLayerCases: [LayerCase] = {
    var cases: [LayerCase] = []
    func conv(_ input: [Int], _ outputs: Int, _ kernel: [Int], s: Int, p: Int, _ activation: Activation = .identity,
              bias: Bool = true) -> LayerSpec {
        .conv2d(input: input, outputs: outputs, kernel: kernel, stride: s, padding: p, activation: activation, bias: bias)
    }
    cases.append(LayerCase(specs: [conv([2, 7, 5], 3, [3, 3], s: 1, p: 1, .relu)], batch: 3))
    cases.append(LayerCase(specs: [conv([2, 7, 5], 3, [3, 3], s: 2, p: 0, bias: false)], batch: 2))
    cases.append(LayerCase(specs: [conv([3, 5, 5], 4, [1, 1], s: 1, p: 0, .tanh)], batch: 3))
    cases.append(LayerCase(specs: [conv([3, 5, 6], 2, [1, 1], s: 2, p: 1)], batch: 2))
    cases.append(LayerCase(specs: [conv([2, 6, 7], 2, [2, 3], s: 2, p: 1, .gelu)], batch: 2))
    cases.append(LayerCase(specs: [conv([1, 7, 5], 3, [5, 3], s: 1, p: 2, .relu)], batch: 1))
    // "Same" widths (stride 1, OW = W) take the shifted-block im2col/col2im: shifts of ±2, and
    // an image one pixel wide where every shifted column falls outside.
    cases.append(LayerCase(specs: [conv([2, 6, 6], 2, [5, 5], s: 1, p: 2)], batch: 2))
    cases.append(LayerCase(specs: [conv([2, 4, 1], 3, [3, 3], s: 1, p: 1)], batch: 2))
    cases.append(LayerCase(specs: [conv([1, 1, 1], 2, [5, 5], s: 1, p: 2)], batch: 2))  // shifts of ±2 on one pixel
    cases.append(LayerCase(specs: [conv([1, 7, 5], 3, [3, 3], s: 1, p: 1, .relu)], batch: 3, needsInputGradient: false))
    cases.append(LayerCase(specs: [conv([4, 9, 9], 8, [3, 3], s: 1, p: 1, .relu)], batch: 4,
                           checkFiniteDifferences: false))
    // 3×3, stride 1, padding 1 with ≥ 8 input channels: Winograd's F(2×2, 3×3) (odd sizes: the
    // last tile row and column reach beyond the image), with and without dX.
    cases.append(LayerCase(specs: [conv([8, 7, 5], 6, [3, 3], s: 1, p: 1, .relu)], batch: 3))
    cases.append(LayerCase(specs: [conv([9, 4, 6], 3, [3, 3], s: 1, p: 1, bias: false)], batch: 2))
    cases.append(LayerCase(specs: [conv([8, 5, 5], 4, [3, 3], s: 1, p: 1)], batch: 2, needsInputGradient: false))
    cases.append(LayerCase(specs: [.maxPool(input: [2, 6, 6], kernel: 2, stride: 2)], batch: 3))
    cases.append(LayerCase(specs: [.maxPool(input: [2, 7, 5], kernel: 2, stride: 2)], batch: 2))  // odd sizes: last row/column unused
    cases.append(LayerCase(specs: [.maxPool(input: [2, 7, 5], kernel: 3, stride: 2)], batch: 2))
    cases.append(LayerCase(specs: [.maxPool(input: [1, 5, 5], kernel: 2, stride: 1)], batch: 2))
    cases.append(LayerCase(specs: [.avgPool(input: [2, 6, 6], kernel: 2, stride: 2)], batch: 3))
    cases.append(LayerCase(specs: [.avgPool(input: [2, 7, 5], kernel: 3, stride: 2)], batch: 2))
    cases.append(LayerCase(specs: [.globalAvgPool(input: [3, 4, 5])], batch: 3))
    for training in [true, false] {
        cases.append(LayerCase(specs: [.batchNorm(input: [3, 4, 5])], batch: 4, training: training))
        cases.append(LayerCase(specs: [.batchNorm(input: [6])], batch: 5, training: training))
        cases.append(LayerCase(specs: [.residual(input: [3, 5, 5], channels: 3, stride: 1)], batch: 2, training: training))
        cases.append(LayerCase(specs: [.residual(input: [2, 6, 5], channels: 4, stride: 2)], batch: 2, training: training))
    }
    cases.append(LayerCase(specs: [.batchNorm(input: [3, 2, 3])], batch: 1))
    cases.append(LayerCase(specs: [.residual(input: [2, 5, 5], channels: 3, stride: 1)], batch: 2))
    cases.append(LayerCase(specs: [.layerNorm(shape: [2, 3, 4])], batch: 3))
    cases.append(LayerCase(specs: [.layerNorm(shape: [5])], batch: 2))
    // A small CNN as a Sequential.
    let cnn: [LayerSpec] = [conv([1, 6, 6], 3, [3, 3], s: 1, p: 1, bias: false), .batchNorm(input: [3, 6, 6]),
                            .activation(.relu, size: 108), .maxPool(input: [3, 6, 6], kernel: 2, stride: 2),
                            .residual(input: [3, 3, 3], channels: 4, stride: 2), .globalAvgPool(input: [4, 2, 2]),
                            .layerNorm(shape: [4]), .dense(inputs: 4, outputs: 3, activation: .identity, bias: true)]
    cases.append(LayerCase(specs: cnn, batch: 3))
    cases.append(LayerCase(specs: cnn, batch: 2, training: false))
    return cases
}()

/// Per-case data: input, parameters, output gradient, keys, pre-existing gradients.
struct CaseData {
    var x: [Float], θ: [Float], dy: [Float], g0: [Float], keys: [UInt64]

    init(_ c: LayerCase, rows n: Int, seed: UInt64) {
        var random = TestRandom(seed: seed)
        let parameterCount = c.specs.reduce(0) { $0 + $1.parameterCount }
        x = random.floats(n * c.specs[0].inputSize)
        θ = random.floats(parameterCount, low: -0.5, high: 0.5)
        var offset = 0
        for spec in c.specs {
            spec.fixParameters(&θ[offset..<(offset + spec.parameterCount)])
            offset += spec.parameterCount
        }
        dy = random.floats(n * c.specs.last!.outputSize)
        g0 = random.floats(parameterCount)
        keys = (0..<n).map { _ in random.generator.next() }
    }

    var pass: ReferencePass { ReferencePass(training: true, keys: keys) }
}

@Suite("Layer gradient checks")
struct LayerGradientTests {
    @Test("Float layers match the Double reference (forward, dX, dθ added to existing gradients)",
          arguments: layerCases)
    func matchesReference(_ c: LayerCase) {
        let names = layerNames(c.specs)
        let layers = zip(c.specs, names).map { $0.makeLayer(name: $1) }
        let model: Sequential? = layers.count > 1 ? Sequential(layers) : nil
        let store = model?.store ?? ParameterStore(specs: layers[0].parameterSpecs)
        if model == nil {
            layers[0].bind(to: store)
            layers[0].needsInputGradient = c.needsInputGradient
        }

        // Parameter names, shapes and layout follow `<kind>.<position>.weight|bias`.
        let expected = zip(c.specs, names).flatMap { $0.expectedParameters(name: $1) }
        #expect(store.slices.map(\.name) == expected.map(\.0))
        #expect(store.slices.map(\.shape) == expected.map(\.1))

        let n = c.batch
        let data = CaseData(c, rows: n, seed: fnv1a(c.testDescription))
        for i in 0..<store.count { store.values[i] = data.θ[i] }

        // Warm-up with a larger batch so the checked pass reuses (and must fully overwrite)
        // buffers that already hold other values.
        let warm = CaseData(c, rows: n + 3, seed: 99)
        _ = run(c, layers: layers, model: model, data: warm, rows: n + 3)
        for i in 0..<store.count { store.gradients[i] = data.g0[i] }

        let (y, dx) = run(c, layers: layers, model: model, data: data, rows: n)

        let pass = ReferencePass(training: c.training, keys: data.keys)
        let θ = data.θ.map(Double.init), x = data.x.map(Double.init), dy = data.dy.map(Double.init)
        let expectedY = referenceChainForward(c.specs, parameters: θ, input: x, rows: n, pass: pass)
        let (expectedDX, expectedDθ) = referenceChainBackward(c.specs, parameters: θ, input: x, rows: n,
                                                              outputGradient: dy, pass: pass)
        assertClose(y, expectedY, "forward Y")
        if let dx {
            if c.needsInputGradient {
                assertClose(dx, expectedDX, "dX")
            } else {
                #expect(dx.isEmpty, "dX must be skipped when needsInputGradient is false")
            }
        }
        let gradients = Array(store.gradients).map(Double.init)
        let expectedGradients = zip(data.g0, expectedDθ).map { Double($0) + $1 }
        assertClose(gradients, expectedGradients, "g0 + dθ")
    }

    /// Forward then backward; returns Y and (for a single layer) dX.
    private func run(_ c: LayerCase, layers: [any Layer], model: Sequential?, data: CaseData,
                     rows n: Int) -> (y: [Float], dx: [Float]?) {
        let input = TestMatrix(rows: n, columns: c.specs[0].inputSize, values: data.x)
        let outputGradient = TestMatrix(rows: n, columns: c.specs.last!.outputSize, values: data.dy)
        return data.keys.withUnsafeBufferPointer { keys in
            let context = PassContext(training: c.training, sampleKeys: c.training ? keys.baseAddress : nil)
            if let model {
                let y = model.forward(input.matrix, context: context).toArray()
                model.backward(outputGradient.matrix, context: context)
                return (y, nil)
            }
            let y = layers[0].forward(input.matrix, context: context).toArray()
            let dx = layers[0].backward(outputGradient.matrix, context: context)
            #expect(dx.columns == c.specs[0].inputSize)
            return (y, dx.toArray())
        }
    }

    @Test("The Double reference matches central finite differences",
          arguments: layerCases.filter { $0.checkFiniteDifferences && $0.specs.reduce(0) { $0 + $1.parameterCount } < 1000 })
    func referenceMatchesFiniteDifferences(_ c: LayerCase) {
        let n = c.batch
        let data = CaseData(c, rows: n, seed: fnv1a(c.testDescription))
        let pass = ReferencePass(training: c.training, keys: data.keys)
        let θ = data.θ.map(Double.init), x = data.x.map(Double.init), dy = data.dy.map(Double.init)
        // L(x, θ) = Σ Y ⊙ dY, so ∂L/∂x = dX and ∂L/∂θ = dθ.
        func loss(_ point: [Double]) -> Double {
            let y = referenceChainForward(c.specs, parameters: Array(point[x.count...]),
                                          input: Array(point[..<x.count]), rows: n, pass: pass)
            return zip(y, dy).reduce(0) { $0 + $1.0 * $1.1 }
        }
        var numeric = centralDifferences(at: x + θ, loss)
        // Running statistics are constants by convention (no gradient): mask them out.
        let trainable = c.specs.flatMap(\.trainableMask)
        for (i, isTrainable) in trainable.enumerated() where !isTrainable { numeric[x.count + i] = 0 }
        let (dx, dθ) = referenceChainBackward(c.specs, parameters: θ, input: x, rows: n, outputGradient: dy, pass: pass)
        assertClose(dx + dθ, numeric, relative: 1e-6, absolute: 1e-8, "reference (dX, dθ) vs finite differences")
    }
}
