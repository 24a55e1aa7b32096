import Foundation

/// An elementwise nonlinearity y = f(z), with its derivative f′(z) for backward passes.
///
/// Used fused inside ``Dense`` (bias + activation in one pass over each output row) and as a
/// standalone ``ActivationLayer``. Every kernel is a tight pointer loop with the `switch`
/// hoisted out of it. Loads happen unconditionally before any `?:` so that LLVM can turn
/// the choice into a vector select (a load inside a branch of raw pointers cannot be
/// speculated, which leaves a mispredicted branch per element); ReLU-family kernels
/// vectorise, the transcendental ones (sigmoid, tanh, GELU, ELU) call scalar libm.
///
/// Conventions at kinks follow PyTorch: f′ = 0 for ReLU at z = 0, slope for leaky ReLU at
/// z ≤ 0, and hard-tanh's derivative is 1 only strictly inside (min, max).
public enum Activation: Sendable, Equatable, CustomStringConvertible {
    /// f(z) = z.
    case identity
    /// f(z) = max(z, 0).
    case relu
    /// f(z) = z for z > 0, `slope`·z otherwise (PyTorch default slope 0.01).
    case leakyRelu(slope: Float)
    /// f(z) = 1 / (1 + e^(−z)), evaluated stably for both signs of z.
    case sigmoid
    /// f(z) = tanh z.
    case tanh
    /// f(z) = min(max(z, min), max) (PyTorch `Hardtanh`, default −1, 1).
    case hardTanh(min: Float, max: Float)
    /// Exact GELU, f(z) = z·Φ(z) = ½·z·(1 + erf(z/√2)), the PyTorch default
    /// (`approximate='none'`); f′(z) = Φ(z) + z·φ(z) with φ the standard normal density.
    /// Reference: Hendrycks & Gimpel 2016, "Gaussian Error Linear Units".
    case gelu
    /// f(z) = z for z > 0, α·(e^z − 1) otherwise (α > 0; PyTorch default 1).
    /// Reference: Clevert et al. 2015, "Fast and Accurate Deep Network Learning by ELUs".
    case elu(alpha: Float)

    /// Leaky ReLU with PyTorch's default slope 0.01.
    public static var leakyRelu: Activation { .leakyRelu(slope: 0.01) }
    /// Hard tanh on [−1, 1].
    public static var hardTanh: Activation { .hardTanh(min: -1, max: 1) }
    /// ELU with α = 1.
    public static var elu: Activation { .elu(alpha: 1) }

    /// Config spelling: `identity`, `relu`, `leaky_relu(0.01)`, `sigmoid`, `tanh`,
    /// `hard_tanh(-1, 1)`, `gelu`, `elu(1)`.
    public var description: String {
        switch self {
        case .identity: return "identity"
        case .relu: return "relu"
        case .leakyRelu(let slope): return "leaky_relu(\(slope))"
        case .sigmoid: return "sigmoid"
        case .tanh: return "tanh"
        case .hardTanh(let low, let high): return "hard_tanh(\(low), \(high))"
        case .gelu: return "gelu"
        case .elu(let alpha): return "elu(\(alpha))"
        }
    }

    /// The names ``init(configName:)`` accepts, for error messages that suggest the nearest.
    public static let configNames = ["identity", "linear", "relu", "leaky_relu", "sigmoid", "tanh",
                                     "hard_tanh", "gelu", "elu"]

    /// Parses a config name (`{activation: relu}`), with PyTorch's default parameters for the
    /// parameterised ones: `leaky_relu` slope 0.01, `hard_tanh` [−1, 1], `elu` α = 1.
    /// `linear` is a synonym of `identity`. Returns nil for other names.
    public init?(configName: String) {
        switch configName {
        case "identity", "linear": self = .identity
        case "relu": self = .relu
        case "leaky_relu": self = .leakyRelu
        case "sigmoid": self = .sigmoid
        case "tanh": self = .tanh
        case "hard_tanh": self = .hardTanh
        case "gelu": self = .gelu
        case "elu": self = .elu
        default: return nil
        }
    }

    /// True for `.identity`: layers skip the activation pass and its cache entirely.
    public var isIdentity: Bool { self == .identity }

    // MARK: - Forward

    /// y = f(z + b) row by row, for a `rows × columns` block.
    ///
    /// - Parameters:
    ///   - preActivation: z, `rows × columns`; when `bias` is given it is updated in place to
    ///     z + b (so backward can read it), b broadcast over rows.
    ///   - bias: b, `columns` floats, or nil.
    ///   - output: y, `rows × columns`; may equal `preActivation` (then z is overwritten,
    ///     which is only safe for activations whose derivative needs y alone, see
    ///     ``derivativeNeedsPreActivation``).
    public func forward(preActivation: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?,
                        output: UnsafeMutablePointer<Float>, rows: Int, columns: Int) {
        for row in 0..<rows {
            let z = preActivation + row * columns
            let y = output + row * columns
            if let bias {
                for j in 0..<columns { z[j] += bias[j] }
            }
            forwardRow(z, y, columns)
        }
    }

