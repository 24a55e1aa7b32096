/// The options of one `optimizer.name` choice besides the keys every optimizer reads (`lr`,
/// `weight_decay`, `l1`): parsed once from the config by the optimizer's own file (for example
/// ``SGD/Options``), then turned into the optimizer.
public protocol OptimizerOptions: Equatable, Sendable {
    /// μ, the momentum of the noise-scale metric g = ε·N/(B(1 − μ)) (DESIGN §3.7): the
    /// optimizer's momentum where it has one, else 0 (the default).
    var momentum: Double { get }
    /// The optimizer for P = `parameterCount` parameters with weight decay λ and L1 coefficient l1.
    func makeOptimizer(parameterCount: Int, weightDecay: Float, l1: Float) -> any Optimizer
}

extension OptimizerOptions {
    /// 0: no momentum.
    public var momentum: Double { 0 }

    /// Whether `other` holds the same options (options of different optimizers never match).
    public func isEqual(to other: any OptimizerOptions) -> Bool {
        (other as? Self) == self
    }
}
