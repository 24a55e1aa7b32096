/// A 3×3 convolution with stride 1 and padding 1 by Winograd's minimal filtering F(2×2, 3×3)
/// (Lavin & Gray 2016): each 2×2 block ("tile") of output positions comes from a 4×4 block of
/// the zero-padded input, and the 9 multiplications per output of the direct form become 4:
///
///     Y_tile = Aᵀ [ Σ_c (G w_{k,c} Gᵀ) ⊙ (Bᵀ d_{c,tile} B) ] A
///
///     Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1]   G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1]
///     Aᵀ = [1 1 1 0; 0 1 −1 −1]
///
/// For each of the 16 positions ξ of the 4×4 transformed tile the channel sum is one GEMM over
/// a chunk of samples: M_ξ[K × T] = U_ξ[K × C] · V_ξ[C × T] with U = G w Gᵀ (filters), V =
/// Bᵀ d B (input tiles) and T = tiles of the chunk. The backward passes are the same scheme:
///
/// - input gradient: a 3×3 "same" convolution of dZ with the filters rotated by 180° and their
///   channel axes swapped, U′_ξ[C × K] = (G rot180(w_{k,c}) Gᵀ)_ξ;
/// - filter gradient: ∂L/∂w_{k,c} = Gᵀ [ Σ_tiles (A dZ_tile Aᵀ) ⊙ V_{c,tile} ] G, one GEMM
///   D_ξ[K × C] += Ŷ_ξ[K × T] · V_ξᵀ per chunk (Ŷ = A dZ_tile Aᵀ), transformed back once per
///   micro-batch.
///
/// The GEMMs do 16·K·C multiply-adds per tile of 4 outputs against 36·K·C for the direct form
/// (2.25× fewer); the transforms are additions. Samples are processed in chunks of
/// ``samplesPerChunk`` so that V and M of a chunk stay in the core's cache (about 800 tiles).
/// Layouts: X, Z `[C, H, W]` per sample (NCHW rows of a micro-batch); w `[K, C, 3, 3]`;
/// U `[16, K, C]`; V `[16, C, T]` and M, Ŷ `[16, K, T]` per chunk, T = samples · tiles,
/// tile t = sample · tilesPerSample + ty · tileColumns + tx. Odd H or W: the last tile row or
/// column reads zeros beyond the image and its outputs beyond the image are dropped.
public final class WinogradConvolution {
    /// C, input channels.
    public let inputChannels: Int
    /// K, output channels.
    public let outputChannels: Int
    /// H and W of the input (and the output: stride 1, padding 1).
    public let height: Int, width: Int
    /// ⌈H/2⌉ and ⌈W/2⌉: tiles of 2×2 outputs per column and per row.
    public let tileRows: Int, tileColumns: Int
    /// Tiles per sample, ⌈H/2⌉·⌈W/2⌉.
    public var tilesPerSample: Int { tileRows * tileColumns }
    /// Samples per chunk: about 800 tiles (≥ 1 sample).
    public let samplesPerChunk: Int

    /// One padded input plane, `(2·tileRows + 2) × (2·tileColumns + 2)`, zero outside the image.
    private let paddedPlane: FloatBuffer
    /// M of a chunk, `[16, max(C, K), T]`.
    private let products = FloatBuffer()
    /// V′ (dZ's input transform) or Ŷ of a chunk, `[16, max(C, K), T]`.
    private let transformedGradient = FloatBuffer()
    /// V of a chunk when the caller keeps none.
    private let chunkInput = FloatBuffer()

    /// Whether a convolution is computed this way: a 3×3 kernel, stride 1, padding 1 and at least
    /// `minimumChannels` input channels (with fewer, the transforms cost more than they save).
    public static func applies(kernel: (height: Int, width: Int), stride: Int, padding: Int, channels: Int) -> Bool {
        kernel == (3, 3) && stride == 1 && padding == 1 && channels >= minimumChannels
    }

    /// Fewest input channels for which ``applies(kernel:stride:padding:channels:)`` holds.
    public static let minimumChannels = 8

    /// Tiles per chunk the chunk size aims at by default (V and M of a 64-channel chunk: 3.2 MB
    /// each; measured fastest at the Fashion-MNIST CNN's shapes).
    public static let defaultTilesPerChunk = 784

