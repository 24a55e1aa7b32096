/// A 2-D convolution (cross-correlation, as in PyTorch) over NCHW samples, with zero padding,
/// an optional bias and a fused activation:
///
///     Z[o, y, x] = b[o] + Σ_{c,i,j} W[o, c, i, j] · X[c, y·s − p + i, x·s − p + j]
///     Y = f(Z)
///
/// Shapes (n = rows of the micro-batch): X `n × (C·H·W)`, each row one sample `[C, H, W]`;
/// W `[O, C, kh, kw]` row-major (PyTorch's layout); b `[O]`; Z and Y `n × (O·OH·OW)` with
/// OH = (H + 2p − kh)/s + 1 and OW = (W + 2p − kw)/s + 1 (floor). Out-of-range input
/// positions read 0.
///
/// Forward per sample: `col = im2col(X_s)` `[C·kh·kw, OH·OW]`, then one
/// ``gemm(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``
/// `Z_s = W·col` (`[O, C·kh·kw]·[C·kh·kw, OH·OW]`), then bias and f per output channel.
/// A 1×1 kernel with stride 1 and no padding uses X_s itself as `col`. A 3×3 kernel with
/// stride 1, padding 1 and at least ``WinogradConvolution/minimumChannels`` input channels
/// runs forward, dX and dW by Winograd's F(2×2, 3×3) instead (``WinogradConvolution``: 16
/// GEMMs per chunk of samples, 2.25× fewer multiply-adds; the same Z up to rounding).
/// Backward, given dY:
///
///     dZ = dY ⊙ f′(Z)
///     dW += dZ_s·colᵀ               (gemm, beta = 1; col kept from a training forward)
///     db += Σ_{s,y,x} dZ_s
///     dX_s = col2im(Wᵀ·dZ_s)        (skipped when `needsInputGradient` is false)
///
/// Parameters: `"\(name).weight"` `[O, C, kh, kw]` (role `.weight`, decayed, fanIn = C·kh·kw,
/// fanOut = O·kh·kw as in PyTorch) and `"\(name).bias"` `[O]` (role `.bias`, not decayed).
/// Buffers are owned by the layer and grow only when a larger batch arrives.
public final class Conv2D: Layer {
    /// The layer's name, `<kind>.<position>`; prefixes its parameters (``Layer/name``).
    public let name: String
    /// Per-sample input shape `[C, H, W]`.
    public let inputShape: [Int]
    /// Per-sample output shape `[O, OH, OW]`.
    public let outputShape: [Int]
    /// Kernel height and width (kh, kw).
    public let kernel: (height: Int, width: Int)
    /// Stride s (same along both axes).
    public let stride: Int
    /// Zero padding p on every side.
    public let padding: Int
    /// The fused nonlinearity f.
    public let activation: Activation
    /// Whether the layer has the bias b.
    public let usesBias: Bool
    /// How W is initialised.
    public let weightInitializer: Initializer
    /// Whether backward computes dX (``Sequential`` clears it where dX is never used).
    public var needsInputGradient = true

    private let channels: Int, height: Int, width: Int
    /// O, output channels (the rows of each sample's GEMM output).
    public let outputChannels: Int
    private let outputHeight: Int, outputWidth: Int
    /// C·kh·kw, the rows of `col` (the inner dimension of the forward GEMM).
    public var patchSize: Int { channels * kernel.height * kernel.width }
    /// OH·OW, the columns of `col` (output positions per sample).
    public var positions: Int { outputHeight * outputWidth }
    /// 1×1, stride 1, no padding: im2col is the identity.
    private var isPointwise: Bool { kernel == (1, 1) && stride == 1 && padding == 0 }

    // MARK: - Bound parameters
    private var weightSlice: ParameterSlice?
    private var biasSlice: ParameterSlice?
    private var store: ParameterStore?

