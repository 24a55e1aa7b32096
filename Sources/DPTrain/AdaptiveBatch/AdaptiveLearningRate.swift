/// `batch.adaptive.lr`: how the learning rate follows the batch when ``AdaptiveBatchPolicy``
/// grows it from B₀ (`batch.global`) to B, with scale S = B/B₀ and AdaScale gain r ∈ [1, S]
/// (``AdaScaleGain``). The LR of a step is
///
///     η = η₀(τ) · ρ,   η₀ = the LR written for B₀ (`optimizer.lr`, `lr_schedule`) at clock τ
///
///     none:      ρ = 1,    τ = t               (keep the LR; Smith et al. 2017)
///     linear:    ρ = S,    τ = t               (Goyal et al. 2017)
///     sqrt:      ρ = √S,   τ = t               (Krizhevsky 2014; Hoffer et al. 2017)
///     adascale:  ρ = r,    τ advances by r base-batch updates per update (Johnson et al. 2020)
///
/// t is the data progress in epochs. Under `adascale` the schedule runs on the scale-invariant
/// clock τ (``AdaptiveBatchState/scheduleLag``) and the run ends when τ reaches `train.epochs`,
/// so a schedule written for B₀ runs whole at any B (the run sees more data than τ says).
///
/// Reference: Johnson, Agrawal, Gu & Guestrin, "AdaScale SGD: A User-Friendly Algorithm for
/// Distributed Training", ICML 2020, https://arxiv.org/abs/2007.05105
public enum AdaptiveLearningRate: String, ConfigChoice, Equatable {
    /// ρ = 1: the LR of B₀ at any B (the default).
    case none
    /// ρ = S = B/B₀.
    case linear
    /// ρ = √S.
    case sqrt
    /// ρ = r, the AdaScale gain, and the schedule on the scale-invariant clock.
    case adascale

    /// ρ for scale S = `scale` and AdaScale gain r = `gain`, as on the type.
    public func factor(scale: Double, gain: Double) -> Double {
        switch self {
        case .none: return 1
        case .linear: return scale
        case .sqrt: return scale.squareRoot()
        case .adascale: return gain
        }
    }

    /// True when the schedule's clock is the scale-invariant τ rather than the data progress t.
    public var usesScaleInvariantClock: Bool { self == .adascale }
}
