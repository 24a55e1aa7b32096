import DPTrain
import Testing

/// Winograd's F(2×2, 3×3) against the convolution written out in Double: forward, input
/// gradient and filter gradient, over several chunks of samples with a shorter last one, on odd
/// image sizes (the last tile row and column reach beyond the image).
@Suite("Winograd convolution")
struct WinogradConvolutionTests {
    /// C → K on H×W images, `samples` samples in chunks of `tilesPerChunk` tiles.
    struct Shape: CustomTestStringConvertible, Sendable {
        let c: Int, k: Int, h: Int, w: Int, samples: Int, tilesPerChunk: Int
        /// Samples per chunk the shape must give.
        let samplesPerChunk: Int
        var testDescription: String { "\(c)→\(k) channels, \(h)×\(w), \(samples) samples, \(samplesPerChunk) per chunk" }
    }

    static let shapes = [
        // 3 × 4 = 12 tiles per sample; 24 tiles per chunk = 2 samples, so 7 samples run as
        // chunks of 2, 2, 2 and 1; one segment of 8 tiles per tile row, 4 of them past the image.
        Shape(c: 8, k: 5, h: 5, w: 7, samples: 7, tilesPerChunk: 24, samplesPerChunk: 2),
        // 2 × 18 = 36 tiles per sample in three segments of 8 tiles per tile row (the last
        // reaching 6 tiles past the image); rows of 35 floats copied 16 at a time with a
        // 3-float tail, the last rows of the buffers one float at a time; chunks of 2 and 1.
        Shape(c: 9, k: 3, h: 3, w: 35, samples: 3, tilesPerChunk: 72, samplesPerChunk: 2),
    ]

