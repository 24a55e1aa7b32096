/// 2-D average pooling over NCHW samples, without padding:
///
///     Y[c, y, x] = (1/k²) Σ_{0≤i<k, 0≤j<k} X[c, y·s + i, x·s + j]
///
/// Shapes: X `n × (C·H·W)` → Y `n × (C·OH·OW)`, OH = ⌊(H − k)/s⌋ + 1, OW = ⌊(W − k)/s⌋ + 1.
/// Backward spreads each dY/k² over its window (adding where windows overlap). No parameters.
public final class AvgPool2D: PoolingLayer {
    /// The layer's name, `<kind>.<position>` (``Layer/name``).
    public let name: String
    /// Input `[C, H, W]`, window k × k, stride s (default k), output `[C, OH, OW]`.
    public let geometry: PoolingGeometry
    /// Whether backward computes dX (``Sequential`` clears it where dX is never used).
    public var needsInputGradient = true

    /// Y and dX, reused from call to call.
    private let buffers = PoolingBuffers()

    /// - Parameters:
    ///   - name: by convention `avgpool.<position in the model>`.
    ///   - inputShape: `[C, H, W]`.
    ///   - kernel: k ≥ 1.
    ///   - stride: s ≥ 1, default k.
    /// Precondition: k ≤ H and k ≤ W.
    public init(name: String, inputShape: [Int], kernel: Int, stride: Int? = nil) {
        self.name = name
        geometry = PoolingGeometry(inputShape: inputShape, kernel: kernel, stride: stride, layer: "AvgPool2D \(name)")
    }

    /// Y = window means, `n × (C·OH·OW)` (a view of a buffer this layer owns).
    public func forward(_ input: Matrix, context: PassContext) -> Matrix {
        let y = buffers.output(for: input, geometry: geometry, layer: "AvgPool2D \(name)")
        let inSize = inputSize, outSize = outputSize
        let k = kernel, w = geometry.inputWidth, scale = 1 / Float(k * k)
        for sample in 0..<y.rows {
            let x = input.base + sample * inSize, ys = y.base + sample * outSize
            geometry.forEachWindow { o, origin in
                var sum: Float = 0
                for i in 0..<k {
                    let r = x + origin + i * w
                    for j in 0..<k { sum += r[j] }
                }
                ys[o] = sum * scale
            }
        }
        return y
    }

    /// dX[c, y·s + i, x·s + j] += dY[c, y, x] / k², `n × (C·H·W)` (or `0 × (C·H·W)`).
    public func backward(_ outputGradient: Matrix, context: PassContext) -> Matrix {
        let dX = buffers.zeroedInputGradient(for: outputGradient, geometry: geometry, needed: needsInputGradient,
                                             layer: "AvgPool2D \(name)")
        let inSize = inputSize, outSize = outputSize
        let k = kernel, w = geometry.inputWidth, scale = 1 / Float(k * k)
        for sample in 0..<dX.rows {
            let dx = dX.base + sample * inSize, dy = outputGradient.base + sample * outSize
            geometry.forEachWindow { o, origin in
                let g = dy[o] * scale
                for i in 0..<k {
                    let r = dx + origin + i * w
                    for j in 0..<k { r[j] += g }
                }
            }
        }
        return dX
    }
}