    /// y = f(z) for `count` contiguous elements; `output` may equal `input`.
    public func forward(_ input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, count: Int) {
        forwardRow(input, output, count)
    }

    @inline(__always)
    private func forwardRow(_ z: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        switch self {
        case .identity:
            if UnsafePointer(y) != z { for j in 0..<n { y[j] = z[j] } }
        case .relu:
            for j in 0..<n { y[j] = z[j] > 0 ? z[j] : 0 }
        case .leakyRelu(let slope):
            for j in 0..<n { y[j] = z[j] > 0 ? z[j] : slope * z[j] }
        case .sigmoid:
            for j in 0..<n {
                // e^(−|z|) ≤ 1 never overflows; σ(z) = 1/(1+e) for z ≥ 0, e/(1+e) otherwise.
                let v = z[j]
                let e = Foundation.exp(-abs(v))
                let inverse = 1 / (1 + e)
                y[j] = v >= 0 ? inverse : e * inverse
            }
        case .tanh:
            for j in 0..<n { y[j] = Foundation.tanh(z[j]) }
        case .hardTanh(let low, let high):
            for j in 0..<n { y[j] = Swift.min(Swift.max(z[j], low), high) }
        case .gelu:
            let invSqrt2: Float = 0.707_106_781_186_547_5
            for j in 0..<n { let v = z[j]; y[j] = 0.5 * v * (1 + Foundation.erf(v * invSqrt2)) }
        case .elu(let alpha):
            for j in 0..<n { let v = z[j]; y[j] = v > 0 ? v : alpha * (Foundation.exp(v) - 1) }
        }
    }

    // MARK: - Backward

    /// Whether f′ must be computed from the pre-activation z (GELU, leaky ReLU with a
    /// negative slope) rather than from the output y. Layers keep z only when this is true
    /// or when they cache it anyway.
    public var derivativeNeedsPreActivation: Bool {
        switch self {
        case .gelu: return true
        case .leakyRelu(let slope): return slope <= 0
        case .elu(let alpha): return alpha <= 0
        default: return false
        }
    }

    /// dz = dy ⊙ f′(z) for `count` contiguous elements.
    ///
    /// - Parameters:
    ///   - preActivation: z (read only by activations with ``derivativeNeedsPreActivation``;
    ///     any pointer to `count` floats otherwise, for example y).
    ///   - output: y = f(z) from the forward pass.
    ///   - outputGradient: dy = ∂L/∂y.
    ///   - inputGradient: dz = ∂L/∂z (written; may equal `outputGradient`).
    public func backward(preActivation: UnsafePointer<Float>, output: UnsafePointer<Float>,
                         outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>, count n: Int) {
        let z = preActivation, y = output, dy = outputGradient, dz = inputGradient
        switch self {
        case .identity:
            if UnsafePointer(dz) != dy { for j in 0..<n { dz[j] = dy[j] } }
        case .relu:
            for j in 0..<n { let g = dy[j]; dz[j] = y[j] > 0 ? g : 0 }
        case .leakyRelu(let slope):
            if slope > 0 {
                // y > 0 ⇔ z > 0 when the slope is positive.
                for j in 0..<n { let g = dy[j]; dz[j] = y[j] > 0 ? g : slope * g }
            } else {
                for j in 0..<n { let g = dy[j]; dz[j] = z[j] > 0 ? g : slope * g }
            }
        case .sigmoid:
            for j in 0..<n { dz[j] = dy[j] * y[j] * (1 - y[j]) }
        case .tanh:
            for j in 0..<n { dz[j] = dy[j] * (1 - y[j] * y[j]) }
        case .hardTanh(let low, let high):
            // min < z < max ⇔ min < y < max.
            for j in 0..<n { let g = dy[j], v = y[j]; dz[j] = (v > low && v < high) ? g : 0 }
        case .gelu:
            let invSqrt2: Float = 0.707_106_781_186_547_5
            let invSqrt2Pi: Float = 0.398_942_280_401_432_7
            for j in 0..<n {
                let v = z[j]
                let cdf = 0.5 * (1 + Foundation.erf(v * invSqrt2))
                let pdf = invSqrt2Pi * Foundation.exp(-0.5 * v * v)
                dz[j] = dy[j] * (cdf + v * pdf)
            }
        case .elu(let alpha):
            if alpha > 0 {
                // For z ≤ 0: f′ = α·e^z = y + α, and y > 0 ⇔ z > 0.
                for j in 0..<n { let g = dy[j], v = y[j]; dz[j] = v > 0 ? g : g * (v + alpha) }
            } else {
                for j in 0..<n { dz[j] = z[j] > 0 ? dy[j] : dy[j] * alpha * Foundation.exp(z[j]) }
            }
        }
    }
}