    // MARK: - Caches and buffers (n = rows of the last forward)
    /// X, `n × (C·H·W)`: a view of the caller's input; it must stay valid until `backward`.
    private var input: Matrix?
    /// Whether the last forward kept every sample's col in `trainingColumns`.
    private var usedTrainingColumns = false
    /// Z, `n × (O·OH·OW)`; only kept apart from Y when f is not the identity.
    private let preActivation = FloatBuffer()
    /// Y, `n × (O·OH·OW)`.
    private let output = FloatBuffer()
    /// dZ, `n × (O·OH·OW)`.
    private let preActivationGradient = FloatBuffer()
    /// col of one sample during evaluation, and dcol in backward, `[C·kh·kw, OH·OW]`.
    private let columns = FloatBuffer()
    /// col of every sample of the last training forward, `n × [C·kh·kw, OH·OW]`: backward
    /// reuses it instead of running im2col again.
    private let trainingColumns = FloatBuffer()
    /// dX, `n × (C·H·W)`.
    private let inputGradient = FloatBuffer()

    // MARK: - Winograd path (3×3, stride 1, padding 1, C ≥ 8)
    /// The F(2×2, 3×3) scheme, when ``WinogradConvolution/applies(kernel:stride:padding:channels:)``.
    private let winograd: WinogradConvolution?
    /// Whether the products run by Winograd's F(2×2, 3×3) instead of im2col + GEMM.
    public var usesWinograd: Bool { winograd != nil }
    /// With Winograd: samples per chunk and tiles (2×2 output blocks) per sample, which fix the
    /// shapes of its 16 GEMMs per chunk (see ``WinogradConvolution``); nil otherwise.
    public var winogradChunk: (samples: Int, tilesPerSample: Int)? {
        winograd.map { ($0.samplesPerChunk, $0.tilesPerSample) }
    }
    /// U, `[16, O, C]`: the transformed filters of the last forward.
    private let winogradFilters = FloatBuffer()
    /// U′, `[16, C, O]`: the transformed rotated filters of the input gradient.
    private let winogradInputGradientFilters = FloatBuffer()
    /// D, `[16, O, C]`: the filter gradient in the transformed domain.
    private let winogradFilterGradient = FloatBuffer()
    /// V of every sample of the last training forward: backward's filter gradient reuses it.
    private let trainingTransformedInputs = FloatBuffer()
    /// Whether the last forward kept V in `trainingTransformedInputs`.
    private var keptTransformedInputs = false

    /// Creates a convolution `[C, H, W] → [O, OH, OW]`.
    ///
    /// - Parameters:
    ///   - name: parameter prefix, by convention `conv2d.<position in the model>`.
    ///   - inputShape: `[C, H, W]`.
    ///   - outputChannels: O.
    ///   - kernel: (kh, kw), default 3×3.
    ///   - stride: s ≥ 1, default 1.
    ///   - padding: p ≥ 0, default 0.
    ///   - activation: fused f, default `.identity`.
    ///   - usesBias: default true (set false before a ``BatchNorm``, which has its own shift).
    ///   - weightInitializer: default `.heNormal()` (fan-in C·kh·kw).
    /// Precondition: the kernel fits the padded input (OH, OW ≥ 1).
    public init(name: String, inputShape: [Int], outputChannels: Int, kernel: (height: Int, width: Int) = (3, 3),
                stride: Int = 1, padding: Int = 0, activation: Activation = .identity, usesBias: Bool = true,
                weightInitializer: Initializer = .heNormal()) {
        precondition(inputShape.count == 3 && inputShape.allSatisfy { $0 > 0 },
                     "Conv2D \(name): input shape must be [C, H, W], got \(inputShape)")
        precondition(outputChannels > 0 && kernel.height > 0 && kernel.width > 0 && stride > 0 && padding >= 0,
                     "Conv2D \(name): channels, kernel and stride must be positive, padding ≥ 0")
        let outH = Conv2D.outputLength(inputShape[1], kernel: kernel.height, stride: stride, padding: padding)
        let outW = Conv2D.outputLength(inputShape[2], kernel: kernel.width, stride: stride, padding: padding)
        precondition(outH >= 1 && outW >= 1,
                     "Conv2D \(name): kernel \(kernel.height)×\(kernel.width) does not fit input \(inputShape) with padding \(padding)")
        self.name = name
        self.inputShape = inputShape
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        self.activation = activation
        self.usesBias = usesBias
        self.weightInitializer = weightInitializer
        channels = inputShape[0]; height = inputShape[1]; width = inputShape[2]
        self.outputChannels = outputChannels; outputHeight = outH; outputWidth = outW
        outputShape = [outputChannels, outH, outW]
        winograd = WinogradConvolution.applies(kernel: kernel, stride: stride, padding: padding,
                                               channels: inputShape[0])
            ? WinogradConvolution(inputChannels: inputShape[0], outputChannels: outputChannels,
                                  height: inputShape[1], width: inputShape[2])
            : nil
    }