    /// A convolution `[C, H, W] → [K, H, W]` in chunks of ⌊tilesPerChunk / tiles per sample⌋
    /// samples (at least 1).
    public init(inputChannels: Int, outputChannels: Int, height: Int, width: Int,
                tilesPerChunk: Int = WinogradConvolution.defaultTilesPerChunk) {
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.height = height
        self.width = width
        tileRows = (height + 1) / 2
        tileColumns = (width + 1) / 2
        samplesPerChunk = max(1, tilesPerChunk / ((height + 1) / 2 * ((width + 1) / 2)))
        paddedPlane = FloatBuffer(capacity: (2 * tileRows + 2) * (2 * tileColumns + 2))
    }

    /// Floats of V for `samples` samples, `16 · C · samples · tilesPerSample`: what a caller
    /// that keeps the forward's V for the filter gradient reserves.
    public func transformedInputCount(samples: Int) -> Int { 16 * inputChannels * samples * tilesPerSample }

    // MARK: - Filters

    /// U_ξ[k, c] = (G w_{k,c} Gᵀ)_ξ, `[16, K, C]`, from w `[K, C, 3, 3]`.
    public func transformFilters(_ w: UnsafePointer<Float>, into u: UnsafeMutablePointer<Float>) {
        let k = outputChannels, c = inputChannels
        for o in 0..<k {
            for i in 0..<c {
                WinogradConvolution.filterTransform(w + (o * c + i) * 9, rotated: false,
                                                    into: u + o * c + i, stride: k * c)
            }
        }
    }

    /// U′_ξ[c, k] = (G rot180(w_{k,c}) Gᵀ)_ξ, `[16, C, K]`: the filters of the input gradient.
    public func transformFiltersForInputGradient(_ w: UnsafePointer<Float>, into u: UnsafeMutablePointer<Float>) {
        let k = outputChannels, c = inputChannels
        for o in 0..<k {
            for i in 0..<c {
                WinogradConvolution.filterTransform(w + (o * c + i) * 9, rotated: true,
                                                    into: u + i * k + o, stride: k * c)
            }
        }
    }

    /// (G g Gᵀ)_ξ of one 3×3 filter g (rotated by 180° if asked), written at `out + ξ · stride`.
    @inline(__always)
    private static func filterTransform(_ g: UnsafePointer<Float>, rotated: Bool,
                                        into out: UnsafeMutablePointer<Float>, stride: Int) {
        @inline(__always) func f(_ index: Int) -> Float { rotated ? g[8 - index] : g[index] }
        for j in 0..<3 {
            // Column j of G g: (g0, ½(g0 + g1 + g2), ½(g0 − g1 + g2), g2) down the rows of g.
            let g0 = f(j), g1 = f(3 + j), g2 = f(6 + j)
            let column = (g0, 0.5 * (g0 + g1 + g2), 0.5 * (g0 - g1 + g2), g2)
            // Stored for the right-hand product: entry (r, j) of G g goes to u[4r + …].
            writeColumn(column, into: out, stride: stride, column: j)
        }
        for r in 0..<4 {
            // (G g) Gᵀ on row r: (r0, ½(r0 + r1 + r2), ½(r0 − r1 + r2), r2).
            let base = out + 4 * r * stride
            let r0 = base[0], r1 = base[stride], r2 = base[2 * stride]
            base[0] = r0
            base[stride] = 0.5 * (r0 + r1 + r2)
            base[2 * stride] = 0.5 * (r0 - r1 + r2)
            base[3 * stride] = r2
        }
    }

    /// Writes column `column` of the 4×3 product G g into positions (4r + column) of `out`.
    @inline(__always)
    private static func writeColumn(_ values: (Float, Float, Float, Float), into out: UnsafeMutablePointer<Float>,
                                    stride: Int, column: Int) {
        out[column * stride] = values.0
        out[(4 + column) * stride] = values.1
        out[(8 + column) * stride] = values.2
        out[(12 + column) * stride] = values.3
    }

    // MARK: - Passes

