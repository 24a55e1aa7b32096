/// A fully connected layer with an optional bias and a fused activation:
///
///     Z = X·Wᵀ + b        Y = f(Z)
///
/// Shapes (n = rows of the micro-batch): X `n × in`, W `[out, in]` row-major (as PyTorch,
/// MLX and llm.c store it), b `[out]`, Z and Y `n × out`.
///
/// Forward is one ``gemm(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)`` with
/// `transposeB` followed by one pass per output row that adds b and applies f while the row
/// is in cache (in place, Y over Z, when f′ needs Y alone). Backward, given dY = ∂L/∂Y:
///
///     dZ = dY ⊙ f′(Z)      row by row, each row added into db while in cache:
///     db += Σ_rows dZ
///     dW += dZᵀ·X          (gemm, beta = 1)
///     dX  = dZ·W           (skipped when `needsInputGradient` is false)
///
/// Parameters are named `"\(name).weight"` (role `.weight`, decayed) and `"\(name).bias"`
/// (role `.bias`, not decayed).
public final class Dense: Layer {
    /// The layer's name, `<kind>.<position>`; prefixes its parameters (``Layer/name``).
    public let name: String
    /// Per-sample input shape.
    public let inputShape: [Int]
    /// Per-sample output shape, `[out]`.
    public let outputShape: [Int]
    /// The fused nonlinearity f.
    public let activation: Activation
    /// Whether the layer has the bias b.
    public let usesBias: Bool
    /// How W is initialised (fanIn = in, fanOut = out).
    public let weightInitializer: Initializer
    /// How b is initialised.
    public let biasInitializer: Initializer
    /// Whether backward computes dX (``Sequential`` clears it where dX is never used).
    public var needsInputGradient = true

    // MARK: - Bound parameters
    private var weightSlice: ParameterSlice?
    private var biasSlice: ParameterSlice?
    private var store: ParameterStore?

    // MARK: - Caches of the last forward (n = its row count)
    /// X, `n × in`: a view of the caller's input; it must stay valid until `backward`.
    private var input: Matrix?
    /// Z = X·Wᵀ + b, `n × out`; only kept apart from Y when f′ needs Z
    /// (``Activation/derivativeNeedsPreActivation``), else Y overwrites it.
    private let preActivation = FloatBuffer()
    /// Y = f(Z), `n × out`.
    private let output = FloatBuffer()
    /// dZ, `n × out` (unused for the identity, where dZ = dY).
    private let preActivationGradient = FloatBuffer()
    /// dX, `n × in`.
    private let inputGradient = FloatBuffer()

    /// Creates a dense layer `in → out`.
    ///
    /// - Parameters:
    ///   - name: parameter prefix, by convention `dense.<position in the model>`.
    ///   - inputSize: `in`, features per input sample.
    ///   - outputSize: `out`, units.
    ///   - activation: fused f (default `.identity`).
    ///   - usesBias: whether to add b (default true).
    ///   - weightInitializer: default `.xavierUniform()` (Keras's `glorot_uniform`); use
    ///     `.heNormal()` before ReLU.
    ///   - biasInitializer: default `.zeros`.
    public init(name: String, inputSize: Int, outputSize: Int, activation: Activation = .identity,
                usesBias: Bool = true, weightInitializer: Initializer = .xavierUniform(),
                biasInitializer: Initializer = .zeros) {
        precondition(inputSize > 0 && outputSize > 0, "Dense \(name): sizes must be positive")
        self.name = name
        self.inputShape = [inputSize]
        self.outputShape = [outputSize]
        self.activation = activation
        self.usesBias = usesBias
        self.weightInitializer = weightInitializer
        self.biasInitializer = biasInitializer
    }

    /// `"\(name).weight"` `[out, in]` and, with a bias, `"\(name).bias"` `[out]`.
    public var parameterSpecs: [ParameterSpec] {
        var specs = [ParameterSpec(name: "\(name).weight", shape: [outputSize, inputSize], role: .weight)]
        if usesBias { specs.append(ParameterSpec(name: "\(name).bias", shape: [outputSize], role: .bias)) }
        return specs
    }

    /// Finds `"\(name).weight"` (and `"\(name).bias"`) in `store`; precondition: present.
    public func bind(to store: ParameterStore) {
        guard let weight = store.slice(named: "\(name).weight") else {
            preconditionFailure("Dense \(name): the store has no \(name).weight")
        }
        weightSlice = weight
        if usesBias {
            guard let bias = store.slice(named: "\(name).bias") else {
                preconditionFailure("Dense \(name): the store has no \(name).bias")
            }
            biasSlice = bias
        }
        self.store = store
    }

    /// W from ``weightInitializer`` (fanIn = in, fanOut = out), then b from
    /// ``biasInitializer``, drawing from `generator` in that order.
    public func initializeParameters(in store: ParameterStore, generator: inout SplitMix64) {
        guard let weight = store.slice(named: "\(name).weight") else {
            preconditionFailure("Dense \(name): the store has no \(name).weight")
        }
        weightInitializer.fill(pointer: store.values(of: weight), count: weight.count,
                               fanIn: inputSize, fanOut: outputSize, generator: &generator)
        if usesBias, let bias = store.slice(named: "\(name).bias") {
            biasInitializer.fill(pointer: store.values(of: bias), count: bias.count,
                                 fanIn: inputSize, fanOut: outputSize, generator: &generator)
        }
    }

