import Foundation

/// Times `gemm` at given shapes and reports GFLOP/s (2·m·n·k flops per product).
public enum GEMMBenchmark {
    /// One product to time: C[m×n] = op(A)·op(B) with inner dimension k, issued `count` times
    /// per micro-batch (a dense layer: once; a convolution: once per sample).
    public struct Shape: Equatable, Sendable {
        public var label: String
        public var transposeA: Transpose
        public var transposeB: Transpose
        public var m: Int
        public var n: Int
        public var k: Int
        /// Products of this shape per micro-batch.
        public var count: Int

        public init(label: String, transposeA: Transpose, transposeB: Transpose, m: Int, n: Int, k: Int, count: Int = 1) {
            self.label = label
            self.transposeA = transposeA
            self.transposeB = transposeB
            self.m = m
            self.n = n
            self.k = k
            self.count = count
        }

        /// 2·m·n·k, for one product.
        public var flops: Double { 2 * Double(m) * Double(n) * Double(k) }
    }

    /// A timed shape: median seconds per product and GFLOP/s.
    public struct Result: Equatable, Sendable {
        public var shape: Shape
        public var seconds: Double
        public var gflops: Double { shape.flops / seconds / 1e9 }
        /// Seconds per micro-batch: `seconds · shape.count`.
        public var secondsPerMicroBatch: Double { seconds * Double(shape.count) }
    }

    /// The three products of a dense layer `inputs → outputs` at micro-batch m (STYLE B3):
    /// forward Y = X·Wᵀ, weight gradient dW += dYᵀ·X, input gradient dX = dY·W.
    public static func denseShapes(name: String, inputs: Int, outputs: Int, micro: Int,
                                   inputGradient: Bool) -> [Shape] {
        var shapes = [
            Shape(label: "\(name) forward", transposeA: .none, transposeB: .transposed, m: micro, n: outputs, k: inputs),
            Shape(label: "\(name) dW", transposeA: .transposed, transposeB: .none, m: outputs, n: inputs, k: micro),
        ]
        if inputGradient {
            shapes.append(Shape(label: "\(name) dX", transposeA: .none, transposeB: .none, m: micro, n: inputs, k: outputs))
        }
        return shapes
    }

    /// The three products per sample of a convolution (see ``Conv2D``): forward
    /// Z_s = W·col `[O, C·kh·kw]·[C·kh·kw, OH·OW]`, weight gradient dW += dZ_s·colᵀ, and
    /// dcol = Wᵀ·dZ_s; each issued once per sample of the micro-batch m.
    public static func convolutionShapes(name: String, outputChannels: Int, patchSize: Int, positions: Int,
                                         micro: Int, inputGradient: Bool) -> [Shape] {
        var shapes = [
            Shape(label: "\(name) forward", transposeA: .none, transposeB: .none,
                  m: outputChannels, n: positions, k: patchSize, count: micro),
            Shape(label: "\(name) dW", transposeA: .none, transposeB: .transposed,
                  m: outputChannels, n: patchSize, k: positions, count: micro),
        ]
        if inputGradient {
            shapes.append(Shape(label: "\(name) dX", transposeA: .transposed, transposeB: .none,
                                m: patchSize, n: positions, k: outputChannels, count: micro))
        }
        return shapes
    }

