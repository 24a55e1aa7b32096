/// Rescaling of the whole gradient so that its Euclidean norm is at most a bound —
/// `torch.nn.utils.clip_grad_norm_` semantics with `norm_type = 2`.
///
///     N = ‖g‖₂ over every element of the store
///     s = maxNorm / (N + 1e-6);  if s < 1: g ← s·g
///
/// Reference: Pascanu, Mikolov & Bengio, "On the difficulty of training recurrent neural
/// networks", ICML 2013, https://arxiv.org/abs/1211.5063
public enum GradientClipping {
    /// Clips `store.gradients` to global norm `maxNorm` and returns the norm N *before*
    /// clipping (as torch does).
    ///
    /// Deviation from torch: when N is not finite the gradients are left unchanged (torch
    /// would multiply them by a NaN or zero factor); the caller sees the non-finite norm and
    /// decides (DESIGN §3.8). N is accumulated in Double.
    @discardableResult
    public static func clipByGlobalNorm(store: ParameterStore, maxNorm: Float) -> Float {
        precondition(maxNorm >= 0, "Invalid max_norm value: \(maxNorm)")
        guard let base = store.gradients.baseAddress, store.count > 0 else { return 0 }
        let norm = sumOfSquares(base, count: store.count).squareRoot()
        guard norm.isFinite else { return Float(norm) }
        let scale = Double(maxNorm) / (norm + 1e-6)
        if scale < 1 {
            let factor = Float(scale)
            for i in 0..<store.count { base[i] *= factor }
        }
        return Float(norm)
    }

    /// Σ xᵢ² over `count` floats, accumulated in Double with four independent sums.
    public static func sumOfSquares(_ pointer: UnsafePointer<Float>, count: Int) -> Double {
        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
        var i = 0
        while i + 4 <= count {
            let a = Double(pointer[i]), b = Double(pointer[i + 1])
            let c = Double(pointer[i + 2]), d = Double(pointer[i + 3])
            s0 += a * a; s1 += b * b; s2 += c * c; s3 += d * d
            i += 4
        }
        while i < count {
            let a = Double(pointer[i])
            s0 += a * a
            i += 1
        }
        return (s0 + s1) + (s2 + s3)
    }
}
