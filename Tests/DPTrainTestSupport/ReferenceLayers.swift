import DPTrain
import Foundation

// Naive Double implementations of every layer, written independently of the library from the
// formulas in the doc comments. The library's Float layers are compared with these, and these
// are compared with central finite differences (LayerGradientTests).

// MARK: - Activations in Double

public enum ReferenceActivation {
    public static func value(_ activation: Activation, _ z: Double) -> Double {
        switch activation {
        case .identity: return z
        case .relu: return max(z, 0)
        case .leakyRelu(let slope): return z > 0 ? z : Double(slope) * z
        case .sigmoid: return 1 / (1 + exp(-z))
        case .tanh: return tanh(z)
        case .hardTanh(let low, let high): return min(max(z, Double(low)), Double(high))
        case .gelu: return 0.5 * z * (1 + erf(z / 2.0.squareRoot()))
        case .elu(let alpha): return z > 0 ? z : Double(alpha) * (exp(z) - 1)
        }
    }

    /// f′(z), with PyTorch's conventions at kinks.
    public static func derivative(_ activation: Activation, _ z: Double) -> Double {
        switch activation {
        case .identity: return 1
        case .relu: return z > 0 ? 1 : 0
        case .leakyRelu(let slope): return z > 0 ? 1 : Double(slope)
        case .sigmoid: let s = 1 / (1 + exp(-z)); return s * (1 - s)
        case .tanh: let t = tanh(z); return 1 - t * t
        case .hardTanh(let low, let high): return (z > Double(low) && z < Double(high)) ? 1 : 0
        case .gelu:
            let cdf = 0.5 * (1 + erf(z / 2.0.squareRoot()))
            let pdf = exp(-z * z / 2) / (2 * Double.pi).squareRoot()
            return cdf + z * pdf
        case .elu(let alpha): return z > 0 ? 1 : Double(alpha) * exp(z)
        }
    }
}

// MARK: - Layer descriptions

/// One layer of a test case: how to build the library's layer and its Double reference.
public enum LayerSpec: Sendable, CustomStringConvertible {
    case dense(inputs: Int, outputs: Int, activation: Activation, bias: Bool)
    case activation(Activation, size: Int)
    case softmax(size: Int)
    case dropout(rate: Float, size: Int)
    case flatten(shape: [Int])
    // Image and normalisation layers (ReferenceImageLayers.swift).
    case conv2d(input: [Int], outputs: Int, kernel: [Int], stride: Int, padding: Int, activation: Activation, bias: Bool)
    case maxPool(input: [Int], kernel: Int, stride: Int)
    case avgPool(input: [Int], kernel: Int, stride: Int)
    case globalAvgPool(input: [Int])
    case batchNorm(input: [Int])
    case layerNorm(shape: [Int])
    case residual(input: [Int], channels: Int, stride: Int)

    public var description: String {
        switch self {
        case .dense(let i, let o, let a, let b): return "dense(\(i)→\(o), \(a)\(b ? "" : ", no bias"))"
        case .activation(let a, let size): return "activation(\(a), \(size))"
        case .softmax(let size): return "softmax(\(size))"
        case .dropout(let rate, let size): return "dropout(\(rate), \(size))"
        case .flatten(let shape): return "flatten(\(shape))"
        default: return imageDescription
        }
    }

    public var kind: String {
        switch self {
        case .dense: return "dense"
        case .activation: return "activation"
        case .softmax: return "softmax"
        case .dropout: return "dropout"
        case .flatten: return "flatten"
        default: return imageKind
        }
    }

    public var inputSize: Int {
        switch self {
        case .dense(let i, _, _, _): return i
        case .activation(_, let size), .softmax(let size), .dropout(_, let size): return size
        case .flatten(let shape): return shape.reduce(1, *)
        default: return imageInputShape.reduce(1, *)
        }
    }

    public var outputSize: Int {
        if case .dense(_, let o, _, _) = self { return o }
        if let shape = imageOutputShape { return shape.reduce(1, *) }
        return inputSize
    }

    /// Expected parameter names and shapes for layer `name`, in layout order.
    public func expectedParameters(name: String) -> [(String, [Int])] {
        if let image = imageExpectedParameters(name: name) { return image }
        guard case .dense(let i, let o, _, let bias) = self else { return [] }
        return bias ? [("\(name).weight", [o, i]), ("\(name).bias", [o])] : [("\(name).weight", [o, i])]
    }