    /// The GEMMs of a convolution by Winograd's F(2×2, 3×3) (see ``WinogradConvolution``): per
    /// chunk of g samples (T = g · tiles per sample) 16 products each of forward
    /// M_ξ = U_ξ·V_ξ `[O, C]·[C, T]`, filter gradient D_ξ += Ŷ_ξ·V_ξᵀ `[O, T]·[T, C]` and input
    /// gradient U′_ξ·V′_ξ `[C, O]·[O, T]`; a last, smaller chunk of m mod g samples is listed
    /// apart.
    public static func winogradShapes(name: String, inputChannels: Int, outputChannels: Int, samplesPerChunk: Int,
                                      tilesPerSample: Int, micro: Int, inputGradient: Bool) -> [Shape] {
        var chunks: [(label: String, samples: Int, count: Int)] = []
        let full = micro / samplesPerChunk, rest = micro % samplesPerChunk
        if full > 0 { chunks.append(("", samplesPerChunk, 16 * full)) }
        if rest > 0 { chunks.append((" last", rest, 16)) }
        return chunks.flatMap { chunk -> [Shape] in
            let tiles = chunk.samples * tilesPerSample
            var shapes = [
                Shape(label: "\(name) forward\(chunk.label)", transposeA: .none, transposeB: .none,
                      m: outputChannels, n: tiles, k: inputChannels, count: chunk.count),
                Shape(label: "\(name) dW\(chunk.label)", transposeA: .none, transposeB: .transposed,
                      m: outputChannels, n: inputChannels, k: tiles, count: chunk.count),
            ]
            if inputGradient {
                shapes.append(Shape(label: "\(name) dX\(chunk.label)", transposeA: .none, transposeB: .none,
                                    m: inputChannels, n: tiles, k: outputChannels, count: chunk.count))
            }
            return shapes
        }
    }

    /// The GEMM shapes of every dense and convolution layer of `layers` (residual blocks
    /// included) at micro-batch `micro`, in model order.
    public static func modelShapes(_ layers: [any Layer], micro: Int) -> [Shape] {
        layers.flatMap { layer -> [Shape] in
            switch layer {
            case let dense as Dense:
                return denseShapes(name: dense.name, inputs: dense.inputSize, outputs: dense.outputSize,
                                   micro: micro, inputGradient: dense.needsInputGradient)
            case let convolution as Conv2D:
                if let chunk = convolution.winogradChunk {
                    return winogradShapes(name: convolution.name, inputChannels: convolution.inputShape[0],
                                          outputChannels: convolution.outputChannels, samplesPerChunk: chunk.samples,
                                          tilesPerSample: chunk.tilesPerSample, micro: micro,
                                          inputGradient: convolution.needsInputGradient)
                }
                return convolutionShapes(name: convolution.name, outputChannels: convolution.outputChannels,
                                         patchSize: convolution.patchSize, positions: convolution.positions,
                                         micro: micro, inputGradient: convolution.needsInputGradient)
            case let block as ResidualBlock:
                return modelShapes(block.sublayers, micro: micro)
            default:
                return []
            }
        }
    }

    /// Times each shape for about `seconds` (after a warm-up) and returns the median time.
    public static func run(_ shapes: [Shape], seconds: Double = 0.3) -> [Result] {
        shapes.map { shape in
            let aCount = shape.m * shape.k, bCount = shape.k * shape.n, cCount = shape.m * shape.n
            let a = FloatBuffer(capacity: aCount), b = FloatBuffer(capacity: bCount), c = FloatBuffer(capacity: cCount)
            var generator = SplitMix64(seed: 42)
            for index in 0..<aCount { a.base[index] = generator.nextFloat() - 0.5 }
            for index in 0..<bCount { b.base[index] = generator.nextFloat() - 0.5 }
            let lda = shape.transposeA == .none ? shape.k : shape.m
            let ldb = shape.transposeB == .none ? shape.n : shape.k
            func once() {
                gemm(transposeA: shape.transposeA, transposeB: shape.transposeB, m: shape.m, n: shape.n, k: shape.k,
                     a: a.base, lda: lda, b: b.base, ldb: ldb, beta: 1, c: c.base, ldc: shape.n)
            }
            for _ in 0..<3 { once() }
            var times: [Double] = []
            let deadline = Date().addingTimeInterval(seconds)
            repeat {
                let start = DispatchTime.now().uptimeNanoseconds
                once()
                times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            } while Date() < deadline || times.count < 5
            times.sort()
            return Result(shape: shape, seconds: times[times.count / 2])
        }
    }
}
