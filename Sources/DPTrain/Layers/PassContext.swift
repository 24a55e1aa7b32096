/// What a forward or backward pass needs to know beyond its input.
public struct PassContext {
    /// Training mode (dropout active, batch statistics) or evaluation mode.
    public var training: Bool
    /// One key per row of the micro-batch, derived from (seed, epoch, global sample index)
    /// by ``SampleKeys``. Layers that draw per-sample random numbers (dropout) seed a
    /// ``SplitMix64`` with `(key, layer index)`, so a sample's mask does not depend on W, K,
    /// m or its position in the micro-batch (DESIGN §3.3). Nil in evaluation.
    public var sampleKeys: UnsafePointer<UInt64>?
    /// True (the default): backward adds its parameter gradients into the store (β = 1).
    /// False on the first micro-step of an update when every layer
    /// ``Layer/overwritesParameterGradients``: backward writes them (β = 0), so ∇ needs no
    /// zeroing pass before the step.
    public var accumulatesGradients = true

    public init(training: Bool, sampleKeys: UnsafePointer<UInt64>? = nil) {
        self.training = training
        self.sampleKeys = sampleKeys
    }

    /// Evaluation mode: no randomness, running statistics.
    public static var evaluation: PassContext { PassContext(training: false) }
}

/// The per-sample random key: a hash of (seed, epoch, global sample index).
public enum SampleKeys {
    /// Key of sample `index` of the training set in `epoch` for a run seeded with `seed`.
    @inlinable public static func key(seed: UInt64, epoch: Int, sampleIndex: Int) -> UInt64 {
        SplitMix64.mix(SplitMix64.mix(SplitMix64.mix(seed ^ 0x5DEE_CE66_D1CE_4E5B)
            &+ UInt64(truncatingIfNeeded: epoch)) &+ UInt64(truncatingIfNeeded: sampleIndex))
    }
}
