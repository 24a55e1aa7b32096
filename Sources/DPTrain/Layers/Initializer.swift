/// How a parameter tensor gets its initial values. Deterministic: every value is drawn from
/// the ``SplitMix64`` passed to ``fill(pointer:count:fanIn:fanOut:generator:)``, in order.
///
/// Fans follow PyTorch's `_calculate_fan_in_and_fan_out`: for a dense weight `[out, in]`,
/// fanIn = in and fanOut = out. Normal draws use ``SplitMix64/nextNormal()`` (Box–Muller,
/// not truncated); uniform draws use ``SplitMix64/nextDouble()``.
public enum Initializer: Sendable, Equatable, CustomStringConvertible {
    /// Every value 0.
    case zeros
    /// Every value `c`.
    case constant(Float)
    /// U(low, high).
    case uniform(low: Float, high: Float)
    /// N(mean, standardDeviation²).
    case normal(mean: Float, standardDeviation: Float)
    /// Glorot/Xavier uniform: U(−a, a) with a = gain·√(6 / (fanIn + fanOut)).
    /// Reference: Glorot & Bengio 2010, "Understanding the difficulty of training deep
    /// feedforward neural networks" (PyTorch `xavier_uniform_`).
    case xavierUniform(gain: Float = 1)
    /// Glorot/Xavier normal: N(0, σ²) with σ = gain·√(2 / (fanIn + fanOut))
    /// (PyTorch `xavier_normal_`).
    case xavierNormal(gain: Float = 1)
    /// He/Kaiming uniform for ReLU: U(−a, a) with a = √2·√(3 / fan), fan = fanIn or fanOut
    /// per `mode` (PyTorch `kaiming_uniform_(nonlinearity='relu')`).
    /// Reference: He et al. 2015, "Delving Deep into Rectifiers".
    case heUniform(mode: FanMode = .fanIn)
    /// He/Kaiming normal for ReLU: N(0, σ²) with σ = √2 / √fan
    /// (PyTorch `kaiming_normal_(nonlinearity='relu')`).
    case heNormal(mode: FanMode = .fanIn)
    /// LeCun normal: N(0, σ²) with σ = √(1 / fanIn) (not truncated, unlike Keras's).
    /// Reference: LeCun et al. 1998, "Efficient BackProp".
    case lecunNormal

    /// Which fan a He initialiser divides by.
    public enum FanMode: String, Sendable, Equatable {
        /// Preserves the variance of activations in the forward pass (PyTorch default).
        case fanIn = "fan_in"
        /// Preserves the variance of gradients in the backward pass.
        case fanOut = "fan_out"
    }

    /// Config spelling, for example `he_normal(fan_in)`.
    public var description: String {
        switch self {
        case .zeros: return "zeros"
        case .constant(let c): return "constant(\(c))"
        case .uniform(let low, let high): return "uniform(\(low), \(high))"
        case .normal(let mean, let std): return "normal(\(mean), \(std))"
        case .xavierUniform(let gain): return "xavier_uniform(gain: \(gain))"
        case .xavierNormal(let gain): return "xavier_normal(gain: \(gain))"
        case .heUniform(let mode): return "he_uniform(\(mode.rawValue))"
        case .heNormal(let mode): return "he_normal(\(mode.rawValue))"
        case .lecunNormal: return "lecun_normal"
        }
    }

    /// The names ``init(configName:)`` accepts, for error messages that suggest the nearest.
    public static let configNames = ["zeros", "ones", "xavier_uniform", "glorot_uniform", "xavier_normal",
                                     "glorot_normal", "he_uniform", "kaiming_uniform", "he_normal",
                                     "kaiming_normal", "he_uniform_fan_out", "he_normal_fan_out",
                                     "lecun_normal", "uniform", "normal"]

