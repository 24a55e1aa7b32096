/// 2-D max pooling over NCHW samples, without padding:
///
///     Y[c, y, x] = max_{0≤i<k, 0≤j<k} X[c, y·s + i, x·s + j]
///
/// Shapes: X `n × (C·H·W)` → Y `n × (C·OH·OW)`, OH = ⌊(H − k)/s⌋ + 1, OW = ⌊(W − k)/s⌋ + 1.
/// Forward caches, per output element, the flat index (within the sample) of the first
/// maximum in window order (row by row), as PyTorch does for ties. Backward:
/// dX[argmax] += dY, every other element 0. No parameters.
public final class MaxPool2D: PoolingLayer {
    /// The layer's name, `<kind>.<position>` (``Layer/name``).
    public let name: String
    /// Input `[C, H, W]`, window k × k, stride s (default k), output `[C, OH, OW]`.
    public let geometry: PoolingGeometry
    /// Whether backward computes dX (``Sequential`` clears it where dX is never used).
    public var needsInputGradient = true

    /// Y and dX, reused from call to call.
    private let buffers = PoolingBuffers()
    /// Argmax per output element, `n × (C·OH·OW)` indices into the sample's C·H·W elements.
    private var argmax: UnsafeMutablePointer<Int32>
    private var argmaxCapacity = 0

    /// - Parameters:
    ///   - name: by convention `maxpool.<position in the model>`.
    ///   - inputShape: `[C, H, W]`.
    ///   - kernel: k ≥ 1.
    ///   - stride: s ≥ 1, default k.
    /// Precondition: k ≤ H and k ≤ W.
    public init(name: String, inputShape: [Int], kernel: Int, stride: Int? = nil) {
        self.name = name
        geometry = PoolingGeometry(inputShape: inputShape, kernel: kernel, stride: stride, layer: "MaxPool2D \(name)")
        argmax = .allocate(capacity: 1)
    }

    deinit { argmax.deallocate() }

    /// Y = window maxima, `n × (C·OH·OW)` (a view of a buffer this layer owns).
    public func forward(_ input: Matrix, context: PassContext) -> Matrix {
        let y = buffers.output(for: input, geometry: geometry, layer: "MaxPool2D \(name)")
        let n = y.rows, inSize = inputSize, outSize = outputSize
        let k = kernel, s = stride, w = geometry.inputWidth
        if n * outSize > argmaxCapacity {
            argmax.deallocate()
            argmaxCapacity = n * outSize
            argmax = .allocate(capacity: argmaxCapacity)
        }
        for sample in 0..<n {
            let x = input.base + sample * inSize
            let ys = y.base + sample * outSize, am = argmax + sample * outSize
            if k == 2 && s == 2 {
                // The common 2×2/2 window, unrolled; the same comparisons in the same order
                // as the general loop below (first maximum in row-major order wins).
                geometry.forEachWindow { o, origin in
                    var best = origin
                    var value = x[best]
                    if x[origin + 1] > value { best = origin + 1; value = x[best] }
                    if x[origin + w] > value { best = origin + w; value = x[best] }
                    if x[origin + w + 1] > value { best = origin + w + 1; value = x[best] }
                    ys[o] = value
                    am[o] = Int32(best)
                }
            } else {
                geometry.forEachWindow { o, origin in
                    var best = origin
                    var value = x[best]
                    for i in 0..<k {
                        let rowStart = origin + i * w
                        for j in 0..<k where x[rowStart + j] > value {
                            value = x[rowStart + j]
                            best = rowStart + j
                        }
                    }
                    ys[o] = value
                    am[o] = Int32(best)
                }
            }
        }
        return y
    }

    /// dX: each dY element added at its window's argmax, `n × (C·H·W)` (or `0 × (C·H·W)`).
    public func backward(_ outputGradient: Matrix, context: PassContext) -> Matrix {
        let dX = buffers.zeroedInputGradient(for: outputGradient, geometry: geometry, needed: needsInputGradient,
                                             layer: "MaxPool2D \(name)")
        let inSize = inputSize, outSize = outputSize
        for sample in 0..<dX.rows {
            let dx = dX.base + sample * inSize, dy = outputGradient.base + sample * outSize
            let am = argmax + sample * outSize
            for o in 0..<outSize { dx[Int(am[o])] += dy[o] }
        }
        return dX
    }
}