    /// ⌊(length + 2·padding − kernel) / stride⌋ + 1 (≤ 0 when the kernel does not fit).
    public static func outputLength(_ length: Int, kernel: Int, stride: Int, padding: Int) -> Int {
        let span = length + 2 * padding - kernel
        return span < 0 ? 0 : span / stride + 1
    }

    /// `"\(name).weight"` `[O, C, kh, kw]` and, with a bias, `"\(name).bias"` `[O]`.
    public var parameterSpecs: [ParameterSpec] {
        var specs = [ParameterSpec(name: "\(name).weight", shape: [outputChannels, channels, kernel.height, kernel.width],
                                   role: .weight)]
        if usesBias { specs.append(ParameterSpec(name: "\(name).bias", shape: [outputChannels], role: .bias)) }
        return specs
    }

    /// Finds the weight (and bias) slices in `store`; precondition: present.
    public func bind(to store: ParameterStore) {
        guard let weight = store.slice(named: "\(name).weight") else {
            preconditionFailure("Conv2D \(name): the store has no \(name).weight")
        }
        weightSlice = weight
        if usesBias {
            guard let bias = store.slice(named: "\(name).bias") else {
                preconditionFailure("Conv2D \(name): the store has no \(name).bias")
            }
            biasSlice = bias
        }
        self.store = store
    }

    /// W from ``weightInitializer`` (fanIn = C·kh·kw, fanOut = O·kh·kw); b = 0.
    public func initializeParameters(in store: ParameterStore, generator: inout SplitMix64) {
        guard let weight = store.slice(named: "\(name).weight") else {
            preconditionFailure("Conv2D \(name): the store has no \(name).weight")
        }
        let area = kernel.height * kernel.width
        weightInitializer.fill(pointer: store.values(of: weight), count: weight.count,
                               fanIn: channels * area, fanOut: outputChannels * area, generator: &generator)
        if usesBias, let bias = store.slice(named: "\(name).bias") {
            store.values(of: bias).update(repeating: 0, count: bias.count)
        }
    }

    // MARK: - im2col / col2im

    /// col[(c·kh + i)·kw + j, y·OW + x] = X_s[c, y·s − p + i, x·s − p + j] (0 outside).
    private func im2col(_ x: UnsafePointer<Float>, into col: UnsafeMutablePointer<Float>) {
        let kh = kernel.height, kw = kernel.width, s = stride, p = padding
        let oh = outputHeight, ow = outputWidth, h = height, w = width
        var row = 0
        for c in 0..<channels {
            let plane = x + c * h * w
            for i in 0..<kh {
                for j in 0..<kw {
                    let out = col + row * oh * ow
                    // Output columns x whose input column x·s − p + j lies in [0, w).
                    let (lo, hi) = Conv2D.validRange(offset: j - p, stride: s, length: w, count: ow)
                    if let rows = sameWidthRows(i: i) {
                        // Stride 1 and OW = W: the valid rows of this col row are one shifted
                        // contiguous block of the plane. Copy it at once, then zero what fell
                        // outside the image (top/bottom rows, and the columns outside lo..<hi
                        // that the shifted copy filled from neighbouring rows).
                        out.update(repeating: 0, count: rows.lowerBound * ow)
                        let shift = j - p
                        let first = rows.lowerBound * ow, count = rows.count * ow
                        let copied = count - abs(shift)  // ≤ 0: every column is outside the image
                        if copied > 0 {
                            let source = plane + (rows.lowerBound - p + i) * w
                            if shift < 0 {
                                (out + first - shift).update(from: source, count: copied)
                            } else {
                                (out + first).update(from: source + shift, count: copied)
                            }
                        }
                        Conv2D.zeroEdgeColumns(out + first, rows: rows.count, rowLength: ow, valid: lo..<hi)
                        (out + rows.upperBound * ow).update(repeating: 0, count: (oh - rows.upperBound) * ow)
                        row += 1
                        continue
                    }
                    for oy in 0..<oh {
                        let iy = oy * s - p + i
                        let dst = out + oy * ow
                        guard iy >= 0 && iy < h else {
                            dst.update(repeating: 0, count: ow)
                            continue
                        }
                        let src = plane + iy * w + (j - p)
                        if lo > 0 { dst.update(repeating: 0, count: lo) }
                        if s == 1 {
                            (dst + lo).update(from: src + lo, count: hi - lo)
                        } else {
                            for ox in lo..<hi { dst[ox] = src[ox * s] }
                        }
                        if hi < ow { (dst + hi).update(repeating: 0, count: ow - hi) }
                    }
                    row += 1
                }
            }
        }
    }

