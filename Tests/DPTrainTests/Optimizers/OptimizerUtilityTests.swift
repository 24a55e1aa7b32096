import DPTrain
import Testing

/// Gradient clipping, gradient noise and the shared regulariser helpers.
@Suite("Optimizer utilities")
struct OptimizerUtilityTests {
    static func store(gradients: [Float]) -> ParameterStore {
        let store = ParameterStore(specs: [
            ParameterSpec(name: "w", shape: [gradients.count - 1], role: .weight),
            ParameterSpec(name: "b", shape: [1], role: .bias),
        ])
        for (i, g) in gradients.enumerated() { store.gradients[i] = g }
        return store
    }

    @Test("clipByGlobalNorm scales by maxNorm/(N + 1e-6) over all slices and returns N")
    func clipping() {
        // ‖[3, 0, 4]‖ = 5 across both slices; maxNorm 1 → scale 1/(5 + 1e-6) = 0.19999996…
        // so [3, 0, 4] → [0.59999988, 0, 0.79999984] (hand derivation; torch clip_grad_norm_).
        let clipped = Self.store(gradients: [3, 0, 4])
        let norm = GradientClipping.clipByGlobalNorm(store: clipped, maxNorm: 1)
        #expect(norm == 5)
        expectOptimizerValuesClose(Array(clipped.gradients), [0.59999988, 0, 0.79999984], "clipped")
        // maxNorm 5: scale 5/(5 + 1e-6) < 1 still clips, by 2e-7 relative.
        let barely = Self.store(gradients: [3, 0, 4])
        GradientClipping.clipByGlobalNorm(store: barely, maxNorm: 5)
        expectOptimizerValuesClose(Array(barely.gradients), [2.9999994, 0, 3.9999992], "barely")
        // maxNorm 10: scale ≈ 2 ≥ 1, untouched.
        let untouched = Self.store(gradients: [3, 0, 4])
        #expect(GradientClipping.clipByGlobalNorm(store: untouched, maxNorm: 10) == 5)
        #expect(Array(untouched.gradients) == [3, 0, 4])
        // Non-finite norm: reported, gradients left alone.
        let broken = Self.store(gradients: [.infinity, 1, 2])
        #expect(GradientClipping.clipByGlobalNorm(store: broken, maxNorm: 1) == .infinity)
        #expect(Array(broken.gradients) == [.infinity, 1, 2])
    }

    @Test("sumOfSquares handles lengths that are not multiples of 4")
    func sumOfSquares() {
        let values: [Float] = [1, 2, 3, 4, 5, 6, 7]  // 1+4+9+16+25+36+49 = 140
        values.withUnsafeBufferPointer {
            #expect(VectorMath.sumOfSquares($0.baseAddress!, count: 7) == 140)
            #expect(VectorMath.sumOfSquares($0.baseAddress!, count: 3) == 14)
        }
    }

    @Test("gradient noise has variance η/(1+t)^γ and is deterministic in (seed, t)")
    func gradientNoise() {
        let noise = GradientNoise(seed: 42, eta: 1.0)
        #expect(noise.gamma == 0.55)
        // σ² at t = 9: 1 / 10^0.55 = 0.28183829312644537 (10^-0.55, hand/bc).
        #expect(abs(noise.standardDeviation(updateCount: 9) * noise.standardDeviation(updateCount: 9)
                    - 0.28183829312644537) < 1e-12)
        #expect(noise.standardDeviation(updateCount: 0) == 1)

        let count = 200_001  // odd: exercises the unpaired last element
        func sample(_ t: Int, seed: UInt64 = 42) -> [Float] {
            let store = ParameterStore(specs: [ParameterSpec(name: "w", shape: [count], role: .weight)])
            for i in 0..<count { store.gradients[i] = 0.5 }
            GradientNoise(seed: seed, eta: 1.0).apply(to: store, updateCount: t)
            return Array(store.gradients)
        }
        let first = sample(9)
        #expect(first == sample(9), "same (seed, t) must give the same noise")
        #expect(first != sample(10))
        #expect(first != sample(9, seed: 43))
        let mean = first.reduce(0.0) { $0 + Double($1) } / Double(count)
        let variance = first.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(count - 1)
        // Standard error of the mean ≈ 0.53/√2e5 ≈ 1.2e-3; of the variance ≈ 0.28·√(2/2e5) ≈ 8.9e-4.
        #expect(abs(mean - 0.5) < 6e-3, "mean \(mean)")
        #expect(abs(variance - 0.28183829312644537) < 5e-3, "variance \(variance)")
        #expect(first[count - 1] != 0.5, "last (unpaired) element must get noise")
        // η = 0 adds nothing.
        let store = ParameterStore(specs: [ParameterSpec(name: "w", shape: [3], role: .weight)])
        GradientNoise(seed: 1, eta: 0).apply(to: store, updateCount: 0)
        #expect(Array(store.gradients) == [0, 0, 0])
    }

    @Test("regularization helpers: sign and effective gradient")
    func regularization() {
        #expect(Regularization.sign(2) == 1 && Regularization.sign(-0.5) == -1 && Regularization.sign(0) == 0)
        #expect(Regularization.sign(.nan) == 0)
        // 0.5 + 0.1·(−2) + 0.05·(−1) = 0.25
        #expect(abs(Regularization.effectiveGradient(0.5, value: -2, weightDecay: 0.1, l1: 0.05) - 0.25) < 1e-7)
        let regularization = Regularization(weightDecay: 0.1, l1: 0.2)
        let store = OptimizerFixture.makeStore()
        #expect(regularization.applying(to: store.slices[0]) == regularization)
        #expect(regularization.applying(to: store.slices[1]) == Regularization())
    }
}