    /// Parses a config name (`init: he_normal`), with gain 1 and fan-in mode unless the name ends
    /// in `_fan_out`; `uniform` is U(−0.05, 0.05) and `normal` N(0, 0.05²), Keras's defaults. `glorot_*` and
    /// `kaiming_*` are synonyms of `xavier_*` and `he_*`; `ones` is `constant(1)`. A number
    /// (`bias_init: 0.01`) is `.constant`, which the config layer builds directly.
    /// Returns nil for other names.
    public init?(configName: String) {
        switch configName {
        case "zeros": self = .zeros
        case "ones": self = .constant(1)
        case "xavier_uniform", "glorot_uniform": self = .xavierUniform()
        case "xavier_normal", "glorot_normal": self = .xavierNormal()
        case "he_uniform", "kaiming_uniform": self = .heUniform()
        case "he_normal", "kaiming_normal": self = .heNormal()
        case "he_uniform_fan_out", "kaiming_uniform_fan_out": self = .heUniform(mode: .fanOut)
        case "he_normal_fan_out", "kaiming_normal_fan_out": self = .heNormal(mode: .fanOut)
        case "lecun_normal": self = .lecunNormal
        case "uniform": self = .uniform(low: -0.05, high: 0.05)
        case "normal": self = .normal(mean: 0, standardDeviation: 0.05)
        default: return nil
        }
    }

    /// Writes `count` initial values at `pointer`.
    ///
    /// - Parameters:
    ///   - pointer: first element of the tensor (for example a slice of
    ///     ``ParameterStore/values``).
    ///   - count: number of elements.
    ///   - fanIn: inputs per output unit (for a dense weight `[out, in]`: `in`).
    ///   - fanOut: outputs per input unit (for a dense weight: `out`).
    ///   - generator: the random stream; advanced by one draw per element for random
    ///     initialisers, untouched for `zeros` and `constant`.
    public func fill(pointer: UnsafeMutablePointer<Float>, count: Int, fanIn: Int, fanOut: Int,
                     generator: inout SplitMix64) {
        let fanIn = Double(max(fanIn, 1)), fanOut = Double(max(fanOut, 1))
        switch self {
        case .zeros:
            pointer.update(repeating: 0, count: count)
        case .constant(let c):
            pointer.update(repeating: c, count: count)
        case .uniform(let low, let high):
            Self.fillUniform(pointer, count, low: Double(low), high: Double(high), &generator)
        case .normal(let mean, let std):
            Self.fillNormal(pointer, count, mean: Double(mean), std: Double(std), &generator)
        case .xavierUniform(let gain):
            let bound = Double(gain) * (6.0 / (fanIn + fanOut)).squareRoot()
            Self.fillUniform(pointer, count, low: -bound, high: bound, &generator)
        case .xavierNormal(let gain):
            let std = Double(gain) * (2.0 / (fanIn + fanOut)).squareRoot()
            Self.fillNormal(pointer, count, mean: 0, std: std, &generator)
        case .heUniform(let mode):
            let fan = mode == .fanIn ? fanIn : fanOut
            let bound = 2.0.squareRoot() * (3.0 / fan).squareRoot()
            Self.fillUniform(pointer, count, low: -bound, high: bound, &generator)
        case .heNormal(let mode):
            let fan = mode == .fanIn ? fanIn : fanOut
            Self.fillNormal(pointer, count, mean: 0, std: (2.0 / fan).squareRoot(), &generator)
        case .lecunNormal:
            Self.fillNormal(pointer, count, mean: 0, std: (1.0 / fanIn).squareRoot(), &generator)
        }
    }

    private static func fillUniform(_ pointer: UnsafeMutablePointer<Float>, _ count: Int,
                                    low: Double, high: Double, _ generator: inout SplitMix64) {
        let width = high - low
        for i in 0..<count { pointer[i] = Float(low + width * generator.nextDouble()) }
    }

    private static func fillNormal(_ pointer: UnsafeMutablePointer<Float>, _ count: Int,
                                   mean: Double, std: Double, _ generator: inout SplitMix64) {
        for i in 0..<count { pointer[i] = Float(mean + std * generator.nextNormal()) }
    }
}