    /// For stride 1 and OW = W (a "same" convolution along x): the output rows y of kernel row
    /// `i` whose input row y − p + i lies in the image; `nil` when the shifted-block copy of
    /// ``im2col(_:into:)`` and ``col2im(_:into:)`` does not apply.
    @inline(__always)
    private func sameWidthRows(i: Int) -> Range<Int>? {
        guard stride == 1, outputWidth == width else { return nil }
        let low = max(0, padding - i), high = min(outputHeight, height + padding - i)
        return low < high ? low..<high : nil
    }

    /// dX_s[c, y·s − p + i, x·s − p + j] += dcol[(c·kh + i)·kw + j, y·OW + x] (dX_s starts at 0).
    /// `col` is scratch: the shifted-block path zeroes its out-of-image columns before adding.
    /// When the output has the input's size (stride 1, "same" padding p < kh, kw), the centre
    /// tap (p, p) maps every output position onto the input pixel at the same place, so each
    /// plane starts as a copy of that tap's row instead of zeros (one pass less over dX_s).
    private func col2im(_ col: UnsafeMutablePointer<Float>, into dx: UnsafeMutablePointer<Float>) {
        let kh = kernel.height, kw = kernel.width, s = stride, p = padding
        let oh = outputHeight, ow = outputWidth, h = height, w = width
        let centreTap = (s == 1 && oh == h && ow == w && p < kh && p < kw) ? p * kw + p : nil
        if let centreTap {
            for c in 0..<channels {
                (dx + c * h * w).update(from: col + (c * kh * kw + centreTap) * oh * ow, count: h * w)
            }
        } else {
            dx.update(repeating: 0, count: channels * h * w)
        }
        var row = 0
        for c in 0..<channels {
            let plane = dx + c * h * w
            for i in 0..<kh {
                for j in 0..<kw {
                    if i * kw + j == centreTap {
                        row += 1
                        continue
                    }
                    let source = col + row * oh * ow
                    let (lo, hi) = Conv2D.validRange(offset: j - p, stride: s, length: w, count: ow)
                    if let rows = sameWidthRows(i: i) {
                        // The mirror of im2col's shifted block: drop the out-of-image columns,
                        // then add the block to the plane in one contiguous pass.
                        Conv2D.zeroEdgeColumns(source + rows.lowerBound * ow, rows: rows.count, rowLength: ow,
                                               valid: lo..<hi)
                        let shift = j - p
                        let first = rows.lowerBound * ow, count = rows.count * ow
                        let target = plane + (rows.lowerBound - p + i) * w
                        let added = count - abs(shift)  // ≤ 0: every column is outside the image
                        if added > 0 {
                            let src = shift < 0 ? source + first - shift : source + first
                            let dst = shift < 0 ? target : target + shift
                            for index in 0..<added { dst[index] += src[index] }
                        }
                        row += 1
                        continue
                    }
                    for oy in 0..<oh {
                        let iy = oy * s - p + i
                        guard iy >= 0 && iy < h else { continue }
                        let dst = plane + iy * w + (j - p)
                        let src = source + oy * ow
                        if s == 1 {
                            for ox in lo..<hi { dst[ox] += src[ox] }
                        } else {
                            for ox in lo..<hi { dst[ox * s] += src[ox] }
                        }
                    }
                    row += 1
                }
            }
        }
    }

