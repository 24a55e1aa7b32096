import DPTrain
import Testing

@Suite("Augmentation")
struct AugmentationTests {
    /// The documented draws: dx, then dy, each nextInt(below: 2k + 1) − k.
    func documentedShift(key: UInt64, k: Int) -> (dx: Int, dy: Int) {
        var generator = SplitMix64(keys: key, 4)
        let dx = Int(generator.next(upperBound: UInt64(2 * k + 1))) - k
        let dy = Int(generator.next(upperBound: UInt64(2 * k + 1))) - k
        return (dx, dy)
    }

    @Test func shiftMovesABrightPixel() {
        let augmentation = Augmentation(shift: 2, fillValue: -1)
        var seen = Set<[Int]>()
        for sampleIndex in 0..<200 {
            let key = SampleKeys.key(seed: 1, epoch: 0, sampleIndex: sampleIndex)
            var image = [Float](repeating: 0, count: 25)
            image[2 * 5 + 2] = 1  // pixel (y 2, x 2) of a 5×5 image
            image.withUnsafeMutableBufferPointer { augmentation.apply(to: $0.baseAddress!, sampleShape: [1, 5, 5], key: key) }
            let (dx, dy) = documentedShift(key: key, k: 2)
            seen.insert([dx, dy])
            #expect(image[(2 + dy) * 5 + (2 + dx)] == 1)
            #expect(image.filter { $0 == 1 }.count == 1)
            // Vacated pixels hold the fill value: 25 − (5 − |dx|)(5 − |dy|) of them.
            #expect(image.filter { $0 == -1 }.count == 25 - (5 - abs(dx)) * (5 - abs(dy)))
        }
        #expect(seen.count == 25)  // every shift in −2…2 × −2…2 occurred
    }

    @Test func shiftMovesEveryChannelAlike() {
        // Values v(c, y, x) = 100c + 10y + x in a 2×4×4 image.
        let augmentation = Augmentation(shift: 3, fillValue: -7)
        for sampleIndex in 0..<50 {
            let key = SampleKeys.key(seed: 9, epoch: 2, sampleIndex: sampleIndex)
            var image = [Float](repeating: 0, count: 32)
            for c in 0..<2 { for y in 0..<4 { for x in 0..<4 { image[c * 16 + y * 4 + x] = Float(100 * c + 10 * y + x) } } }
            image.withUnsafeMutableBufferPointer { augmentation.apply(to: $0.baseAddress!, sampleShape: [2, 4, 4], key: key) }
            let (dx, dy) = documentedShift(key: key, k: 3)
            for c in 0..<2 { for y in 0..<4 { for x in 0..<4 {
                let sy = y - dy, sx = x - dx
                let inside = (0..<4).contains(sy) && (0..<4).contains(sx)
                let expected: Float = inside ? Float(100 * c + 10 * sy + sx) : -7
                #expect(image[c * 16 + y * 4 + x] == expected, "dx \(dx) dy \(dy) at (\(c), \(y), \(x))")
            } } }
        }
    }

    @Test func flipMirrorsRows() {
        let augmentation = Augmentation(flip: true)
        var flips = 0
        for sampleIndex in 0..<400 {
            let key = SampleKeys.key(seed: 3, epoch: 1, sampleIndex: sampleIndex)
            var image: [Float] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]  // [2, 2, 3]
            image.withUnsafeMutableBufferPointer { augmentation.apply(to: $0.baseAddress!, sampleShape: [2, 2, 3], key: key) }
            var generator = SplitMix64(keys: key, 4)
            if generator.next() & 1 == 1 {
                flips += 1
                #expect(image == [3, 2, 1, 6, 5, 4, 9, 8, 7, 12, 11, 10])
            } else {
                #expect(image == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
            }
        }
        #expect(flips > 160 && flips < 240)  // probability ½
    }

    @Test func noiseHasTheRequestedStd() {
        let augmentation = Augmentation(noise: 0.5)
        var sample = [Float](repeating: 2, count: 20000)
        sample.withUnsafeMutableBufferPointer { augmentation.apply(to: $0.baseAddress!, sampleShape: [20000], key: 42) }
        let mean = sample.reduce(0.0) { $0 + Double($1) } / 20000
        let variance = sample.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / 20000
        #expect(abs(mean - 2) < 0.02)                  // 4σ/√n ≈ 0.014
        #expect(abs(variance.squareRoot() - 0.5) < 0.015)
    }

    @Test func deterministicPerKeyAndIndependentOfBatchPosition() {
        let augmentation = Augmentation(shift: 1, flip: true, noise: 0.1, fillValue: -0.5)
        let base = (0..<18).map(Float.init)  // [2, 3, 3]
        func augmented(_ key: UInt64) -> [Float] {
            var x = base
            x.withUnsafeMutableBufferPointer { augmentation.apply(to: $0.baseAddress!, sampleShape: [2, 3, 3], key: key) }
            return x
        }
        #expect(augmented(11) == augmented(11))
        #expect(augmented(11) != augmented(12))
        // In a batch, row r depends only on keys[r].
        var batch = base + base
        var keys: [UInt64] = [12, 11]
        batch.withUnsafeMutableBufferPointer { buffer in
            keys.withUnsafeMutableBufferPointer { k in
                augmentation.apply(to: Matrix(base: buffer.baseAddress!, rows: 2, columns: 18), sampleShape: [2, 3, 3],
                                   keys: UnsafePointer(k.baseAddress!))
            }
        }
        #expect(Array(batch[0..<18]) == augmented(12))
        #expect(Array(batch[18...]) == augmented(11))
    }

    @Test func shiftAndFlipNeedImages() throws {
        expectDataError(.configuration, mentioning: ["[C, H, W]", "[10]", "noise"]) {
            try Augmentation(shift: 2).validate(sampleShape: [10])
        }
        expectDataError(.configuration, mentioning: ["[C, H, W]"]) {
            try Augmentation(flip: true).validate(sampleShape: [10])
        }
        expectDataError(.configuration, mentioning: ["smaller than the image", "found 4"]) {
            try Augmentation(shift: 4).validate(sampleShape: [1, 4, 4])
        }
        try Augmentation(noise: 0.1).validate(sampleShape: [10])
        try Augmentation(shift: 2, flip: true).validate(sampleShape: [1, 28, 28])
    }
}