    /// Z = conv(X, w) for `samples` samples: X `samples × (C·H·W)`, Z `samples × (K·H·W)`
    /// (overwritten), U from ``transformFilters(_:into:)``. With `keep`, V of every chunk is left
    /// there (``transformedInputCount(samples:)`` floats, chunk after chunk) for
    /// ``accumulateFilterGradient(input:outputGradient:samples:kept:into:)``.
    public func forward(input x: UnsafePointer<Float>, samples: Int, filters u: UnsafePointer<Float>,
                 output z: UnsafeMutablePointer<Float>, keep: UnsafeMutablePointer<Float>?) {
        let c = inputChannels, k = outputChannels
        forEachChunk(samples: samples) { first, count, tiles in
            let v: UnsafeMutablePointer<Float>
            if let keep {
                v = keep + 16 * c * first * tilesPerSample
            } else {
                chunkInput.reserve(16 * c * tiles)
                v = chunkInput.base
            }
            transformInput(x + first * c * height * width, channels: c, samples: count, into: v)
            products.reserve(16 * k * tiles)
            for xi in 0..<16 {
                // M_ξ[K × T] = U_ξ[K × C] · V_ξ[C × T]
                gemm(transposeA: .none, transposeB: .none, m: k, n: tiles, k: c,
                     a: u + xi * k * c, lda: c, b: v + xi * c * tiles, ldb: tiles,
                     beta: 0, c: products.base + xi * k * tiles, ldc: tiles)
            }
            inverseTransform(products.base, channels: k, samples: count,
                             into: z + first * k * height * width)
        }
    }

    /// dX = conv(dZ, rot180(w)ᵀ) for `samples` samples: dZ `samples × (K·H·W)`, dX
    /// `samples × (C·H·W)` (overwritten), U′ from ``transformFiltersForInputGradient(_:into:)``.
    public func inputGradient(outputGradient dz: UnsafePointer<Float>, samples: Int, filters u: UnsafePointer<Float>,
                       into dx: UnsafeMutablePointer<Float>) {
        let c = inputChannels, k = outputChannels
        forEachChunk(samples: samples) { first, count, tiles in
            transformedGradient.reserve(16 * k * tiles)
            let v = transformedGradient.base
            transformInput(dz + first * k * height * width, channels: k, samples: count, into: v)
            products.reserve(16 * c * tiles)
            for xi in 0..<16 {
                // M′_ξ[C × T] = U′_ξ[C × K] · V′_ξ[K × T]
                gemm(transposeA: .none, transposeB: .none, m: c, n: tiles, k: k,
                     a: u + xi * c * k, lda: k, b: v + xi * k * tiles, ldb: tiles,
                     beta: 0, c: products.base + xi * c * tiles, ldc: tiles)
            }
            inverseTransform(products.base, channels: c, samples: count, into: dx + first * c * height * width)
        }
    }

    /// D_ξ[K × C] += Σ_tiles Ŷ_ξ · V_ξᵀ over `samples` samples (Ŷ = A dZ_tile Aᵀ), with V from
    /// `kept` (the forward's) or computed again from X when `kept` is nil. D is `[16, K, C]`;
    /// ``addFilterGradient(_:into:)`` turns it into ∂L/∂w.
    public func accumulateFilterGradient(input x: UnsafePointer<Float>, outputGradient dz: UnsafePointer<Float>,
                                  samples: Int, kept: UnsafePointer<Float>?, into d: UnsafeMutablePointer<Float>) {
        let c = inputChannels, k = outputChannels
        forEachChunk(samples: samples) { first, count, tiles in
            let v: UnsafePointer<Float>
            if let kept {
                v = kept + 16 * c * first * tilesPerSample
            } else {
                chunkInput.reserve(16 * c * tiles)
                transformInput(x + first * c * height * width, channels: c, samples: count, into: chunkInput.base)
                v = UnsafePointer(chunkInput.base)
            }
            transformedGradient.reserve(16 * k * tiles)
            transformOutputGradient(dz + first * k * height * width, samples: count, into: transformedGradient.base)
            for xi in 0..<16 {
                // D_ξ[K × C] += Ŷ_ξ[K × T] · V_ξ[C × T]ᵀ
                gemm(transposeA: .none, transposeB: .transposed, m: k, n: c, k: tiles,
                     a: transformedGradient.base + xi * k * tiles, lda: tiles, b: v + xi * c * tiles, ldb: tiles,
                     beta: 1, c: d + xi * k * c, ldc: c)
            }
        }
    }