    public var parameterCount: Int { expectedParameters(name: "").reduce(0) { $0 + $1.1.reduce(1, *) } }

    /// The library's layer.
    public func makeLayer(name: String) -> any Layer {
        switch self {
        case .dense(let i, let o, let a, let b):
            return Dense(name: name, inputSize: i, outputSize: o, activation: a, usesBias: b)
        case .activation(let a, let size): return ActivationLayer(name: name, activation: a, shape: [size])
        case .softmax(let size): return Softmax(name: name, size: size)
        case .dropout(let rate, let size): return Dropout(name: name, rate: rate, shape: [size])
        case .flatten(let shape): return Flatten(name: name, inputShape: shape)
        default: return makeImageLayer(name: name)
        }
    }
}

/// 64-bit FNV-1a of the UTF-8 name: the dropout salt the documentation specifies.
public func fnv1a(_ name: String) -> UInt64 {
    var hash: UInt64 = 14_695_981_039_346_656_037
    for byte in name.utf8 { hash = (hash ^ UInt64(byte)) &* 1_099_511_628_211 }
    return hash
}

/// The documented dropout mask of one row: element j is dropped when the j-th `nextFloat()`
/// of `SplitMix64(keys: key, RandomStream.dropout, FNV-1a(name))` is below p.
public func referenceDropoutMask(key: UInt64, name: String, rate: Float, count: Int) -> [Double] {
    var generator = SplitMix64(keys: key, 3, fnv1a(name))
    return (0..<count).map { _ in generator.nextFloat() < rate ? 0 : 1 / (1 - Double(rate)) }
}

// MARK: - Double forward / backward of one layer

/// How a reference pass runs: training (dropout active) or not, and the per-row dropout keys.
public struct ReferencePass {
    public var training: Bool
    public var keys: [UInt64]

    public init(training: Bool, keys: [UInt64]) {
        self.training = training
        self.keys = keys
    }
}

extension LayerSpec {
    /// Y for input X (`n × inputSize`, row-major) and parameters θ (this layer's slice).
    public func referenceForward(name: String, parameters θ: ArraySlice<Double>, input x: [Double], rows n: Int,
                          pass: ReferencePass) -> [Double] {
        switch self {
        case .dense(let inputs, let outputs, let activation, let bias):
            let w = Array(θ.prefix(inputs * outputs))
            let b = bias ? Array(θ.dropFirst(inputs * outputs)) : [Double](repeating: 0, count: outputs)
            var y = [Double](repeating: 0, count: n * outputs)
            for r in 0..<n {
                for o in 0..<outputs {
                    var z = b[o]
                    for i in 0..<inputs { z += x[r * inputs + i] * w[o * inputs + i] }
                    y[r * outputs + o] = ReferenceActivation.value(activation, z)
                }
            }
            return y
        case .activation(let activation, _):
            return x.map { ReferenceActivation.value(activation, $0) }
        case .softmax(let c):
            var y = [Double](repeating: 0, count: n * c)
            for r in 0..<n {
                let row = x[(r * c)..<(r * c + c)]
                let m = row.max()!
                let total = row.reduce(0) { $0 + exp($1 - m) }
                for j in 0..<c { y[r * c + j] = exp(x[r * c + j] - m) / total }
            }
            return y
        case .dropout(let rate, let size):
            guard pass.training, rate > 0 else { return x }
            var y = x
            for r in 0..<n {
                let mask = referenceDropoutMask(key: pass.keys[r], name: name, rate: rate, count: size)
                for j in 0..<size { y[r * size + j] *= mask[j] }
            }
            return y
        case .flatten:
            return x
        default:
            return imageReferenceForward(name: name, parameters: θ, input: x, rows: n, pass: pass)
        }
    }

