/// What a parameter tensor is for; decides its default weight-decay treatment and its init.
public enum ParameterRole: String, Sendable, Codable {
    /// A weight matrix or kernel (dense `[out, in]`, convolution `[out, in, kh, kw]`). Decayed.
    case weight
    /// An additive bias. Not decayed.
    case bias
    /// A normalisation scale γ. Not decayed.
    case normScale
    /// A normalisation shift β. Not decayed.
    case normShift
    /// A running statistic of a normalisation layer (``BatchNorm``'s running mean and
    /// variance). Not trained: no layer ever adds to its gradient, so it stays 0 after
    /// `zeroGradients()` and the all-reduce, and every optimizer (none decays it) leaves the
    /// value unchanged. The owning layer updates the value itself. It lives in the store so
    /// that checkpoints, `final.safetensors`, the initial broadcast and replica checks
    /// include it. Not decayed.
    case runningStatistic
}
