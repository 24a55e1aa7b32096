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
}
