import Foundation

/// Layer normalisation (Ba et al. 2016): each sample is normalised over all its elements,
/// then scaled and shifted elementwise (PyTorch `LayerNorm(normalized_shape = sample shape)`):
///
///     μ = mean(x)   σ² = mean((x − μ)²)   x̂ = (x − μ)/√(σ² + ε)   y = γ ⊙ x̂ + β
///
/// Shapes: X, Y `n × D` with D = product of the sample shape; γ, β of the sample shape.
/// The same in training and evaluation. Backward, with g = ∂L/∂y and means over the D
/// elements of the sample:
///
///     dγ += Σ_samples g ⊙ x̂    dβ += Σ_samples g
///     dx = (γ ⊙ g − mean(γ ⊙ g) − x̂ · mean(γ ⊙ g ⊙ x̂)) / √(σ² + ε)
///
/// Parameters `"\(name).weight"` γ (role `.normScale`, init 1) and `"\(name).bias"` β
/// (`.normShift`, init 0), not decayed.
public final class LayerNorm: Layer {
    /// The layer's name, `<kind>.<position>`; prefixes its parameters (``Layer/name``).
    public let name: String
    /// Per-sample input shape.
    public let inputShape: [Int]
    /// Per-sample output shape: the input shape.
    public var outputShape: [Int] { inputShape }
    /// ε added to the variance.
    public let epsilon: Double
    /// Whether backward computes dX (``Sequential`` clears it where dX is never used).
    public var needsInputGradient = true

    private var scaleSlice: ParameterSlice?
    private var shiftSlice: ParameterSlice?
    private var store: ParameterStore?

    /// x̂, `n × D`.
    private let normalized = FloatBuffer()
    /// Y, `n × D`.
    private let output = FloatBuffer()
    /// dX, `n × D`.
    private let inputGradient = FloatBuffer()
    /// 1/√(σ² + ε) per sample of the last forward.
    private var inverseStd: [Double] = []
    private var rows = -1

    /// - Parameters:
    ///   - name: parameter prefix, by convention `layernorm.<position in the model>`.
    ///   - shape: per-sample shape (input = output = shape of γ and β).
    ///   - epsilon: ε > 0, default 1e-5.
    public init(name: String, shape: [Int], epsilon: Double = 1e-5) {
        precondition(!shape.isEmpty && shape.allSatisfy { $0 > 0 } && epsilon > 0,
                     "LayerNorm \(name): positive shape and epsilon required")
        self.name = name
        self.inputShape = shape
        self.epsilon = epsilon
    }

    /// γ `"\(name).weight"` and β `"\(name).bias"`, each of the sample shape.
    public var parameterSpecs: [ParameterSpec] {
        [ParameterSpec(name: "\(name).weight", shape: inputShape, role: .normScale),
         ParameterSpec(name: "\(name).bias", shape: inputShape, role: .normShift)]
    }

    /// Finds γ and β in `store`; precondition: present.
    public func bind(to store: ParameterStore) {
        guard let scale = store.slice(named: "\(name).weight"), let shift = store.slice(named: "\(name).bias") else {
            preconditionFailure("LayerNorm \(name): the store has no \(name).weight / \(name).bias")
        }
        scaleSlice = scale
        shiftSlice = shift
        self.store = store
    }

    /// γ = 1, β = 0 (draws nothing).
    public func initializeParameters(in store: ParameterStore, generator: inout SplitMix64) {
        guard let scale = store.slice(named: "\(name).weight"), let shift = store.slice(named: "\(name).bias") else {
            preconditionFailure("LayerNorm \(name): the store has no \(name).weight / \(name).bias")
        }
        store.values(of: scale).update(repeating: 1, count: scale.count)
        store.values(of: shift).update(repeating: 0, count: shift.count)
    }

    /// Y = γ ⊙ x̂ + β per sample, `n × D` (a view of a buffer this layer owns).
    public func forward(_ input: Matrix, context: PassContext) -> Matrix {
        guard let store, let scaleSlice, let shiftSlice else { preconditionFailure("LayerNorm \(name): not bound") }
        precondition(input.columns == inputSize, "LayerNorm \(name): input has \(input.columns) columns, expected \(inputSize)")
        let n = input.rows, d = inputSize
        let γ = store.values(of: scaleSlice), β = store.values(of: shiftSlice)
        rows = n
        if inverseStd.count < n { inverseStd = Array(repeating: 0, count: n) }
        let xhat = normalized.matrix(rows: n, columns: d), y = output.matrix(rows: n, columns: d)
        for sample in 0..<n {
            let x = input.base + sample * d, xh = xhat.base + sample * d, yr = y.base + sample * d
            var sum = 0.0
            for j in 0..<d { sum += Double(x[j]) }
            let μ = sum / Double(d)
            var squares = 0.0
            for j in 0..<d { let v = Double(x[j]) - μ; squares += v * v }
            let scale = 1 / (squares / Double(d) + epsilon).squareRoot()
            inverseStd[sample] = scale
            let μf = Float(μ), sf = Float(scale)
            for j in 0..<d {
                let v = (x[j] - μf) * sf
                xh[j] = v
                yr[j] = γ[j] * v + β[j]
            }
        }
        return y
    }

    /// Given dY (`n × D`), adds dγ, dβ and returns dX (`n × D`, or `0 × D`).
    public func backward(_ outputGradient: Matrix, context: PassContext) -> Matrix {
        guard let store, let scaleSlice, let shiftSlice else { preconditionFailure("LayerNorm \(name): not bound") }
        precondition(rows >= 0, "LayerNorm \(name): backward without forward")
        precondition(outputGradient.rows == rows && outputGradient.columns == inputSize,
                     "LayerNorm \(name): gradient shape does not match the last forward")
        let n = rows, d = inputSize
        let γ = store.values(of: scaleSlice)
        let dγ = store.gradients(of: scaleSlice), dβ = store.gradients(of: shiftSlice)
        for sample in 0..<n {
            let g = outputGradient.base + sample * d, xh = normalized.base + sample * d
            for j in 0..<d {
                dγ[j] += g[j] * xh[j]
                dβ[j] += g[j]
            }
        }
        guard needsInputGradient else { return Matrix(base: inputGradient.base, rows: 0, columns: d) }
        let dX = inputGradient.matrix(rows: n, columns: d)
        for sample in 0..<n {
            let g = outputGradient.base + sample * d, xh = normalized.base + sample * d, dx = dX.base + sample * d
            var sumG = 0.0, sumGX = 0.0
            for j in 0..<d {
                let v = Double(γ[j]) * Double(g[j])
                sumG += v
                sumGX += v * Double(xh[j])
            }
            let meanG = Float(sumG / Double(d)), meanGX = Float(sumGX / Double(d))
            let scale = Float(inverseStd[sample])
            for j in 0..<d { dx[j] = scale * (γ[j] * g[j] - meanG - xh[j] * meanGX) }
        }
        return dX
    }
}
