import DPTrain
import Testing

/// The fixture of the reference-value tests (the same as `Tests/Reference/optimizer_reference_values.py`): a weight slice
/// `w` of 3 elements that decays and a bias slice `b` of 2 elements that does not.
enum OptimizerFixture {
    static let initialWeights: [Float] = [0.5, -1.0, 2.0]
    static let initialBiases: [Float] = [0.1, -0.3]
    /// Gradients [w..., b...] of steps 1, 2, 3.
    static let gradients: [[Float]] = [
        [0.2, -0.4, 0.6, 0.05, -0.1],
        [-0.1, 0.3, 0.5, 0.02, 0.08],
        [0.25, -0.15, -0.3, -0.06, 0.04],
    ]
    /// Learning rates of steps 1, 2, 3 (varied so that where η enters the rule matters).
    static let learningRates: [Float] = [0.1, 0.05, 0.02]

    static func makeStore() -> ParameterStore {
        let store = ParameterStore(specs: [
            ParameterSpec(name: "w", shape: [3], role: .weight),
            ParameterSpec(name: "b", shape: [2], role: .bias),
        ])
        precondition(store.slices[0].decays && !store.slices[1].decays)
        for (i, x) in (initialWeights + initialBiases).enumerated() { store.values[i] = x }
        return store
    }

    /// Runs the three steps; returns the parameters after each.
    static func run(_ optimizer: any Optimizer) -> [[Float]] {
        let store = makeStore()
        var trajectory: [[Float]] = []
        for (gradient, rate) in zip(gradients, learningRates) {
            store.zeroGradients()
            for (i, g) in gradient.enumerated() { store.gradients[i] = g }
            optimizer.step(store: store, learningRate: rate)
            // The regularisers must not leak into the gradient buffer.
            #expect(Array(store.gradients) == gradient, "step modified store.gradients")
            trajectory.append(Array(store.values))
        }
        return trajectory
    }
}

/// |actual − expected| ≤ relative·|expected| + absolute, element-wise, with a message naming
/// the index.
func expectOptimizerValuesClose(_ actual: [Float], _ expected: [Double], relative: Double = 1e-6,
                                absolute: Double = 1e-7, _ label: String,
                                sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.count == expected.count, "\(label): count", sourceLocation: sourceLocation)
    for (i, (a, e)) in zip(actual, expected).enumerated() {
        let error = abs(Double(a) - e)
        #expect(error <= relative * abs(e) + absolute,
                "\(label)[\(i)]: got \(a), expected \(e) (error \(error))",
                sourceLocation: sourceLocation)
    }
}