    /// ∂L/∂w_{k,c} += Gᵀ D_{k,c} G (3×3 from 4×4) for every filter: dW `[K, C, 3, 3]`.
    public func addFilterGradient(_ d: UnsafePointer<Float>, into dw: UnsafeMutablePointer<Float>) {
        let count = outputChannels * inputChannels
        for filter in 0..<count {
            @inline(__always) func entry(_ xi: Int) -> Float { d[xi * count + filter] }
            let out = dw + filter * 9
            // Row r of Gᵀ D (D0 + ½(D1 + D2), ½(D1 − D2), ½(D1 + D2) + D3), then the same
            // combination of its four entries for (Gᵀ D) G.
            @inline(__always) func addRow(_ r: Int, _ x0: Float, _ x1: Float, _ x2: Float, _ x3: Float) {
                out[3 * r] += x0 + 0.5 * (x1 + x2)
                out[3 * r + 1] += 0.5 * (x1 - x2)
                out[3 * r + 2] += 0.5 * (x1 + x2) + x3
            }
            var top = (Float(0), Float(0), Float(0), Float(0))
            var middle = top, bottom = top
            for j in 0..<4 {
                let d0 = entry(j), d1 = entry(4 + j), d2 = entry(8 + j), d3 = entry(12 + j)
                let value = (d0 + 0.5 * (d1 + d2), 0.5 * (d1 - d2), 0.5 * (d1 + d2) + d3)
                switch j {
                case 0: top.0 = value.0; middle.0 = value.1; bottom.0 = value.2
                case 1: top.1 = value.0; middle.1 = value.1; bottom.1 = value.2
                case 2: top.2 = value.0; middle.2 = value.1; bottom.2 = value.2
                default: top.3 = value.0; middle.3 = value.1; bottom.3 = value.2
                }
            }
            addRow(0, top.0, top.1, top.2, top.3)
            addRow(1, middle.0, middle.1, middle.2, middle.3)
            addRow(2, bottom.0, bottom.1, bottom.2, bottom.3)
        }
    }

    // MARK: - Transforms

    /// Calls `body(first sample, samples, tiles)` for each chunk of ``samplesPerChunk`` samples.
    @inline(__always)
    private func forEachChunk(samples: Int, _ body: (Int, Int, Int) -> Void) {
        var first = 0
        while first < samples {
            let count = min(samplesPerChunk, samples - first)
            body(first, count, count * tilesPerSample)
            first += count
        }
    }

    /// V_ξ[c, t] = (Bᵀ d_{c,t} B)_ξ for the 4×4 input blocks d at rows 2·ty − 1 … 2·ty + 2 and
    /// columns 2·tx − 1 … 2·tx + 2 (zero outside the image) of `samples` samples of `channels`
    /// planes; V is `[16, channels, samples · tilesPerSample]`.
    private func transformInput(_ x: UnsafePointer<Float>, channels: Int, samples: Int,
                                into v: UnsafeMutablePointer<Float>) {
        let h = height, w = width, tw = tileColumns, th = tileRows
        let pw = 2 * tw + 2
        let tiles = samples * tilesPerSample
        let stride = channels * tiles  // between ξ planes of V
        let pad = paddedPlane.base  // zero outside rows 1…H and columns 1…W, never written there
        for sample in 0..<samples {
            for channel in 0..<channels {
                let plane = x + (sample * channels + channel) * h * w
                for y in 0..<h { (pad + (y + 1) * pw + 1).update(from: plane + y * w, count: w) }
                let out = v + channel * tiles + sample * tilesPerSample
                for ty in 0..<th {
                    let r0 = UnsafePointer(pad + 2 * ty * pw), r1 = r0 + pw, r2 = r1 + pw, r3 = r2 + pw
                    let row = out + ty * tw
                    for tx in 0..<tw {
                        let o = 2 * tx
                        // Bᵀ d: rows (d0 − d2, d1 + d2, d2 − d1, d1 − d3), column by column.
                        let a0 = r0[o] - r2[o], a1 = r0[o + 1] - r2[o + 1], a2 = r0[o + 2] - r2[o + 2], a3 = r0[o + 3] - r2[o + 3]
                        let b0 = r1[o] + r2[o], b1 = r1[o + 1] + r2[o + 1], b2 = r1[o + 2] + r2[o + 2], b3 = r1[o + 3] + r2[o + 3]
                        let c0 = r2[o] - r1[o], c1 = r2[o + 1] - r1[o + 1], c2 = r2[o + 2] - r1[o + 2], c3 = r2[o + 3] - r1[o + 3]
                        let d0 = r1[o] - r3[o], d1 = r1[o + 1] - r3[o + 1], d2 = r1[o + 2] - r3[o + 2], d3 = r1[o + 3] - r3[o + 3]
                        // (Bᵀ d) B: the same combination of columns.
                        let t = row + tx
                        t[0] = a0 - a2; t[stride] = a1 + a2; t[2 * stride] = a2 - a1; t[3 * stride] = a1 - a3
                        t[4 * stride] = b0 - b2; t[5 * stride] = b1 + b2; t[6 * stride] = b2 - b1; t[7 * stride] = b1 - b3
                        t[8 * stride] = c0 - c2; t[9 * stride] = c1 + c2; t[10 * stride] = c2 - c1; t[11 * stride] = c1 - c3
                        t[12 * stride] = d0 - d2; t[13 * stride] = d1 + d2; t[14 * stride] = d2 - d1; t[15 * stride] = d1 - d3
                    }
                }
            }
        }
    }