    /// Y = f(X·Wᵀ + b): X `n × in` → Y `n × out` (a view of a buffer this layer owns).
    public func forward(_ input: Matrix, context: PassContext) -> Matrix {
        guard let store, let weightSlice else { preconditionFailure("Dense \(name): forward before bind(to:)") }
        precondition(input.columns == inputSize,
                     "Dense \(name): input has \(input.columns) columns, expected \(inputSize)")
        let n = input.rows, inputs = inputSize, outputs = outputSize
        self.input = input
        let y = output.matrix(rows: n, columns: outputs)
        let z = keepsPreActivation ? preActivation.matrix(rows: n, columns: outputs) : y
        gemm(transposeA: .none, transposeB: .transposed, m: n, n: outputs, k: inputs,
             a: input.base, lda: inputs, b: store.values(of: weightSlice), ldb: inputs,
             beta: 0, c: z.base, ldc: outputs)
        let bias = biasSlice.map { UnsafePointer(store.values(of: $0)) }
        if activation.isIdentity {
            if let bias {
                for row in 0..<n {
                    let r = y.base + row * outputs
                    for j in 0..<outputs { r[j] += bias[j] }
                }
            }
        } else {
            activation.forward(preActivation: z.base, bias: bias, output: y.base, rows: n, columns: outputs)
        }
        return y
    }

    /// Whether Z is kept apart from Y for backward (f′ needs Z).
    private var keepsPreActivation: Bool { !activation.isIdentity && activation.derivativeNeedsPreActivation }

    /// Writes dW and db on a micro-step that does not accumulate (β = 0 and a bias reset).
    public var overwritesParameterGradients: Bool { true }

    /// Given dY (`n × out`), adds dW and db into the store's gradients and returns dX
    /// (`n × in`, owned by this layer), or a `0 × in` matrix when `needsInputGradient` is false.
    public func backward(_ outputGradient: Matrix, context: PassContext) -> Matrix {
        guard let store, let weightSlice, let input else {
            preconditionFailure("Dense \(name): backward without forward")
        }
        let n = input.rows, inputs = inputSize, outputs = outputSize
        precondition(outputGradient.rows == n && outputGradient.columns == outputs,
                     "Dense \(name): gradient is \(outputGradient.rows)×\(outputGradient.columns), expected \(n)×\(outputs)")
        // dZ = dY ⊙ f′(Z) row by row, and db += Σ_rows dZ while the row is in cache
        // (db = … when not accumulating).
        let accumulates = context.accumulatesGradients
        let db = biasSlice.map { store.gradients(of: $0) }
        if let db, !accumulates { db.update(repeating: 0, count: outputs) }
        let dZ: UnsafePointer<Float>
        if activation.isIdentity {
            dZ = UnsafePointer(outputGradient.base)
        } else {
            let buffer = preActivationGradient.matrix(rows: n, columns: outputs)
            let z = keepsPreActivation ? preActivation.base : output.base
            for row in 0..<n {
                let offset = row * outputs
                activation.backward(preActivation: z + offset, output: output.base + offset,
                                    outputGradient: outputGradient.base + offset,
                                    inputGradient: buffer.base + offset, count: outputs)
                if let db { Dense.add(buffer.base + offset, into: db, count: outputs) }
            }
            dZ = UnsafePointer(buffer.base)
        }
        if activation.isIdentity, let db {
            for row in 0..<n { Dense.add(dZ + row * outputs, into: db, count: outputs) }
        }
        // dW += dZᵀ·X   ([out, n]·[n, in] = [out, in]); dW = … when not accumulating (β = 0)
        gemm(transposeA: .transposed, transposeB: .none, m: outputs, n: inputs, k: n,
             a: dZ, lda: outputs, b: input.base, ldb: inputs,
             beta: accumulates ? 1 : 0, c: store.gradients(of: weightSlice), ldc: inputs)
        guard needsInputGradient else {
            return Matrix(base: inputGradient.base, rows: 0, columns: inputs)
        }
        // dX = dZ·W   ([n, out]·[out, in] = [n, in])
        let dX = inputGradient.matrix(rows: n, columns: inputs)
        gemm(transposeA: .none, transposeB: .none, m: n, n: inputs, k: outputs,
             a: dZ, lda: outputs, b: store.values(of: weightSlice), ldb: inputs,
             beta: 0, c: dX.base, ldc: inputs)
        return dX
    }

    /// sum[j] += row[j] for j in 0 ..< count.
    @inline(__always)
    private static func add(_ row: UnsafePointer<Float>, into sum: UnsafeMutablePointer<Float>, count: Int) {
        for j in 0..<count { sum[j] += row[j] }
    }
}
