/// A small, fast, seedable pseudo-random generator (Steele, Lea & Flood 2014, "SplitMix").
///
/// State advances by the golden-ratio constant; output is the state passed through a
/// 64-bit finaliser. All randomness in dptrain comes from this type, seeded explicitly from
/// the config's seed (never from the system's random source), so runs are reproducible.
public struct SplitMix64: RandomNumberGenerator, Sendable, Equatable, Codable {
    /// The whole state: 64 bits, saved in checkpoints.
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// A generator for one purpose, derived from independent keys — for example
    /// `(seed, Stream.dropout, epoch, sampleIndex)` — so that a sample's random numbers do not
    /// depend on which rank or micro-step computes it.
    public init(keys: UInt64...) {
        var hash: UInt64 = 0x243F_6A88_85A3_08D3
        for key in keys { hash = SplitMix64.mix(hash ^ SplitMix64.mix(key &+ 0x9E37_79B9_7F4A_7C15)) }
        state = hash
    }

    /// The SplitMix64 finaliser: a bijective 64-bit hash.
    @inlinable public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    @inlinable public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.mix(state)
    }

    /// Advances the generator past `count` values, as `count` calls of ``next()`` would (the
    /// state is a counter: one addition).
    public mutating func skip(_ count: Int) {
        state &+= UInt64(count) &* 0x9E37_79B9_7F4A_7C15
    }

    /// Uniform in [0, 1) with 24 random bits.
    @inlinable public mutating func nextFloat() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// Uniform in [0, 1) with 53 random bits.
    @inlinable public mutating func nextDouble() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// Standard normal N(0, 1) by the Box–Muller transform (one value per call).
    @inlinable public mutating func nextNormal() -> Double {
        let u1 = 1.0 - nextDouble()  // (0, 1]
        let u2 = nextDouble()
        return (-2.0 * _log(u1)).squareRoot() * _cos(2.0 * Double.pi * u2)
    }

    /// Uniform integer in 0 ..< bound (Lemire's nearly-divisionless method).
    @inlinable public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        return Int(next(upperBound: UInt64(bound)))
    }
}

/// Independent random streams derived from one seed (the `keys` of ``SplitMix64/init(keys:)``).
public enum RandomStream: UInt64, Sendable {
    case initialization = 1
    case shuffle = 2
    case dropout = 3
    case augmentation = 4
    case validationSplit = 5
    case gradientNoise = 6
    case synthetic = 7
    /// The fixed subset of a split that a study target is checked on (``TargetProgress``).
    case targetSubset = 8
}

@usableFromInline func _log(_ x: Double) -> Double { Foundation_log(x) }
@usableFromInline func _cos(_ x: Double) -> Double { Foundation_cos(x) }
