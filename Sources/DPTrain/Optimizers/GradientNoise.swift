import Foundation

/// Annealed Gaussian gradient noise: g ← g + N(0, σ²_t) independently for every gradient
/// element, with
///
///     σ²_t = η / (1 + t)^γ
///
/// where t is the number of updates already applied (0 before the first update). Call
/// ``apply(to:updateCount:)`` after the gradient all-reduce and before the optimizer step.
///
/// Determinism: the noise of update t is drawn from `SplitMix64(keys: seed,
/// RandomStream.gradientNoise, t)` in element order (Box–Muller pairs), so it depends only on
/// (seed, t): every rank adds the same noise to the same reduced gradient, and a resumed run
/// draws the same noise as an uninterrupted one without saving any generator state.
///
/// Reference: Neelakantan et al., "Adding Gradient Noise Improves Learning for Very Deep
/// Networks", 2015, https://arxiv.org/abs/1511.06807 (η ∈ {0.01, 0.3, 1.0}, γ = 0.55).
public struct GradientNoise: Sendable, Equatable {
    /// The run's seed; the noise stream is derived from it.
    public var seed: UInt64
    /// η, the variance at t = 0. Default 0.01.
    public var eta: Double
    /// γ, the annealing exponent. Default 0.55.
    public var gamma: Double

    /// - Parameters:
    ///   - seed: the run's seed.
    ///   - eta: η ≥ 0, default 0.01.
    ///   - gamma: γ ≥ 0, default 0.55.
    public init(seed: UInt64, eta: Double = 0.01, gamma: Double = 0.55) {
        precondition(eta >= 0, "Invalid eta value: \(eta)")
        precondition(gamma >= 0, "Invalid gamma value: \(gamma)")
        self.seed = seed
        self.eta = eta
        self.gamma = gamma
    }

    /// σ_t = √(η / (1 + t)^γ).
    public func standardDeviation(updateCount t: Int) -> Double {
        (eta / pow(1 + Double(t), gamma)).squareRoot()
    }

    /// Adds N(0, σ²_t) to every element of `store.gradients`, t = `updateCount`.
    public func apply(to store: ParameterStore, updateCount t: Int) {
        guard let base = store.gradients.baseAddress else { return }
        GradientNoise.addNoise(to: base, count: store.count,
                               standardDeviation: standardDeviation(updateCount: t),
                               generator: SplitMix64(keys: seed, RandomStream.gradientNoise.rawValue,
                                                     UInt64(max(t, 0))))
    }

    /// Adds the noise of elements `range` of update t to `gradients` (`range.count` floats,
    /// element `range.lowerBound + i` at `gradients[i]`): exactly what ``apply(to:updateCount:)``
    /// adds to those elements, so a sharded update draws the same noise for any W.
    /// Precondition: `range.lowerBound` is even (normals come in pairs).
    public func apply(to gradients: UnsafeMutablePointer<Float>, range: Range<Int>, updateCount t: Int) {
        precondition(range.lowerBound % 2 == 0, "gradient noise blocks start at even elements, not \(range.lowerBound)")
        var generator = SplitMix64(keys: seed, RandomStream.gradientNoise.rawValue, UInt64(max(t, 0)))
        generator.skip(range.lowerBound)  // two values per pair of elements
        GradientNoise.addNoise(to: gradients, count: range.count,
                               standardDeviation: standardDeviation(updateCount: t), generator: generator)
    }

    /// Adds σ·z to each of `count` floats, z standard normal from `generator` by Box–Muller
    /// (two values per pair of uniforms).
    public static func addNoise(to pointer: UnsafeMutablePointer<Float>, count: Int,
                                standardDeviation sigma: Double, generator: SplitMix64) {
        guard sigma > 0 else { return }
        var generator = generator
        var i = 0
        while i < count {
            let u1 = 1.0 - generator.nextDouble()  // (0, 1]
            let u2 = generator.nextDouble()
            let radius = sigma * (-2.0 * log(u1)).squareRoot()
            let angle = 2.0 * Double.pi * u2
            pointer[i] += Float(radius * cos(angle))
            if i + 1 < count { pointer[i + 1] += Float(radius * sin(angle)) }
            i += 2
        }
    }
}
