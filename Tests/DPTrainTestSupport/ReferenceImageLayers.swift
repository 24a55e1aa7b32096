import DPTrain
import Foundation

// Naive Double references for the image and normalisation layers, written from the formulas in
// the layers' doc comments (direct convolution loops, no im2col), plus the per-spec details
// LayerGradientTests needs (names, shapes, which parameters are trainable).

public let bnEpsilon = 1e-5

extension LayerSpec {
    public var imageDescription: String {
        switch self {
        case let .conv2d(input, outputs, kernel, stride, padding, activation, bias):
            return "conv2d(\(input)→\(outputs), k\(kernel[0])×\(kernel[1]) s\(stride) p\(padding), \(activation)\(bias ? "" : ", no bias"))"
        case let .maxPool(input, kernel, stride): return "maxpool(\(input), k\(kernel) s\(stride))"
        case let .avgPool(input, kernel, stride): return "avgpool(\(input), k\(kernel) s\(stride))"
        case let .globalAvgPool(input): return "global_avgpool(\(input))"
        case let .batchNorm(input): return "batchnorm(\(input))"
        case let .layerNorm(shape): return "layernorm(\(shape))"
        case let .residual(input, channels, stride): return "residual(\(input)→\(channels), s\(stride))"
        default: fatalError("not an image layer")
        }
    }

    public var imageKind: String {
        switch self {
        case .conv2d: return "conv2d"
        case .maxPool: return "maxpool"
        case .avgPool: return "avgpool"
        case .globalAvgPool: return "global_avgpool"
        case .batchNorm: return "batchnorm"
        case .layerNorm: return "layernorm"
        case .residual: return "residual"
        default: fatalError("not an image layer")
        }
    }

    public var imageInputShape: [Int] {
        switch self {
        case let .conv2d(input, _, _, _, _, _, _), let .maxPool(input, _, _), let .avgPool(input, _, _),
             let .globalAvgPool(input), let .batchNorm(input), let .layerNorm(input), let .residual(input, _, _):
            return input
        default: fatalError("not an image layer")
        }
    }

    /// Output shape of image layers (nil for the others).
    public var imageOutputShape: [Int]? {
        switch self {
        case let .conv2d(input, outputs, kernel, stride, padding, _, _):
            return [outputs, (input[1] + 2 * padding - kernel[0]) / stride + 1, (input[2] + 2 * padding - kernel[1]) / stride + 1]
        case let .maxPool(input, kernel, stride), let .avgPool(input, kernel, stride):
            return [input[0], (input[1] - kernel) / stride + 1, (input[2] - kernel) / stride + 1]
        case let .globalAvgPool(input): return [input[0]]
        case let .batchNorm(input), let .layerNorm(input): return input
        case let .residual(input, channels, stride):
            return [channels, (input[1] - 1) / stride + 1, (input[2] - 1) / stride + 1]
        default: return nil
        }
    }

    /// The basic residual block as specs: body (conv-bn-relu-conv-bn) and the shortcut.
    public var residualParts: (body: [LayerSpec], shortcut: LayerSpec?)? {
        guard case let .residual(input, channels, stride) = self else { return nil }
        let conv1 = LayerSpec.conv2d(input: input, outputs: channels, kernel: [3, 3], stride: stride, padding: 1,
                                     activation: .identity, bias: false)
        let mid = conv1.imageOutputShape!
        let body: [LayerSpec] = [conv1, .batchNorm(input: mid), .activation(.relu, size: mid.reduce(1, *)),
                                 .conv2d(input: mid, outputs: channels, kernel: [3, 3], stride: 1, padding: 1,
                                         activation: .identity, bias: false),
                                 .batchNorm(input: mid)]
        let shortcut: LayerSpec? = mid == input ? nil
            : .conv2d(input: input, outputs: channels, kernel: [1, 1], stride: stride, padding: 0, activation: .identity, bias: false)
        return (body, shortcut)
    }

    public static let residualBodyNames = ["conv1", "bn1", "relu1", "conv2", "bn2"]