    @Test("forward, dX and dW match the direct convolution in Double, chunk by chunk", arguments: shapes)
    func matchesDirectConvolution(shape: Shape) {
        let c = shape.c, k = shape.k, h = shape.h, w = shape.w, samples = shape.samples
        /// X[s, c, y, x] with zeros outside the image.
        func at(_ x: [Float], _ s: Int, _ channel: Int, _ channels: Int, _ y: Int, _ xx: Int) -> Double {
            guard y >= 0, y < h, xx >= 0, xx < w else { return 0 }
            return Double(x[((s * channels + channel) * h + y) * w + xx])
        }
        var random = TestRandom(seed: 2024)
        let x = random.floats(samples * c * h * w)
        let weights = random.floats(k * c * 9, low: -0.5, high: 0.5)
        let dz = random.floats(samples * k * h * w)
        let g0 = random.floats(k * c * 9)
        let winograd = WinogradConvolution(inputChannels: c, outputChannels: k, height: h, width: w,
                                           tilesPerChunk: shape.tilesPerChunk)
        #expect(winograd.samplesPerChunk == shape.samplesPerChunk && winograd.tilesPerSample == (h + 1) / 2 * ((w + 1) / 2))

        var u = [Float](repeating: 0, count: 16 * k * c)
        var kept = [Float](repeating: 0, count: winograd.transformedInputCount(samples: samples))
        var z = [Float](repeating: .nan, count: samples * k * h * w)  // every element must be written
        weights.withUnsafeBufferPointer { wp in u.withUnsafeMutableBufferPointer { winograd.transformFilters(wp.baseAddress!, into: $0.baseAddress!) } }
        x.withUnsafeBufferPointer { xp in
            u.withUnsafeBufferPointer { up in
                z.withUnsafeMutableBufferPointer { zp in
                    kept.withUnsafeMutableBufferPointer { kp in
                        winograd.forward(input: xp.baseAddress!, samples: samples, filters: up.baseAddress!,
                                         output: zp.baseAddress!, keep: kp.baseAddress!)
                    }
                }
            }
        }
        var expectedZ: [Double] = []
        for s in 0..<samples {
            for o in 0..<k {
                for y in 0..<h {
                    for xx in 0..<w {
                        var sum = 0.0
                        for channel in 0..<c {
                            for i in 0..<3 {
                                for j in 0..<3 {
                                    sum += Double(weights[(o * c + channel) * 9 + i * 3 + j])
                                        * at(x, s, channel, c, y - 1 + i, xx - 1 + j)
                                }
                            }
                        }
                        expectedZ.append(sum)
                    }
                }
            }
        }
        assertClose(z, expectedZ, "Z")

        // dX[s, c, u, v] = Σ_{k,i,j} w[k, c, i, j] · dZ[s, k, u + 1 − i, v + 1 − j]
        var uPrime = [Float](repeating: 0, count: 16 * c * k)
        var dx = [Float](repeating: .nan, count: samples * c * h * w)
        weights.withUnsafeBufferPointer { wp in
            uPrime.withUnsafeMutableBufferPointer { winograd.transformFiltersForInputGradient(wp.baseAddress!, into: $0.baseAddress!) }
        }
        dz.withUnsafeBufferPointer { dzp in
            uPrime.withUnsafeBufferPointer { up in
                dx.withUnsafeMutableBufferPointer {
                    winograd.inputGradient(outputGradient: dzp.baseAddress!, samples: samples, filters: up.baseAddress!,
                                           into: $0.baseAddress!)
                }
            }
        }
        var expectedDX: [Double] = []
        for s in 0..<samples {
            for channel in 0..<c {
                for y in 0..<h {
                    for xx in 0..<w {
                        var sum = 0.0
                        for o in 0..<k {
                            for i in 0..<3 {
                                for j in 0..<3 {
                                    sum += Double(weights[(o * c + channel) * 9 + i * 3 + j])
                                        * at(dz, s, o, k, y + 1 - i, xx + 1 - j)
                                }
                            }
                        }
                        expectedDX.append(sum)
                    }
                }
            }
        }
        assertClose(dx, expectedDX, "dX")

        // dW[k, c, i, j] = g0 + Σ_{s,y,x} dZ[s, k, y, x] · X[s, c, y − 1 + i, x − 1 + j], once
        // with the forward's V and once with V computed again. Each entry sums hundreds of
        // products of magnitude up to 1 that largely cancel (in the first shape, 245 terms whose
        // magnitudes add up to ~60 give entries near 0.01), so the Float rounding error is bounded by the magnitude of the terms,
        // not of the result: |error| ≤ 16·2⁻²⁴·(|g0| + Σ|terms|), about 6e-5 there — a wrong
        // transform or tile is off by the size of a term (≥ 0.01).
        var expectedDW: [Double] = [], magnitudeDW: [Double] = []
        for o in 0..<k {
            for channel in 0..<c {
                for i in 0..<3 {
                    for j in 0..<3 {
                        var sum = Double(g0[(o * c + channel) * 9 + i * 3 + j]), magnitude = abs(sum)
                        for s in 0..<samples {
                            for y in 0..<h {
                                for xx in 0..<w {
                                    let term = at(dz, s, o, k, y, xx) * at(x, s, channel, c, y - 1 + i, xx - 1 + j)
                                    sum += term
                                    magnitude += abs(term)
                                }
                            }
                        }
                        expectedDW.append(sum)
                        magnitudeDW.append(magnitude)
                    }
                }
            }
        }
        for useKept in [true, false] {
            var d = [Float](repeating: 0, count: 16 * k * c)
            var dw = g0
            x.withUnsafeBufferPointer { xp in
                dz.withUnsafeBufferPointer { dzp in
                    kept.withUnsafeBufferPointer { kp in
                        d.withUnsafeMutableBufferPointer {
                            winograd.accumulateFilterGradient(input: xp.baseAddress!, outputGradient: dzp.baseAddress!,
                                                              samples: samples, kept: useKept ? kp.baseAddress! : nil,
                                                              into: $0.baseAddress!)
                        }
                    }
                }
            }
            d.withUnsafeBufferPointer { dp in dw.withUnsafeMutableBufferPointer { winograd.addFilterGradient(dp.baseAddress!, into: $0.baseAddress!) } }
            let errors = zip(zip(dw, expectedDW), magnitudeDW).filter { pair, magnitude in
                !(abs(Double(pair.0) - pair.1) <= 16 * 0x1p-24 * magnitude)
            }
            #expect(errors.isEmpty, "g0 + dW (\(useKept ? "kept V" : "V computed again")): \(errors.count) of \(dw.count) beyond the rounding bound, e.g. \(errors.prefix(3))")
        }
    }

    @Test("a layer takes the Winograd path only for 3×3, stride 1, padding 1 and ≥ 8 input channels")
    func appliesOnlyWhereItShould() {
        #expect(WinogradConvolution.applies(kernel: (3, 3), stride: 1, padding: 1, channels: 8))
        #expect(!WinogradConvolution.applies(kernel: (3, 3), stride: 1, padding: 1, channels: 7))
        #expect(!WinogradConvolution.applies(kernel: (3, 3), stride: 2, padding: 1, channels: 8))
        #expect(!WinogradConvolution.applies(kernel: (3, 3), stride: 1, padding: 0, channels: 8))
        #expect(!WinogradConvolution.applies(kernel: (5, 5), stride: 1, padding: 1, channels: 8))
        #expect(!WinogradConvolution.applies(kernel: (3, 1), stride: 1, padding: 1, channels: 8))
    }
}