    /// Zeroes the columns outside `valid` of a `rows × rowLength` block, column by column: a
    /// strided store per row (the edges are a column or two wide, too short for a memset call).
    @inline(__always)
    private static func zeroEdgeColumns(_ block: UnsafeMutablePointer<Float>, rows: Int, rowLength: Int,
                                        valid: Range<Int>) {
        @inline(__always) func zeroColumn(_ column: Int) {
            var element = block + column
            for _ in 0..<rows {
                element.pointee = 0
                element += rowLength
            }
        }
        for column in 0..<valid.lowerBound { zeroColumn(column) }
        for column in valid.upperBound..<rowLength { zeroColumn(column) }
    }

    /// The output columns `lo ..< hi` (within `0 ..< count`) for which `x·stride + offset`
    /// lies in `0 ..< length`.
    @inline(__always)
    private static func validRange(offset: Int, stride: Int, length: Int, count: Int) -> (Int, Int) {
        // x·s + offset ≥ 0  ⇔  x ≥ ⌈−offset / s⌉ ;  x·s + offset ≤ length − 1 ⇔ x ≤ ⌊(length − 1 − offset)/s⌋
        let lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride
        let last = length - 1 - offset
        let hi = last < 0 ? 0 : min(count, last / stride + 1)
        return (min(lo, hi), hi)
    }

    // MARK: - Forward / backward

    /// Z[s, o, ·] += b[o] over `samples` samples of `channels × positions` outputs.
    @inline(__always)
    private static func addBias(_ bias: UnsafePointer<Float>, to z: UnsafeMutablePointer<Float>, samples: Int,
                                channels: Int, positions: Int) {
        for sample in 0..<samples {
            for channel in 0..<channels {
                let row = z + (sample * channels + channel) * positions, b = bias[channel]
                for j in 0..<positions { row[j] += b }
            }
        }
    }

    /// Y = f(conv(X, W) + b): X `n × (C·H·W)` → Y `n × (O·OH·OW)` (a view of a buffer this
    /// layer owns).
    public func forward(_ input: Matrix, context: PassContext) -> Matrix {
        guard let store, let weightSlice else { preconditionFailure("Conv2D \(name): forward before bind(to:)") }
        precondition(input.columns == inputSize,
                     "Conv2D \(name): input has \(input.columns) columns, expected \(inputSize)")
        let n = input.rows, outSize = outputSize, inSize = inputSize
        let p = positions, k = patchSize, o = outputChannels
        self.input = input
        let y = output.matrix(rows: n, columns: outSize)
        let z = activation.isIdentity ? y : preActivation.matrix(rows: n, columns: outSize)
        let weights = UnsafePointer(store.values(of: weightSlice))
        let bias = biasSlice.map { UnsafePointer(store.values(of: $0)) }
        if let winograd {
            let o = outputChannels, c = channels
            winogradFilters.reserve(16 * o * c)
            winograd.transformFilters(weights, into: winogradFilters.base)
            keptTransformedInputs = context.training
            var keep: UnsafeMutablePointer<Float>?
            if context.training {
                trainingTransformedInputs.reserve(winograd.transformedInputCount(samples: n))
                keep = trainingTransformedInputs.base
            }
            winograd.forward(input: UnsafePointer(input.base), samples: n, filters: winogradFilters.base,
                             output: z.base, keep: keep)
            if let bias { Conv2D.addBias(bias, to: z.base, samples: n, channels: o, positions: positions) }
            if !activation.isIdentity { activation.forward(z.base, output: y.base, count: n * outSize) }
            return y
        }
        let keepsColumns = context.training && !isPointwise
        usedTrainingColumns = keepsColumns
        if keepsColumns { trainingColumns.reserve(n * k * p) } else if !isPointwise { columns.reserve(k * p) }
        for sample in 0..<n {
            let x = UnsafePointer(input.base + sample * inSize)
            let col: UnsafePointer<Float>
            if isPointwise {
                col = x
            } else {
                let target = keepsColumns ? trainingColumns.base + sample * k * p : columns.base
                im2col(x, into: target)
                col = UnsafePointer(target)
            }
            let zs = z.base + sample * outSize
            // Z_s = W·col   ([O, C·kh·kw]·[C·kh·kw, OH·OW] = [O, OH·OW])
            gemm(transposeA: .none, transposeB: .none, m: o, n: p, k: k,
                 a: weights, lda: k, b: col, ldb: p, beta: 0, c: zs, ldc: p)
            if let bias { Conv2D.addBias(bias, to: zs, samples: 1, channels: o, positions: p) }
        }
        if !activation.isIdentity { activation.forward(z.base, output: y.base, count: n * outSize) }
        return y
    }

