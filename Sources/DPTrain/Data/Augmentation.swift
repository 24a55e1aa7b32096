/// On-the-fly, per-sample data augmentation of training inputs (`data.augment`).
///
/// Each sample draws its random numbers from
/// `SplitMix64(keys: sampleKey, RandomStream.augmentation.rawValue)`, where `sampleKey` is
/// ``SampleKeys/key(seed:epoch:sampleIndex:)``; so a sample is augmented identically whatever
/// rank, micro-step or batch position computes it (DESIGN §3.3). Draws happen in this order,
/// each only when its option is enabled:
///
///  1. `shift > 0`: dx then dy, each uniform in `-shift ... shift` (`nextInt(below: 2·shift + 1) − shift`).
///     Pixel (y, x) moves to (y + dy, x + dx) in every channel; pixels moved out are lost and
///     vacated pixels take ``fillValue``.
///  2. `flip`: one draw `next() & 1`; 1 mirrors every row (x → W − 1 − x), after the shift.
///  3. `noise > 0`: one `nextNormal()` per feature in row-major `[C, H, W]` order, scaled by
///     `noise` and added (noise is in normalised units, after shift and flip).
///
/// Shift and flip need image samples of shape `[C, H, W]`; noise works for any shape.
/// Augmentation runs after normalisation, so ``fillValue`` is *the normalised value of a raw 0
/// pixel* (`Normalizer.normalizedValue(of: 0)`; ≈ −0.81 for standardised Fashion-MNIST), i.e.
/// shifted-in borders are black background as in the raw images.
public struct Augmentation: Equatable, Sendable {
    /// Maximum shift in pixels along x and y (0: no shift).
    public var shift: Int
    /// Mirror horizontally with probability ½.
    public var flip: Bool
    /// Standard deviation of additive Gaussian noise (0: none).
    public var noise: Float
    /// Value written into pixels vacated by a shift (normalised background).
    public var fillValue: Float

    /// - Parameters:
    ///   - shift: maximum shift in pixels (default 0).
    ///   - flip: random horizontal flip (default false).
    ///   - noise: Gaussian noise σ (default 0).
    ///   - fillValue: background value for vacated pixels (default 0).
    public init(shift: Int = 0, flip: Bool = false, noise: Float = 0, fillValue: Float = 0) {
        precondition(shift >= 0 && noise >= 0, "shift and noise must be ≥ 0")
        self.shift = shift
        self.flip = flip
        self.noise = noise
        self.fillValue = fillValue
    }

    /// Whether any option is on (if not, skip the augmentation entirely).
    public var isEnabled: Bool { shift > 0 || flip || noise > 0 }

    /// Checks that the options suit samples of `sampleShape`.
    /// - Throws: ``DataError`` `.configuration` when shift or flip is asked for on samples that
    ///   are not `[C, H, W]` images, or the shift is not smaller than the image.
    public func validate(sampleShape: [Int]) throws {
        if shift > 0 || flip {
            guard sampleShape.count == 3 else {
                throw DataError(.configuration, file: "", problem: "data.augment.shift/flip need image samples",
                                expected: "samples of shape [C, H, W]", found: "shape \(sampleShape)",
                                hint: "for tabular data use only data.augment.noise (set shift: 0, flip: false)")
            }
            guard shift < min(sampleShape[1], sampleShape[2]) else {
                throw DataError(.configuration, file: "", problem: "data.augment.shift is too large",
                                expected: "a shift smaller than the image (\(sampleShape[1])×\(sampleShape[2]))",
                                found: "\(shift)", hint: "use a few pixels, for example shift: 2")
            }
        }
    }

    /// Augments every row of `batch` in place; row r uses key `keys[r]`.
    ///
    /// - Parameters:
    ///   - batch: `rows × product(sampleShape)` samples.
    ///   - sampleShape: `[C, H, W]` (or any shape when only noise is on).
    ///   - keys: `batch.rows` per-sample keys from ``SampleKeys``.
    public func apply(to batch: Matrix, sampleShape: [Int], keys: UnsafePointer<UInt64>) {
        guard isEnabled else { return }
        for r in 0..<batch.rows {
            apply(to: batch.row(r), sampleShape: sampleShape, key: keys[r])
        }
    }

    /// Augments one sample in place (allocation-free).
    ///
    /// - Parameters:
    ///   - sample: `product(sampleShape)` floats.
    ///   - key: the sample's key from ``SampleKeys/key(seed:epoch:sampleIndex:)``.
    public func apply(to sample: UnsafeMutablePointer<Float>, sampleShape: [Int], key: UInt64) {
        var generator = SplitMix64(keys: key, RandomStream.augmentation.rawValue)
        if shift > 0 || flip {
            precondition(sampleShape.count == 3, "shift/flip need [C, H, W] samples (call validate(sampleShape:))")
            let channels = sampleShape[0], height = sampleShape[1], width = sampleShape[2]
            if shift > 0 {
                let dx = generator.nextInt(below: 2 * shift + 1) - shift
                let dy = generator.nextInt(below: 2 * shift + 1) - shift
                if dx != 0 || dy != 0 {
                    for c in 0..<channels {
                        Augmentation.translate(sample + c * height * width, height: height, width: width,
                                               dx: dx, dy: dy, fill: fillValue)
                    }
                }
            }
            if flip && generator.next() & 1 == 1 {
                for rowIndex in 0..<(channels * height) {
                    let row = sample + rowIndex * width
                    var i = 0, j = width - 1
                    while i < j { let t = row[i]; row[i] = row[j]; row[j] = t; i += 1; j -= 1 }
                }
            }
        }
        if noise > 0 {
            let count = sampleShape.reduce(1, *)
            let sigma = Double(noise)
            for i in 0..<count { sample[i] += Float(sigma * generator.nextNormal()) }
        }
    }

    /// Moves pixel (y, x) to (y + dy, x + dx) in one `height × width` plane, in place: rows and
    /// columns are visited so that every source is read before it is overwritten.
    static func translate(_ plane: UnsafeMutablePointer<Float>, height: Int, width: Int, dx: Int, dy: Int, fill: Float) {
        func move(_ y: Int) {
            let sy = y - dy
            let destination = plane + y * width
            guard sy >= 0 && sy < height else {
                destination.update(repeating: fill, count: width)
                return
            }
            let source = plane + sy * width
            if dx > 0 {
                var x = width - 1
                while x >= dx { destination[x] = source[x - dx]; x -= 1 }
                for x in 0..<min(dx, width) { destination[x] = fill }
            } else {
                var x = 0
                while x < width + dx { destination[x] = source[x - dx]; x += 1 }
                for x in max(width + dx, 0)..<width { destination[x] = fill }
            }
        }
        if dy > 0 {
            var y = height - 1
            while y >= 0 { move(y); y -= 1 }
        } else {
            for y in 0..<height { move(y) }
        }
    }
}
