/// The squared norms of this rank's micro-batch gradients on a noise-measurement step
/// (DESIGN §3.7, ``NoiseScaleEstimator``), read off the accumulating gradient buffer.
///
/// Micro-step i adds c_i = (n_i/B)·g_i to ∇ (g_i: the mean gradient of its n_i samples,
/// B: the step's samples), so g_i = (B/n_i)·c_i with c_i = ∇_after − ∇_before, and
///
///     n_i·|g_i|² = (B²/n_i)·|∇_after − ∇_before|²
///
/// ∇_before is 0 for the first micro-step (∇ was zeroed or is overwritten, β = 0) and a copy of
/// ∇ taken after the previous micro-step otherwise: one copy and one pass over ∇ [P] per
/// micro-step, on measurement steps only (no buffer until the first measurement).
final class MicroBatchGradientNorms {
    /// ∇ after the previous micro-step [P] (allocated at the first measurement).
    private let previous = FloatBuffer()
    /// Σ_i n_i·|g_i|² over this rank's micro-batches so far in the step.
    private(set) var weightedNormSquaredSum = 0.0
    /// This rank's micro-batches so far in the step.
    private(set) var count = 0

    /// Starts a step.
    func begin() {
        weightedNormSquaredSum = 0
        count = 0
    }

    /// Records the micro-step that just added its `rows` samples' gradient (scaled by 1/`batch`)
    /// to `gradients`; `first`: ∇ held nothing before it. Keeps a copy of ∇ when `more`
    /// micro-steps of this rank follow.
    func record(gradients: UnsafeMutableBufferPointer<Float>, rows: Int, batch: Int, first: Bool, more: Bool) {
        let count = gradients.count
        let current = gradients.baseAddress!
        let added = first
            ? VectorMath.sumOfSquares(current, count: count)
            : Self.sumOfSquaredDifferences(current, previous.base, count: count)
        let b = Double(batch)
        weightedNormSquaredSum += b * b / Double(rows) * added
        self.count += 1
        if more {
            previous.reserve(count)
            previous.base.update(from: current, count: count)
        }
    }

    /// Σ (x_j − y_j)² in Double over blocks of 16 Float differences.
    static func sumOfSquaredDifferences(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count: Int) -> Double {
        var total = 0.0
        var index = 0
        while index + 16 <= count {
            let difference = UnsafeRawPointer(x + index).loadUnaligned(as: SIMD16<Float>.self)
                - UnsafeRawPointer(y + index).loadUnaligned(as: SIMD16<Float>.self)
            total += Double((difference * difference).sum())
            index += 16
        }
        while index < count {
            let difference = Double(x[index]) - Double(y[index])
            total += difference * difference
            index += 1
        }
        return total
    }
}