    /// Y[channel, 2·ty + a, 2·tx + b] = (Aᵀ M_tile A)[a, b] for `samples` samples (outputs beyond
    /// the image dropped); M is `[16, channels, samples · tilesPerSample]`, Y
    /// `samples × (channels·H·W)`, overwritten.
    private func inverseTransform(_ m: UnsafePointer<Float>, channels: Int, samples: Int,
                                  into y: UnsafeMutablePointer<Float>) {
        let h = height, w = width, tw = tileColumns, th = tileRows
        let tiles = samples * tilesPerSample
        let stride = channels * tiles
        for sample in 0..<samples {
            for channel in 0..<channels {
                let plane = y + (sample * channels + channel) * h * w
                let source = m + channel * tiles + sample * tilesPerSample
                for ty in 0..<th {
                    let fullRows = 2 * ty + 1 < h
                    for tx in 0..<tw {
                        let t = source + ty * tw + tx
                        // Aᵀ M: rows (m0 + m1 + m2, m1 − m2 − m3), column by column.
                        let s00 = t[0] + t[4 * stride] + t[8 * stride], s10 = t[4 * stride] - t[8 * stride] - t[12 * stride]
                        let s01 = t[stride] + t[5 * stride] + t[9 * stride], s11 = t[5 * stride] - t[9 * stride] - t[13 * stride]
                        let s02 = t[2 * stride] + t[6 * stride] + t[10 * stride], s12 = t[6 * stride] - t[10 * stride] - t[14 * stride]
                        let s03 = t[3 * stride] + t[7 * stride] + t[11 * stride], s13 = t[7 * stride] - t[11 * stride] - t[15 * stride]
                        let top = plane + 2 * ty * w + 2 * tx
                        top[0] = s00 + s01 + s02
                        let fullColumns = 2 * tx + 1 < w
                        if fullColumns { top[1] = s01 - s02 - s03 }
                        if fullRows {
                            top[w] = s10 + s11 + s12
                            if fullColumns { top[w + 1] = s11 - s12 - s13 }
                        }
                    }
                }
            }
        }
    }

    /// Ŷ_ξ[k, t] = (A dZ_{k,t} Aᵀ)_ξ for the 2×2 output blocks of `samples` samples (zero beyond
    /// the image); dZ is `samples × (K·H·W)`, Ŷ `[16, K, samples · tilesPerSample]`.
    private func transformOutputGradient(_ dz: UnsafePointer<Float>, samples: Int,
                                         into out: UnsafeMutablePointer<Float>) {
        let k = outputChannels, h = height, w = width, tw = tileColumns, th = tileRows
        let tiles = samples * tilesPerSample
        let stride = k * tiles
        for sample in 0..<samples {
            for channel in 0..<k {
                let plane = dz + (sample * k + channel) * h * w
                let target = out + channel * tiles + sample * tilesPerSample
                for ty in 0..<th {
                    let fullRows = 2 * ty + 1 < h
                    for tx in 0..<tw {
                        let top = plane + 2 * ty * w + 2 * tx
                        let fullColumns = 2 * tx + 1 < w
                        let y00 = top[0], y01: Float = fullColumns ? top[1] : 0
                        let y10: Float = fullRows ? top[w] : 0
                        let y11: Float = fullRows && fullColumns ? top[w + 1] : 0
                        // A dZ: rows (y0, y0 + y1, y0 − y1, −y1), then the same on columns.
                        let q00 = y00, q01 = y01
                        let q10 = y00 + y10, q11 = y01 + y11
                        let q20 = y00 - y10, q21 = y01 - y11
                        let q30 = -y10, q31 = -y11
                        let t = target + ty * tw + tx
                        t[0] = q00; t[stride] = q00 + q01; t[2 * stride] = q00 - q01; t[3 * stride] = -q01
                        t[4 * stride] = q10; t[5 * stride] = q10 + q11; t[6 * stride] = q10 - q11; t[7 * stride] = -q11
                        t[8 * stride] = q20; t[9 * stride] = q20 + q21; t[10 * stride] = q20 - q21; t[11 * stride] = -q21
                        t[12 * stride] = q30; t[13 * stride] = q30 + q31; t[14 * stride] = q30 - q31; t[15 * stride] = -q31
                    }
                }
            }
        }
    }
}