    public func imageExpectedParameters(name: String) -> [(String, [Int])]? {
        switch self {
        case let .conv2d(input, outputs, kernel, _, _, _, bias):
            let weight = ("\(name).weight", [outputs, input[0], kernel[0], kernel[1]])
            return bias ? [weight, ("\(name).bias", [outputs])] : [weight]
        case .maxPool, .avgPool, .globalAvgPool: return []
        case let .batchNorm(input):
            return ["weight", "bias", "running_mean", "running_var"].map { ("\(name).\($0)", [input[0]]) }
        case let .layerNorm(shape): return [("\(name).weight", shape), ("\(name).bias", shape)]
        case .residual:
            let (body, shortcut) = residualParts!
            var result = zip(body, LayerSpec.residualBodyNames).flatMap { $0.expectedParameters(name: "\(name).\($1)") }
            if let shortcut { result += shortcut.expectedParameters(name: "\(name).shortcut") }
            return result
        default: return nil
        }
    }

    /// Per parameter element: false for running statistics (no gradient by convention).
    public var trainableMask: [Bool] {
        switch self {
        case let .batchNorm(input):
            let c = input[0]
            return Array(repeating: true, count: 2 * c) + Array(repeating: false, count: 2 * c)
        case .residual:
            let (body, shortcut) = residualParts!
            return (body + (shortcut.map { [$0] } ?? [])).flatMap(\.trainableMask)
        default: return Array(repeating: true, count: parameterCount)
        }
    }

    /// Makes random parameters valid: running variances positive (|v| + 0.5).
    public func fixParameters(_ θ: inout ArraySlice<Float>) {
        switch self {
        case let .batchNorm(input):
            let c = input[0], start = θ.startIndex + 3 * c
            for i in start..<(start + c) { θ[i] = abs(θ[i]) + 0.5 }
        case .residual:
            let (body, shortcut) = residualParts!
            var offset = θ.startIndex
            for spec in body + (shortcut.map { [$0] } ?? []) {
                spec.fixParameters(&θ[offset..<(offset + spec.parameterCount)])
                offset += spec.parameterCount
            }
        default: break
        }
    }

    public func makeImageLayer(name: String) -> any Layer {
        switch self {
        case let .conv2d(input, outputs, kernel, stride, padding, activation, bias):
            return Conv2D(name: name, inputShape: input, outputChannels: outputs, kernel: (kernel[0], kernel[1]),
                          stride: stride, padding: padding, activation: activation, usesBias: bias)
        case let .maxPool(input, kernel, stride): return MaxPool2D(name: name, inputShape: input, kernel: kernel, stride: stride)
        case let .avgPool(input, kernel, stride): return AvgPool2D(name: name, inputShape: input, kernel: kernel, stride: stride)
        case let .globalAvgPool(input): return GlobalAvgPool(name: name, inputShape: input)
        case let .batchNorm(input): return BatchNorm(name: name, inputShape: input, epsilon: bnEpsilon)
        case let .layerNorm(shape): return LayerNorm(name: name, shape: shape, epsilon: bnEpsilon)
        case let .residual(input, channels, stride):
            return ResidualBlock.basic(name: name, inputShape: input, channels: channels, stride: stride, epsilon: bnEpsilon)
        default: fatalError("not an image layer")
        }
    }

    // MARK: - Double forward