    /// Given dY (`n × (O·OH·OW)`), adds dW and db into the store's gradients and returns dX
    /// (`n × (C·H·W)`, owned by this layer), or `0 × (C·H·W)` when `needsInputGradient` is false.
    public func backward(_ outputGradient: Matrix, context: PassContext) -> Matrix {
        guard let store, let weightSlice, let input else {
            preconditionFailure("Conv2D \(name): backward without forward")
        }
        let n = input.rows, outSize = outputSize, inSize = inputSize
        let p = positions, k = patchSize, o = outputChannels
        precondition(outputGradient.rows == n && outputGradient.columns == outSize,
                     "Conv2D \(name): gradient is \(outputGradient.rows)×\(outputGradient.columns), expected \(n)×\(outSize)")
        let dZ: UnsafePointer<Float>
        if activation.isIdentity {
            dZ = UnsafePointer(outputGradient.base)
        } else {
            let buffer = preActivationGradient.matrix(rows: n, columns: outSize)
            activation.backward(preActivation: preActivation.base, output: output.base,
                                outputGradient: outputGradient.base, inputGradient: buffer.base,
                                count: n * outSize)
            dZ = UnsafePointer(buffer.base)
        }
        if let biasSlice {
            let db = store.gradients(of: biasSlice)
            for sample in 0..<n {
                for channel in 0..<o {
                    let r = dZ + sample * outSize + channel * p
                    var sum: Float = 0
                    for j in 0..<p { sum += r[j] }
                    db[channel] += sum
                }
            }
        }
        let weights = UnsafePointer(store.values(of: weightSlice))
        let dW = store.gradients(of: weightSlice)
        let dX = needsInputGradient ? inputGradient.matrix(rows: n, columns: inSize)
                                    : Matrix(base: inputGradient.base, rows: 0, columns: inSize)
        if let winograd {
            let filterCount = 16 * o * channels
            winogradFilterGradient.reserve(filterCount)
            winogradFilterGradient.base.update(repeating: 0, count: filterCount)
            winograd.accumulateFilterGradient(input: UnsafePointer(input.base), outputGradient: dZ, samples: n,
                                              kept: keptTransformedInputs ? UnsafePointer(trainingTransformedInputs.base) : nil,
                                              into: winogradFilterGradient.base)
            winograd.addFilterGradient(winogradFilterGradient.base, into: dW)
            if needsInputGradient {
                winogradInputGradientFilters.reserve(filterCount)
                winograd.transformFiltersForInputGradient(weights, into: winogradInputGradientFilters.base)
                winograd.inputGradient(outputGradient: dZ, samples: n, filters: winogradInputGradientFilters.base,
                                       into: dX.base)
            }
            return dX
        }
        if !isPointwise { columns.reserve(k * p) }
        for sample in 0..<n {
            let x = UnsafePointer(input.base + sample * inSize)
            let dzs = dZ + sample * outSize
            let col: UnsafePointer<Float>
            if isPointwise {
                col = x
            } else if usedTrainingColumns {
                col = UnsafePointer(trainingColumns.base + sample * k * p)
            } else {
                im2col(x, into: columns.base)
                col = UnsafePointer(columns.base)
            }
            // dW += dZ_s·colᵀ   ([O, OH·OW]·[OH·OW, C·kh·kw] = [O, C·kh·kw])
            gemm(transposeA: .none, transposeB: .transposed, m: o, n: k, k: p,
                 a: dzs, lda: p, b: col, ldb: p, beta: 1, c: dW, ldc: k)
            guard needsInputGradient else { continue }
            let dxs = dX.base + sample * inSize
            // dcol = Wᵀ·dZ_s   ([C·kh·kw, O]·[O, OH·OW] = [C·kh·kw, OH·OW])
            let dcol = isPointwise ? dxs : columns.base
            gemm(transposeA: .transposed, transposeB: .none, m: k, n: p, k: o,
                 a: weights, lda: k, b: dzs, ldb: p, beta: 0, c: dcol, ldc: p)
            if !isPointwise { col2im(columns.base, into: dxs) }
        }
        return dX
    }
}
