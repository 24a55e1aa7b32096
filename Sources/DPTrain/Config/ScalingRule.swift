/// `lr_schedule.scale.rule`: how the learning rate given for the base batch B_base is scaled
/// to the batch B actually used (DESIGN §3.6).
///
///     none:    s(B) = 1
///     linear:  s(B) = B / B_base           (Goyal et al. 2017)
///     sqrt:    s(B) = √(B / B_base)        (Krizhevsky 2014; Hoffer et al. 2017)
///
/// Reference: Goyal et al., "Accurate, Large Minibatch SGD: Training ImageNet in 1 Hour",
/// 2017, https://arxiv.org/abs/1706.02677
public enum ScalingRule: String, ConfigChoice, Equatable {
    /// s(B) = 1 (the default).
    case none
    /// s(B) = B / B_base.
    case linear
    /// s(B) = √(B / B_base).
    case sqrt

    /// s(B) for global batch B = `global` and base batch B_base = `baseBatch`, as on the type.
    public func scale(forBatch global: Int, baseBatch: Int) -> Double {
        switch self {
        case .none: return 1
        case .linear: return Double(global) / Double(baseBatch)
        case .sqrt: return (Double(global) / Double(baseBatch)).squareRoot()
        }
    }

    /// The schedule multiplier φ a warmup starts from when `lr_schedule.warmup.start_factor`
    /// is not given: 1 / s(B), so warmup begins at the unscaled base LR and ends at the scaled
    /// one (Goyal et al. 2017); 0 for `none` (warmup from zero).
    public func warmupStartFactor(forBatch global: Int, baseBatch: Int) -> Double {
        self == .none ? 0 : 1 / scale(forBatch: global, baseBatch: baseBatch)
    }
}