    /// (dX, dθ) for output gradient dY, by the chain rule written element by element.
    public func referenceBackward(name: String, parameters θ: ArraySlice<Double>, input x: [Double], rows n: Int,
                           outputGradient dy: [Double], pass: ReferencePass) -> (dx: [Double], dθ: [Double]) {
        switch self {
        case .dense(let inputs, let outputs, let activation, let bias):
            let w = Array(θ.prefix(inputs * outputs))
            let b = bias ? Array(θ.dropFirst(inputs * outputs)) : [Double](repeating: 0, count: outputs)
            var dw = [Double](repeating: 0, count: inputs * outputs)
            var db = [Double](repeating: 0, count: outputs)
            var dx = [Double](repeating: 0, count: n * inputs)
            for r in 0..<n {
                for o in 0..<outputs {
                    var z = b[o]
                    for i in 0..<inputs { z += x[r * inputs + i] * w[o * inputs + i] }
                    let dz = dy[r * outputs + o] * ReferenceActivation.derivative(activation, z)
                    db[o] += dz
                    for i in 0..<inputs {
                        dw[o * inputs + i] += dz * x[r * inputs + i]
                        dx[r * inputs + i] += dz * w[o * inputs + i]
                    }
                }
            }
            return (dx, bias ? dw + db : dw)
        case .activation(let activation, _):
            return (zip(x, dy).map { ReferenceActivation.derivative(activation, $0) * $1 }, [])
        case .softmax(let c):
            let y = referenceForward(name: name, parameters: θ, input: x, rows: n, pass: pass)
            var dx = [Double](repeating: 0, count: n * c)
            for r in 0..<n {
                for j in 0..<c {
                    // dx_j = Σ_k dy_k · ∂y_k/∂x_j, ∂y_k/∂x_j = y_k(δ_kj − y_j)
                    var sum = 0.0
                    for k in 0..<c {
                        let jacobian = y[r * c + k] * ((k == j ? 1 : 0) - y[r * c + j])
                        sum += dy[r * c + k] * jacobian
                    }
                    dx[r * c + j] = sum
                }
            }
            return (dx, [])
        case .dropout(let rate, let size):
            guard pass.training, rate > 0 else { return (dy, []) }
            var dx = dy
            for r in 0..<n {
                let mask = referenceDropoutMask(key: pass.keys[r], name: name, rate: rate, count: size)
                for j in 0..<size { dx[r * size + j] *= mask[j] }
            }
            return (dx, [])
        case .flatten:
            return (dy, [])
        default:
            return imageReferenceBackward(name: name, parameters: θ, input: x, rows: n, outputGradient: dy, pass: pass)
        }
    }
}

// MARK: - A chain of layers (Sequential) in Double

/// Names layers `<kind>.<position>`, the model's convention.
public func layerNames(_ specs: [LayerSpec]) -> [String] {
    specs.enumerated().map { "\($1.kind).\($0)" }
}

/// Output of the chain for flat parameters θ (layer slices concatenated in order).
public func referenceChainForward(_ specs: [LayerSpec], parameters θ: [Double], input: [Double], rows n: Int,
                           pass: ReferencePass) -> [Double] {
    var x = input, offset = 0
    for (spec, name) in zip(specs, layerNames(specs)) {
        let slice = θ[offset..<(offset + spec.parameterCount)]
        x = spec.referenceForward(name: name, parameters: slice, input: x, rows: n, pass: pass)
        offset += spec.parameterCount
    }
    return x
}

/// (dX, dθ) of the chain.
public func referenceChainBackward(_ specs: [LayerSpec], parameters θ: [Double], input: [Double], rows n: Int,
                            outputGradient: [Double], pass: ReferencePass) -> (dx: [Double], dθ: [Double]) {
    let names = layerNames(specs)
    var inputs: [[Double]] = []
    var offsets: [Int] = []
    var x = input, offset = 0
    for (spec, name) in zip(specs, names) {
        inputs.append(x)
        offsets.append(offset)
        x = spec.referenceForward(name: name, parameters: θ[offset..<(offset + spec.parameterCount)],
                                  input: x, rows: n, pass: pass)
        offset += spec.parameterCount
    }
    var dθ = [Double](repeating: 0, count: θ.count)
    var gradient = outputGradient
    for index in specs.indices.reversed() {
        let spec = specs[index], start = offsets[index]
        let (dx, dp) = spec.referenceBackward(name: names[index],
                                              parameters: θ[start..<(start + spec.parameterCount)],
                                              input: inputs[index], rows: n, outputGradient: gradient, pass: pass)
        for i in 0..<dp.count { dθ[start + i] += dp[i] }
        gradient = dx
    }
    return (gradient, dθ)
}
