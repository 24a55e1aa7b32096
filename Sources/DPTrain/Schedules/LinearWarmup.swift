/// Gradual warmup in front of any schedule (Goyal et al. 2017).
///
/// For t < T_w the rate moves linearly from η_start to the wrapped schedule's value *at the
/// same t*; from T_w on it is the wrapped schedule, unshifted:
///
///     t < T_w:  η(t) = η_start + (inner(t) − η_start) · t / T_w
///     t ≥ T_w:  η(t) = inner(t)
///
/// So η(0) = η_start and η is continuous at T_w (inclusive: inner's value applies at t = T_w).
/// The inner schedule keeps its own clock, so a milestone at epoch 30 is still at epoch 30.
/// Goyal et al. warm up from the base-batch rate η to kη over 5 epochs: use η_start = η and
/// an inner schedule starting at kη.
///
/// Reference: Goyal et al., "Accurate, Large Minibatch SGD: Training ImageNet in 1 Hour",
/// 2017, https://arxiv.org/abs/1706.02677
public struct LinearWarmup: LearningRateSchedule {
    /// The schedule after warmup.
    public var inner: any LearningRateSchedule
    /// T_w ≥ 0 (epochs or updates). 0 disables warmup.
    public var duration: Double
    /// η_start, the rate at t = 0. Default 0.
    public var startLearningRate: Double

    /// - Parameters:
    ///   - inner: the schedule after (and the target during) warmup.
    ///   - duration: T_w ≥ 0.
    ///   - startLearningRate: η_start, default 0.
    public init(_ inner: any LearningRateSchedule, duration: Double, startLearningRate: Double = 0) {
        precondition(duration >= 0, "Invalid warmup duration: \(duration)")
        self.inner = inner
        self.duration = duration
        self.startLearningRate = startLearningRate
    }

    /// η(t) as documented on the type.
    public func learningRate(at progress: Double) -> Double {
        let target = inner.learningRate(at: progress)
        guard progress < duration else { return target }
        let t = max(progress, 0)
        return startLearningRate + (target - startLearningRate) * (t / duration)
    }
}
