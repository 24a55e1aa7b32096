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
/// U `[16, K, C]`; V `[16, C, T]` and M, Ŷ `[16, K, T]` per chunk (ξ planes ``planeStride(rows:tiles:)``
/// floats apart), T = samples · tiles,
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

    /// Segments of 8 tiles per tile row, ⌈tileColumns / 8⌉: the transforms work on 8 tiles at once.
    private let tileSegments: Int
    /// Floats per row of ``paddedPlane``: 16 per segment plus the two the 4×4 blocks reach past.
    private var paddedRowLength: Int { 16 * tileSegments + 2 }
    /// Floats per row of ``gradientPlane`` and ``outputPlane``: 16 per segment.
    private var blockRowLength: Int { 16 * tileSegments }
    /// One input plane with a zero margin, `(2·tileRows + 2) × paddedRowLength`, the image at
    /// row 1 and column 1.
    private let paddedPlane: FloatBuffer
    /// One dZ plane with a zero margin, `2·tileRows × blockRowLength`, the image at the origin.
    private let gradientPlane: FloatBuffer
    /// One output plane as the inverse transform writes it, `2·tileRows × blockRowLength`.
    private let outputPlane: FloatBuffer
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
        tileSegments = (tileColumns + 7) / 8
        paddedPlane = FloatBuffer(capacity: (2 * tileRows + 2) * (16 * tileSegments + 2))
        gradientPlane = FloatBuffer(capacity: 2 * tileRows * 16 * tileSegments)
        outputPlane = FloatBuffer(capacity: 2 * tileRows * 16 * tileSegments)
    }

    /// Floats of V for `samples` samples, `16 · C · samples · tilesPerSample`: what a caller
    /// that keeps the forward's V for the filter gradient reserves.
    public func transformedInputCount(samples: Int) -> Int {
        let full = samples / samplesPerChunk, rest = samples % samplesPerChunk
        return full * chunkFloats(rows: inputChannels, samples: samplesPerChunk)
            + (rest > 0 ? chunkFloats(rows: inputChannels, samples: rest) : 0)
    }

    /// Floats between consecutive ξ planes of a chunk's `[16, rows, T]` array: rows · T plus
    /// ``planePadding``, so that the 16 planes a tile's transform reads or writes do not start
    /// at the same offset modulo 4 KiB (rows · T · 4 bytes is a multiple of 4 KiB at 64
    /// channels and 784 tiles, and 16 such streams overflow the L1 cache's 8 ways of one set).
    @inline(__always)
    func planeStride(rows: Int, tiles: Int) -> Int { rows * tiles + Self.planePadding }

    /// Floats of a chunk's `[16, rows, T]` array for `samples` samples, padded planes included.
    @inline(__always)
    func chunkFloats(rows: Int, samples: Int) -> Int { 16 * planeStride(rows: rows, tiles: samples * tilesPerSample) }

    /// Padding between ξ planes, in floats: one 64-byte cache line, which also takes the up to 7
    /// tiles that 8-tile stores and loads run past the last tile of a plane.
    static let planePadding = 16

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
                v = keep + (first / samplesPerChunk) * chunkFloats(rows: c, samples: samplesPerChunk)
            } else {
                chunkInput.reserve(chunkFloats(rows: c, samples: count))
                v = chunkInput.base
            }
            transformInput(x + first * c * height * width, channels: c, samples: count, into: v)
            products.reserve(chunkFloats(rows: k, samples: count))
            let vStride = planeStride(rows: c, tiles: tiles), mStride = planeStride(rows: k, tiles: tiles)
            for xi in 0..<16 {
                // M_ξ[K × T] = U_ξ[K × C] · V_ξ[C × T]
                gemm(transposeA: .none, transposeB: .none, m: k, n: tiles, k: c,
                     a: u + xi * k * c, lda: c, b: v + xi * vStride, ldb: tiles,
                     beta: 0, c: products.base + xi * mStride, ldc: tiles)
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
            transformedGradient.reserve(chunkFloats(rows: k, samples: count))
            let v = transformedGradient.base
            transformInput(dz + first * k * height * width, channels: k, samples: count, into: v)
            products.reserve(chunkFloats(rows: c, samples: count))
            let vStride = planeStride(rows: k, tiles: tiles), mStride = planeStride(rows: c, tiles: tiles)
            for xi in 0..<16 {
                // M′_ξ[C × T] = U′_ξ[C × K] · V′_ξ[K × T]
                gemm(transposeA: .none, transposeB: .none, m: c, n: tiles, k: k,
                     a: u + xi * c * k, lda: k, b: v + xi * vStride, ldb: tiles,
                     beta: 0, c: products.base + xi * mStride, ldc: tiles)
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
                v = kept + (first / samplesPerChunk) * chunkFloats(rows: c, samples: samplesPerChunk)
            } else {
                chunkInput.reserve(chunkFloats(rows: c, samples: count))
                transformInput(x + first * c * height * width, channels: c, samples: count, into: chunkInput.base)
                v = UnsafePointer(chunkInput.base)
            }
            transformedGradient.reserve(chunkFloats(rows: k, samples: count))
            transformOutputGradient(dz + first * k * height * width, samples: count, into: transformedGradient.base)
            let yStride = planeStride(rows: k, tiles: tiles), vStride = planeStride(rows: c, tiles: tiles)
            for xi in 0..<16 {
                // D_ξ[K × C] += Ŷ_ξ[K × T] · V_ξ[C × T]ᵀ
                gemm(transposeA: .none, transposeB: .transposed, m: k, n: c, k: tiles,
                     a: transformedGradient.base + xi * yStride, lda: tiles, b: v + xi * vStride, ldb: tiles,
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
    /// planes; V is `[16, channels, samples · tilesPerSample]`, ξ planes
    /// ``planeStride(rows:tiles:)`` apart.
    ///
    /// Eight tiles of a tile row at a time: one 16-float load of a padded input row holds the
    /// even and odd columns of 8 tiles, and each of the 16 results is one 8-float store. A
    /// store may run up to 7 tiles past a row's end; those are written again by the next row,
    /// sample or channel (channels outermost), or land in the plane padding after the last.
    private func transformInput(_ x: UnsafePointer<Float>, channels: Int, samples: Int,
                                into v: UnsafeMutablePointer<Float>) {
        let h = height, w = width, tw = tileColumns, th = tileRows
        let pw = paddedRowLength
        let tiles = samples * tilesPerSample
        let stride = planeStride(rows: channels, tiles: tiles)  // between ξ planes of V
        let pad = paddedPlane.base  // zero outside rows 1…H and columns 1…W, never written there
        for channel in 0..<channels {
            for sample in 0..<samples {
                let plane = x + (sample * channels + channel) * h * w
                for y in 0..<h { (pad + (y + 1) * pw + 1).update(from: plane + y * w, count: w) }
                let out = v + channel * tiles + sample * tilesPerSample
                for ty in 0..<th {
                    let r0 = UnsafeRawPointer(pad + 2 * ty * pw), r1 = r0 + 4 * pw, r2 = r1 + 4 * pw, r3 = r2 + 4 * pw
                    for segment in 0..<tileSegments {
                        let o = 64 * segment  // bytes: 16 floats per segment of 8 tiles
                        @inline(__always) func row(_ r: UnsafeRawPointer, _ shift: Int) -> SIMD16<Float> {
                            r.loadUnaligned(fromByteOffset: o + 8 * shift, as: SIMD16<Float>.self)
                        }
                        // Bᵀ d: rows (d0 − d2, d1 + d2, d2 − d1, d1 − d3), at columns 2·tx + 0/1 and + 2/3.
                        let a = row(r0, 0) - row(r2, 0), aShifted = row(r0, 1) - row(r2, 1)
                        let b = row(r1, 0) + row(r2, 0), bShifted = row(r1, 1) + row(r2, 1)
                        let c = row(r2, 0) - row(r1, 0), cShifted = row(r2, 1) - row(r1, 1)
                        let d = row(r1, 0) - row(r3, 0), dShifted = row(r1, 1) - row(r3, 1)
                        let t = UnsafeMutableRawPointer(out + ty * tw + 8 * segment)
                        // (Bᵀ d) B: columns (e0 − e2, e1 + e2, e2 − e1, e1 − e3) of each row.
                        @inline(__always) func store(_ first: Int, _ row: SIMD16<Float>, _ shifted: SIMD16<Float>) {
                            let e0 = row.evenHalf, e1 = row.oddHalf, e2 = shifted.evenHalf, e3 = shifted.oddHalf
                            t.storeBytes(of: e0 - e2, toByteOffset: 4 * first * stride, as: SIMD8<Float>.self)
                            t.storeBytes(of: e1 + e2, toByteOffset: 4 * (first + 1) * stride, as: SIMD8<Float>.self)
                            t.storeBytes(of: e2 - e1, toByteOffset: 4 * (first + 2) * stride, as: SIMD8<Float>.self)
                            t.storeBytes(of: e1 - e3, toByteOffset: 4 * (first + 3) * stride, as: SIMD8<Float>.self)
                        }
                        store(0, a, aShifted)
                        store(4, b, bShifted)
                        store(8, c, cShifted)
                        store(12, d, dShifted)
                    }
                }
            }
        }
    }

    /// Y[channel, 2·ty + a, 2·tx + b] = (Aᵀ M_tile A)[a, b] for `samples` samples (outputs beyond
    /// the image dropped); M is `[16, channels, samples · tilesPerSample]` (ξ planes
    /// ``planeStride(rows:tiles:)`` apart), Y `samples × (channels·H·W)`, overwritten.
    ///
    /// Eight tiles at a time (8-float loads of each ξ plane, which may read up to 7 tiles past a
    /// row into the next row or the plane padding; those lanes are dropped), into a tile-aligned
    /// scratch plane whose image part is then copied out row by row.
    private func inverseTransform(_ m: UnsafePointer<Float>, channels: Int, samples: Int,
                                  into y: UnsafeMutablePointer<Float>) {
        let h = height, w = width, tw = tileColumns, th = tileRows
        let ow = blockRowLength
        let tiles = samples * tilesPerSample
        let stride = planeStride(rows: channels, tiles: tiles)
        let scratch = outputPlane.base
        for sample in 0..<samples {
            for channel in 0..<channels {
                let source = m + channel * tiles + sample * tilesPerSample
                for ty in 0..<th {
                    let top = UnsafeMutableRawPointer(scratch + 2 * ty * ow), bottom = top + 4 * ow
                    for segment in 0..<tileSegments {
                        let t = UnsafeRawPointer(source + ty * tw + 8 * segment)
                        @inline(__always) func at(_ xi: Int) -> SIMD8<Float> {
                            t.loadUnaligned(fromByteOffset: 4 * xi * stride, as: SIMD8<Float>.self)
                        }
                        // Aᵀ M: rows (m0 + m1 + m2, m1 − m2 − m3), column by column.
                        let s00 = at(0) + at(4) + at(8), s10 = at(4) - at(8) - at(12)
                        let s01 = at(1) + at(5) + at(9), s11 = at(5) - at(9) - at(13)
                        let s02 = at(2) + at(6) + at(10), s12 = at(6) - at(10) - at(14)
                        let s03 = at(3) + at(7) + at(11), s13 = at(7) - at(11) - at(15)
                        var upper = SIMD16<Float>(), lower = SIMD16<Float>()
                        upper.evenHalf = s00 + s01 + s02
                        upper.oddHalf = s01 - s02 - s03
                        lower.evenHalf = s10 + s11 + s12
                        lower.oddHalf = s11 - s12 - s13
                        top.storeBytes(of: upper, toByteOffset: 64 * segment, as: SIMD16<Float>.self)
                        bottom.storeBytes(of: lower, toByteOffset: 64 * segment, as: SIMD16<Float>.self)
                    }
                }
                let plane = y + (sample * channels + channel) * h * w
                for row in 0..<h { (plane + row * w).update(from: scratch + row * ow, count: w) }
            }
        }
    }

    /// Ŷ_ξ[k, t] = (A dZ_{k,t} Aᵀ)_ξ for the 2×2 output blocks of `samples` samples (zero beyond
    /// the image); dZ is `samples × (K·H·W)`, Ŷ `[16, K, samples · tilesPerSample]` (ξ planes
    /// ``planeStride(rows:tiles:)`` apart). Eight tiles at a time from a zero-margined copy of
    /// each plane, with stores running past a row's end as in ``transformInput``.
    private func transformOutputGradient(_ dz: UnsafePointer<Float>, samples: Int,
                                         into out: UnsafeMutablePointer<Float>) {
        let k = outputChannels, h = height, w = width, tw = tileColumns, th = tileRows
        let ow = blockRowLength
        let tiles = samples * tilesPerSample
        let stride = planeStride(rows: k, tiles: tiles)
        let scratch = gradientPlane.base  // zero outside rows 0…H−1 and columns 0…W−1
        for channel in 0..<k {
            for sample in 0..<samples {
                let plane = dz + (sample * k + channel) * h * w
                for row in 0..<h { (scratch + row * ow).update(from: plane + row * w, count: w) }
                let target = out + channel * tiles + sample * tilesPerSample
                for ty in 0..<th {
                    let top = UnsafeRawPointer(scratch + 2 * ty * ow), bottom = top + 4 * ow
                    for segment in 0..<tileSegments {
                        let upper = top.loadUnaligned(fromByteOffset: 64 * segment, as: SIMD16<Float>.self)
                        let lower = bottom.loadUnaligned(fromByteOffset: 64 * segment, as: SIMD16<Float>.self)
                        let y00 = upper.evenHalf, y01 = upper.oddHalf, y10 = lower.evenHalf, y11 = lower.oddHalf
                        // A dZ: rows (y0, y0 + y1, y0 − y1, −y1), then the same on columns.
                        let q10 = y00 + y10, q11 = y01 + y11
                        let q20 = y00 - y10, q21 = y01 - y11
                        let q30 = -y10, q31 = -y11
                        let t = UnsafeMutableRawPointer(target + ty * tw + 8 * segment)
                        @inline(__always) func store(_ first: Int, _ left: SIMD8<Float>, _ right: SIMD8<Float>) {
                            t.storeBytes(of: left, toByteOffset: 4 * first * stride, as: SIMD8<Float>.self)
                            t.storeBytes(of: left + right, toByteOffset: 4 * (first + 1) * stride, as: SIMD8<Float>.self)
                            t.storeBytes(of: left - right, toByteOffset: 4 * (first + 2) * stride, as: SIMD8<Float>.self)
                            t.storeBytes(of: -right, toByteOffset: 4 * (first + 3) * stride, as: SIMD8<Float>.self)
                        }
                        store(0, y00, y01)
                        store(4, q10, q11)
                        store(8, q20, q21)
                        store(12, q30, q31)
                    }
                }
            }
        }
    }
}