    public func imageReferenceForward(name: String, parameters θ: ArraySlice<Double>, input x: [Double], rows n: Int,
                               pass: ReferencePass) -> [Double] {
        let inSize = inputSize, outSize = outputSize
        switch self {
        case let .conv2d(input, outputs, kernel, stride, padding, activation, bias):
            let (c, h, w) = (input[0], input[1], input[2])
            let out = imageOutputShape!, (oh, ow) = (out[1], out[2])
            let weights = Array(θ.prefix(outputs * c * kernel[0] * kernel[1]))
            let b = bias ? Array(θ.suffix(outputs)) : [Double](repeating: 0, count: outputs)
            var y = [Double](repeating: 0, count: n * outSize)
            for r in 0..<n {
                for o in 0..<outputs {
                    for oy in 0..<oh {
                        for ox in 0..<ow {
                            var z = b[o]
                            for ci in 0..<c {
                                for i in 0..<kernel[0] {
                                    for j in 0..<kernel[1] {
                                        let iy = oy * stride - padding + i, ix = ox * stride - padding + j
                                        guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
                                        z += weights[((o * c + ci) * kernel[0] + i) * kernel[1] + j]
                                            * x[r * inSize + (ci * h + iy) * w + ix]
                                    }
                                }
                            }
                            y[r * outSize + (o * oh + oy) * ow + ox] = ReferenceActivation.value(activation, z)
                        }
                    }
                }
            }
            return y
        case let .maxPool(input, kernel, stride), let .avgPool(input, kernel, stride):
            let isMax: Bool = { if case .maxPool = self { return true } else { return false } }()
            let (c, h, w) = (input[0], input[1], input[2])
            let out = imageOutputShape!, (oh, ow) = (out[1], out[2])
            var y = [Double](repeating: 0, count: n * outSize)
            for r in 0..<n {
                for ci in 0..<c {
                    for oy in 0..<oh {
                        for ox in 0..<ow {
                            var window: [Double] = []
                            for i in 0..<kernel {
                                let rowStart: Int = r * inSize + (ci * h + oy * stride + i) * w + ox * stride
                                for j in 0..<kernel { window.append(x[rowStart + j]) }
                            }
                            y[r * outSize + (ci * oh + oy) * ow + ox] = isMax ? window.max()!
                                : window.reduce(0, +) / Double(window.count)
                        }
                    }
                }
            }
            return y
        case let .globalAvgPool(input):
            let c = input[0], area = input[1] * input[2]
            var y = [Double](repeating: 0, count: n * c)
            for r in 0..<n {
                for ci in 0..<c { y[r * c + ci] = x[(r * inSize + ci * area)..<(r * inSize + ci * area + area)].reduce(0, +) / Double(area) }
            }
            return y
        case .batchNorm:
            return referenceBatchNorm(parameters: θ, input: x, rows: n, training: pass.training).y
        case .layerNorm:
            let d = inSize, γ = Array(θ.prefix(d)), β = Array(θ.suffix(d))
            var y = [Double](repeating: 0, count: n * d)
            for r in 0..<n {
                let row = x[(r * d)..<(r * d + d)]
                let μ = row.reduce(0, +) / Double(d)
                let variance = row.reduce(0) { $0 + ($1 - μ) * ($1 - μ) } / Double(d)
                for j in 0..<d { y[r * d + j] = γ[j] * (x[r * d + j] - μ) / (variance + bnEpsilon).squareRoot() + β[j] }
            }
            return y
        case .residual:
            let (body, shortcut) = residualParts!
            let bodyCount = body.reduce(0) { $0 + $1.parameterCount }
            let θb = Array(θ.prefix(bodyCount)), θs = Array(θ.dropFirst(bodyCount))
            let f = referenceChainForward(body, parameters: θb, input: x, rows: n, pass: pass)
            let s = shortcut.map { referenceChainForward([$0], parameters: θs, input: x, rows: n, pass: pass) } ?? x
            return zip(f, s).map { max($0 + $1, 0) }
        default: fatalError("not an image layer")
        }
    }

    /// Batch norm in Double: training uses the batch's per-channel μ and biased σ² over all
    /// n·positions values, evaluation the running statistics in θ = [γ, β, mean, var].
    public func referenceBatchNorm(parameters θ: ArraySlice<Double>, input x: [Double], rows n: Int, training: Bool)
        -> (y: [Double], xhat: [Double], inverseStd: [Double]) {
        guard case let .batchNorm(input) = self else { fatalError() }
        let c = input[0], s = input.dropFirst().reduce(1, *), size = c * s
        let p = Array(θ)
        var y = x, xhat = x, inverseStd = [Double](repeating: 0, count: c)
        for ci in 0..<c {
            var values: [Double] = []
            for r in 0..<n { for j in 0..<s { values.append(x[r * size + ci * s + j]) } }
            let μ: Double, variance: Double
            if training {
                μ = values.reduce(0, +) / Double(values.count)
                variance = values.reduce(0) { $0 + ($1 - μ) * ($1 - μ) } / Double(values.count)
            } else {
                μ = p[2 * c + ci]
                variance = p[3 * c + ci]
            }
            inverseStd[ci] = 1 / (variance + bnEpsilon).squareRoot()
            for r in 0..<n {
                for j in 0..<s {
                    let index = r * size + ci * s + j
                    xhat[index] = (x[index] - μ) * inverseStd[ci]
                    y[index] = p[ci] * xhat[index] + p[c + ci]
                }
            }
        }
        return (y, xhat, inverseStd)
    }

