import DPTrain
import Foundation
import Testing

struct InitializerCase: Sendable, CustomTestStringConvertible {
    var initializer: Initializer
    var fanIn: Int, fanOut: Int
    /// Expected mean and standard deviation, from the formulas (written out here).
    var mean: Double, standardDeviation: Double
    /// For uniform initialisers, the bound |v| ≤ a.
    var bound: Double?
    var testDescription: String { "\(initializer) fanIn=\(fanIn) fanOut=\(fanOut)" }
}

let initializerCases: [InitializerCase] = [
    InitializerCase(initializer: .uniform(low: -0.5, high: 1.5), fanIn: 3, fanOut: 4,
                    mean: 0.5, standardDeviation: 2 / 12.0.squareRoot(), bound: 1.5),
    InitializerCase(initializer: .normal(mean: 0.3, standardDeviation: 2), fanIn: 3, fanOut: 4,
                    mean: 0.3, standardDeviation: 2),
    // a = √(6/(50 + 30)) = 0.27386; std a/√3.
    InitializerCase(initializer: .xavierUniform(), fanIn: 50, fanOut: 30,
                    mean: 0, standardDeviation: (6.0 / 80).squareRoot() / 3.0.squareRoot(), bound: (6.0 / 80).squareRoot()),
    InitializerCase(initializer: .xavierUniform(gain: 2), fanIn: 50, fanOut: 30,
                    mean: 0, standardDeviation: 2 * (6.0 / 80).squareRoot() / 3.0.squareRoot(), bound: 2 * (6.0 / 80).squareRoot()),
    InitializerCase(initializer: .xavierNormal(gain: 1.5), fanIn: 50, fanOut: 30,
                    mean: 0, standardDeviation: 1.5 * (2.0 / 80).squareRoot()),
    // He normal: √(2/fanIn) = 0.2 for fanIn 50; fan_out mode: √(2/30).
    InitializerCase(initializer: .heNormal(), fanIn: 50, fanOut: 30, mean: 0, standardDeviation: 0.2),
    InitializerCase(initializer: .heNormal(mode: .fanOut), fanIn: 50, fanOut: 30, mean: 0, standardDeviation: (2.0 / 30).squareRoot()),
    // He uniform: a = √(6/fanIn) = √0.12; std = a/√3 = √(2/fanIn) = 0.2.
    InitializerCase(initializer: .heUniform(), fanIn: 50, fanOut: 30, mean: 0, standardDeviation: 0.2,
                    bound: (6.0 / 50).squareRoot()),
    InitializerCase(initializer: .heUniform(mode: .fanOut), fanIn: 50, fanOut: 30, mean: 0,
                    standardDeviation: (2.0 / 30).squareRoot(), bound: (6.0 / 30).squareRoot()),
    InitializerCase(initializer: .lecunNormal, fanIn: 25, fanOut: 30, mean: 0, standardDeviation: 0.2),
]

@Suite("Initializers")
struct InitializerTests {
    private func fill(_ initializer: Initializer, count: Int, fanIn: Int, fanOut: Int, seed: UInt64) -> [Float] {
        var values = [Float](repeating: .nan, count: count)
        var generator = SplitMix64(seed: seed)
        values.withUnsafeMutableBufferPointer {
            initializer.fill(pointer: $0.baseAddress!, count: count, fanIn: fanIn, fanOut: fanOut, generator: &generator)
        }
        return values
    }

    @Test("Empirical mean and standard deviation match the formula", arguments: initializerCases)
    func moments(_ c: InitializerCase) {
        let count = 200_000
        let values = fill(c.initializer, count: count, fanIn: c.fanIn, fanOut: c.fanOut, seed: 11).map(Double.init)
        let mean = values.reduce(0, +) / Double(count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(count - 1)
        // Standard error of the mean is σ/√N ≈ 0.0022σ; of the std ≈ 0.0016σ. Allow ~5 of each.
        #expect(abs(mean - c.mean) < 0.01 * c.standardDeviation, "mean \(mean)")
        #expect(abs(variance.squareRoot() - c.standardDeviation) < 0.01 * c.standardDeviation,
                "std \(variance.squareRoot()) vs \(c.standardDeviation)")
        if let bound = c.bound {
            let largest = values.map(abs).max()!
            #expect(largest <= bound * (1 + 1e-6), "max |v| \(largest) > bound \(bound)")
            #expect(largest > 0.99 * bound, "max |v| \(largest) should approach the bound \(bound)")
        }
    }

