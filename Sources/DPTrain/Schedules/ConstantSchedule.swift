/// A constant learning rate: η(t) = η₀ for every t ≥ 0.
public struct ConstantSchedule: LearningRateSchedule, Sendable, Equatable {
    /// η₀.
    public var learningRate: Double

    /// - Parameter learningRate: η₀.
    public init(learningRate: Double) { self.learningRate = learningRate }

    /// η₀.
    public func learningRate(at progress: Double) -> Double { learningRate }
}
