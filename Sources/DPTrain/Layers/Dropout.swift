/// Inverted dropout: in training each element is kept with probability 1 − p and scaled by
/// 1/(1 − p), so evaluation is the identity and expectations match.
///
/// Shapes: X `n × size` → Y `n × size`, y = x·m, with m ∈ {0, 1/(1 − p)}; backward
/// dX = dY ⊙ m with the same mask. No parameters.
///
/// **Mask determinism (DESIGN §3.3).** Row r uses its own generator
/// `SplitMix64(keys: context.sampleKeys![r], RandomStream.dropout.rawValue, salt)` where
/// `salt` = ``salt(forName:)`` (64-bit FNV-1a of the layer's name). Element j of the row is
/// dropped when the j-th `nextFloat()` of that generator is `< p`. A sample's mask therefore
/// depends only on (seed, epoch, global sample index) through its key, and on the layer —
/// not on its row position, the batch size, the rank or the micro-step.
/// Reference: Srivastava et al. 2014, "Dropout: A Simple Way to Prevent Neural Networks from
/// Overfitting".
public final class Dropout: Layer {
    /// The layer's name, `<kind>.<position>`; prefixes its parameters (``Layer/name``).
    public let name: String
    /// Per-sample input shape.
    public let inputShape: [Int]
    /// Per-sample output shape: the input shape.
    public var outputShape: [Int] { inputShape }
    /// p, the probability of dropping an element, in [0, 1).
    public let rate: Float
    /// Whether backward computes dX (``Sequential`` clears it where dX is never used).
    public var needsInputGradient = true
    /// None: this layer has no parameters.
    public var parameterSpecs: [ParameterSpec] { [] }
    /// Per-layer key mixed into every row's generator: ``salt(forName:)`` of ``name``.
    public let salt: UInt64

    /// m, `n × size`, of the last training forward.
    private let mask = FloatBuffer()
    /// Y, `n × size`.
    private let output = FloatBuffer()
    /// dX, `n × size`.
    private let inputGradient = FloatBuffer()
    /// Rows of the last forward and whether it applied a mask.
    private var rows = -1
    private var masked = false

    /// - Parameters:
    ///   - name: by convention `dropout.<position in the model>`; names the mask stream, so
    ///     two dropout layers of one model need different names (``Sequential`` checks).
    ///   - rate: p in [0, 1).
    ///   - shape: per-sample shape (input = output).
    public init(name: String, rate: Float, shape: [Int]) {
        precondition(rate >= 0 && rate < 1, "Dropout \(name): rate must be in [0, 1), got \(rate)")
        self.name = name
        self.rate = rate
        self.inputShape = shape
        self.salt = Dropout.salt(forName: name)
    }

    /// 64-bit FNV-1a hash of the UTF-8 bytes of `name` (stable across runs and platforms,
    /// unlike `Hasher`).
    public static func salt(forName name: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in name.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return hash
    }

    /// Nothing to bind.
    public func bind(to store: ParameterStore) {}
    /// Nothing to initialise.
    public func initializeParameters(in store: ParameterStore, generator: inout SplitMix64) {}

    /// Training (p > 0): Y = X ⊙ m (own buffer); needs `context.sampleKeys` (one per row).
    /// Evaluation or p = 0: returns `input` itself.
    public func forward(_ input: Matrix, context: PassContext) -> Matrix {
        let size = inputSize
        precondition(input.columns == size, "Dropout \(name): input has \(input.columns) columns, expected \(size)")
        rows = input.rows
        masked = context.training && rate > 0
        guard masked else { return input }
        guard let keys = context.sampleKeys else {
            preconditionFailure("Dropout \(name): training pass without per-sample keys")
        }
        let m = mask.matrix(rows: input.rows, columns: size)
        let y = output.matrix(rows: input.rows, columns: size)
        let p = rate, scale = 1 / (1 - rate), stream = RandomStream.dropout.rawValue
        for row in 0..<input.rows {
            var generator = Dropout.generator(key: keys[row], stream: stream, salt: salt)
            let mr = m.base + row * size, x = input.base + row * size, yr = y.base + row * size
            for j in 0..<size { mr[j] = generator.nextFloat() < p ? 0 : scale }
            for j in 0..<size { yr[j] = x[j] * mr[j] }
        }
        return y
    }

    /// `SplitMix64(keys: key, stream, salt)` without the array the variadic initialiser
    /// allocates (this runs once per row in the hot loop). Same mixing as `init(keys:)`; the
    /// dropout tests pin the equality through their reference masks.
    @inline(__always)
    private static func generator(key: UInt64, stream: UInt64, salt: UInt64) -> SplitMix64 {
        var hash: UInt64 = 0x243F_6A88_85A3_08D3
        hash = SplitMix64.mix(hash ^ SplitMix64.mix(key &+ 0x9E37_79B9_7F4A_7C15))
        hash = SplitMix64.mix(hash ^ SplitMix64.mix(stream &+ 0x9E37_79B9_7F4A_7C15))
        hash = SplitMix64.mix(hash ^ SplitMix64.mix(salt &+ 0x9E37_79B9_7F4A_7C15))
        return SplitMix64(seed: hash)
    }

    /// dX = dY ⊙ m after a training forward; dY itself after an evaluation forward.
    public func backward(_ outputGradient: Matrix, context: PassContext) -> Matrix {
        let size = inputSize
        precondition(rows >= 0, "Dropout \(name): backward without forward")
        precondition(outputGradient.rows == rows && outputGradient.columns == size,
                     "Dropout \(name): gradient shape does not match the last forward")
        guard needsInputGradient else { return Matrix(base: inputGradient.base, rows: 0, columns: size) }
        guard masked else { return outputGradient }
        let dX = inputGradient.matrix(rows: rows, columns: size)
        let count = rows * size, m = mask.base, dy = outputGradient.base, dx = dX.base
        for i in 0..<count { dx[i] = dy[i] * m[i] }
        return dX
    }
}