    // MARK: - Double backward

    public func imageReferenceBackward(name: String, parameters θ: ArraySlice<Double>, input x: [Double], rows n: Int,
                                outputGradient dy: [Double], pass: ReferencePass) -> (dx: [Double], dθ: [Double]) {
        let inSize = inputSize, outSize = outputSize
        switch self {
        case let .conv2d(input, outputs, kernel, stride, padding, activation, bias):
            let (c, h, w) = (input[0], input[1], input[2])
            let out = imageOutputShape!, (oh, ow) = (out[1], out[2])
            let weightCount = outputs * c * kernel[0] * kernel[1]
            let weights = Array(θ.prefix(weightCount))
            let b = bias ? Array(θ.suffix(outputs)) : [Double](repeating: 0, count: outputs)
            var dw = [Double](repeating: 0, count: weightCount), db = [Double](repeating: 0, count: outputs)
            var dx = [Double](repeating: 0, count: n * inSize)
            func weightIndex(_ o: Int, _ ci: Int, _ i: Int, _ j: Int) -> Int { ((o * c + ci) * kernel[0] + i) * kernel[1] + j }
            for r in 0..<n {
                for o in 0..<outputs {
                    for oy in 0..<oh {
                        for ox in 0..<ow {
                            var z = b[o]
                            var taps: [(Int, Int)] = []  // (weight index, input index)
                            for ci in 0..<c {
                                for i in 0..<kernel[0] {
                                    for j in 0..<kernel[1] {
                                        let iy = oy * stride - padding + i, ix = ox * stride - padding + j
                                        guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
                                        taps.append((weightIndex(o, ci, i, j), r * inSize + (ci * h + iy) * w + ix))
                                    }
                                }
                            }
                            for (wi, xi) in taps { z += weights[wi] * x[xi] }
                            let dz = dy[r * outSize + (o * oh + oy) * ow + ox] * ReferenceActivation.derivative(activation, z)
                            db[o] += dz
                            for (wi, xi) in taps {
                                dw[wi] += dz * x[xi]
                                dx[xi] += dz * weights[wi]
                            }
                        }
                    }
                }
            }
            return (dx, bias ? dw + db : dw)
        case let .maxPool(input, kernel, stride):
            let (c, h, w) = (input[0], input[1], input[2])
            let out = imageOutputShape!, (oh, ow) = (out[1], out[2])
            var dx = [Double](repeating: 0, count: n * inSize)
            for r in 0..<n {
                for ci in 0..<c {
                    for oy in 0..<oh {
                        for ox in 0..<ow {
                            var best = -1
                            for i in 0..<kernel {
                                for j in 0..<kernel {
                                    let rowStart: Int = r * inSize + (ci * h + oy * stride + i) * w + ox * stride
                                    let index = rowStart + j
                                    if best < 0 || x[index] > x[best] { best = index }
                                }
                            }
                            dx[best] += dy[r * outSize + (ci * oh + oy) * ow + ox]
                        }
                    }
                }
            }
            return (dx, [])
        case let .avgPool(input, kernel, stride):
            let (c, h, w) = (input[0], input[1], input[2])
            let out = imageOutputShape!, (oh, ow) = (out[1], out[2])
            var dx = [Double](repeating: 0, count: n * inSize)
            for r in 0..<n {
                for ci in 0..<c {
                    for oy in 0..<oh {
                        for ox in 0..<ow {
                            let g = dy[r * outSize + (ci * oh + oy) * ow + ox] / Double(kernel * kernel)
                            for i in 0..<kernel {
                                let rowStart: Int = r * inSize + (ci * h + oy * stride + i) * w + ox * stride
                                for j in 0..<kernel { dx[rowStart + j] += g }
                            }
                        }
                    }
                }
            }
            return (dx, [])
        case let .globalAvgPool(input):
            let c = input[0], area = input[1] * input[2]
            var dx = [Double](repeating: 0, count: n * inSize)
            for r in 0..<n {
                for ci in 0..<c { for j in 0..<area { dx[r * inSize + ci * area + j] = dy[r * c + ci] / Double(area) } }
            }
            return (dx, [])
        case let .batchNorm(input):
            let c = input[0], s = input.dropFirst().reduce(1, *), size = c * s
            let (_, xhat, inverseStd) = referenceBatchNorm(parameters: θ, input: x, rows: n, training: pass.training)
            let γ = Array(θ.prefix(c))
            var dγ = [Double](repeating: 0, count: c), dβ = dγ
            var dx = [Double](repeating: 0, count: n * size)
            let count = Double(n * s)
            for ci in 0..<c {
                for r in 0..<n {
                    for j in 0..<s {
                        let index = r * size + ci * s + j
                        dγ[ci] += dy[index] * xhat[index]
                        dβ[ci] += dy[index]
                    }
                }
                for r in 0..<n {
                    for j in 0..<s {
                        let index = r * size + ci * s + j
                        if pass.training {
                            dx[index] = γ[ci] * inverseStd[ci] * (dy[index] - dβ[ci] / count - xhat[index] * dγ[ci] / count)
                        } else {
                            dx[index] = γ[ci] * inverseStd[ci] * dy[index]
                        }
                    }
                }
            }
            // Running statistics get no gradient (they are not trained).
            return (dx, dγ + dβ + [Double](repeating: 0, count: 2 * c))
        case .layerNorm:
            let d = inSize, γ = Array(θ.prefix(d))
            var dγ = [Double](repeating: 0, count: d), dβ = dγ, dx = [Double](repeating: 0, count: n * d)
            for r in 0..<n {
                let row = Array(x[(r * d)..<(r * d + d)])
                let μ = row.reduce(0, +) / Double(d)
                let variance = row.reduce(0) { $0 + ($1 - μ) * ($1 - μ) } / Double(d)
                let inverse = 1 / (variance + bnEpsilon).squareRoot()
                let xhat = row.map { ($0 - μ) * inverse }
                let g = (0..<d).map { γ[$0] * dy[r * d + $0] }   // ∂L/∂x̂
                let meanG = g.reduce(0, +) / Double(d)
                let meanGX = zip(g, xhat).reduce(0) { $0 + $1.0 * $1.1 } / Double(d)
                for j in 0..<d {
                    dγ[j] += dy[r * d + j] * xhat[j]
                    dβ[j] += dy[r * d + j]
                    dx[r * d + j] = inverse * (g[j] - meanG - xhat[j] * meanGX)
                }
            }
            return (dx, dγ + dβ)
        case .residual:
            let (body, shortcut) = residualParts!
            let bodyCount = body.reduce(0) { $0 + $1.parameterCount }
            let θb = Array(θ.prefix(bodyCount)), θs = Array(θ.dropFirst(bodyCount))
            let f = referenceChainForward(body, parameters: θb, input: x, rows: n, pass: pass)
            let s = shortcut.map { referenceChainForward([$0], parameters: θs, input: x, rows: n, pass: pass) } ?? x
            let dz = (0..<dy.count).map { f[$0] + s[$0] > 0 ? dy[$0] : 0 }
            let (dxBody, dθBody) = referenceChainBackward(body, parameters: θb, input: x, rows: n, outputGradient: dz, pass: pass)
            guard let shortcut else { return (zip(dxBody, dz).map(+), dθBody) }
            let (dxShort, dθShort) = referenceChainBackward([shortcut], parameters: θs, input: x, rows: n,
                                                            outputGradient: dz, pass: pass)
            return (zip(dxBody, dxShort).map(+), dθBody + dθShort)
        default: fatalError("not an image layer")
        }
    }
}
