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
        let norm = VectorMath.sumOfSquares(base, count: store.count).squareRoot()
        clip(base, count: store.count, norm: norm, maxNorm: maxNorm)
        return Float(norm)
    }

    /// Scales `count` gradient elements by s = maxNorm / (N + 1e-6) when s < 1, N = `norm`
    /// being the global norm already measured (of the whole gradient, which these elements
    /// may be one rank's block of). Nothing when N is not finite.
    public static func clip(_ gradients: UnsafeMutablePointer<Float>, count: Int, norm: Double, maxNorm: Float) {
        precondition(maxNorm >= 0, "Invalid max_norm value: \(maxNorm)")
        guard norm.isFinite else { return }
        let scale = Double(maxNorm) / (norm + 1e-6)
        if scale < 1 {
            let factor = Float(scale)
            for i in 0..<count { gradients[i] *= factor }
        }
    }
}
