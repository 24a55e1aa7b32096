/// What a loss compares the network's output with.
public enum Targets {
    /// One class index per row, in `0 ..< classes` (classification; one-hot where a loss
    /// needs a vector, for example MSE on class labels).
    case classes(UnsafePointer<Int32>)
    /// A target row per output row (regression, multi-label): same shape as the output.
    case values(Matrix)
}

/// The summed loss and, for classification, the number of correct predictions of a batch.
public struct LossResult: Equatable, Sendable {
    /// Σ_i ℓ_i over the rows (not the mean: the caller divides by the true sample count).
    public var sum: Double
    /// Rows whose arg-max output equals the class label (0 for regression targets).
    public var correct: Int

    public init(sum: Double, correct: Int) {
        self.sum = sum
        self.correct = correct
    }
}

/// A per-sample loss ℓ(y_i, t_i) with its gradient.
///
/// The reduction is DESIGN §3.2: the caller passes `scale = 1 / B` (B = samples in the whole
/// optimizer step, across ranks and micro-steps), the loss writes `scale · ∂ℓ_i/∂y_i` into
/// `gradient`, and the all-reduce then *sums*: the result is the mean gradient of the global
/// batch however it was split.
public protocol Loss {
    /// Config name, for example `softmax_cross_entropy`.
    var name: String { get }
    /// Returns Σ_i ℓ_i for the `n × c` output; if `gradient` (n × c) is given, overwrites it
    /// with `scale · ∂ℓ_i/∂output_i`.
    func evaluate(output: Matrix, targets: Targets, gradient: Matrix?, scale: Float) -> LossResult
}