    @Test("Deterministic from the generator; constants and zeros are exact")
    func determinism() {
        for c in initializerCases {
            let a = fill(c.initializer, count: 1000, fanIn: c.fanIn, fanOut: c.fanOut, seed: 3)
            let b = fill(c.initializer, count: 1000, fanIn: c.fanIn, fanOut: c.fanOut, seed: 3)
            let other = fill(c.initializer, count: 1000, fanIn: c.fanIn, fanOut: c.fanOut, seed: 4)
            #expect(a == b, "\(c.initializer)")
            #expect(a != other, "\(c.initializer)")
        }
        #expect(fill(.zeros, count: 5, fanIn: 1, fanOut: 1, seed: 1) == [0, 0, 0, 0, 0])
        #expect(fill(.constant(0.01), count: 3, fanIn: 1, fanOut: 1, seed: 1) == [0.01, 0.01, 0.01])
    }

    @Test("Sequential initialisation is deterministic per seed and per layer")
    func sequentialInitialization() {
        func model() -> Sequential {
            Sequential(Dense(name: "dense.0", inputSize: 20, outputSize: 30, activation: .relu,
                             weightInitializer: .heNormal(), biasInitializer: .constant(0.01)),
                       Dropout(name: "dropout.1", rate: 0.2, shape: [30]),
                       Dense(name: "dense.2", inputSize: 30, outputSize: 10))
        }
        let a = model(), b = model(), c = model()
        a.initializeParameters(seed: 42)
        b.initializeParameters(seed: 42)
        c.initializeParameters(seed: 43)
        #expect(Array(a.store.values) == Array(b.store.values))
        #expect(Array(a.store.values) != Array(c.store.values))
        #expect(a.parameterCount == 20 * 30 + 30 + 30 * 10 + 10)
        #expect(a.store.slices.map(\.name) == ["dense.0.weight", "dense.0.bias", "dense.2.weight", "dense.2.bias"])
        #expect(a.store.slices.map(\.decays) == [true, false, true, false])
        let bias = a.store.slice(named: "dense.0.bias")!
        #expect(Array(a.store.values[bias.range]) == [Float](repeating: 0.01, count: 30))
        let lastBias = a.store.slice(named: "dense.2.bias")!
        #expect(Array(a.store.values[lastBias.range]) == [Float](repeating: 0, count: 10))
        // Layer i draws from SplitMix64(keys: seed, initialization, i): dense.2's weights are
        // Xavier-uniform from stream 2 regardless of the layers before it.
        var generator = SplitMix64(keys: 42, RandomStream.initialization.rawValue, 2)
        let bound = (6.0 / 40).squareRoot()
        let expected = (0..<300).map { _ in Float(-bound + 2 * bound * generator.nextDouble()) }
        let weight = a.store.slice(named: "dense.2.weight")!
        #expect(Array(a.store.values[weight.range]) == expected)
        #expect(a.layers[0].needsInputGradient == false)
        #expect(a.layers[1].needsInputGradient == true)
        #expect(a.layers[2].needsInputGradient == true)
        let flattened = Sequential(Flatten(name: "flatten.0", inputShape: [1, 2, 2]),
                                   Dense(name: "dense.1", inputSize: 4, outputSize: 3),
                                   ActivationLayer(name: "activation.2", activation: .tanh, shape: [3]))
        #expect(flattened.layers.map(\.needsInputGradient) == [false, false, true])
    }
}

@Suite("Config names")
struct ConfigNameTests {
    @Test func activationNames() {
        #expect(Activation(configName: "relu") == .relu)
        #expect(Activation(configName: "linear") == .identity)
        #expect(Activation(configName: "leaky_relu") == .leakyRelu(slope: 0.01))
        #expect(Activation(configName: "hard_tanh") == .hardTanh(min: -1, max: 1))
        #expect(Activation(configName: "elu") == .elu(alpha: 1))
        #expect(Activation(configName: "Relu") == nil)
        #expect(Activation.configNames.allSatisfy { Activation(configName: $0) != nil })
    }

    @Test func initializerNames() {
        #expect(Initializer(configName: "he_normal") == .heNormal(mode: .fanIn))
        #expect(Initializer(configName: "glorot_uniform") == .xavierUniform(gain: 1))
        #expect(Initializer(configName: "ones") == .constant(1))
        #expect(Initializer(configName: "he") == nil)
        #expect(Initializer.configNames.allSatisfy { Initializer(configName: $0) != nil })
    }
}
