/// Decides when validation loss says to stop, and remembers the best evaluation.
///
/// - ``EarlyStoppingCriterion/patience(patience:minDelta:)``: stop when the loss has not
///   improved by more than `minDelta` for `patience` evaluations in a row.
/// - ``EarlyStoppingCriterion/gl(alpha:)`` (Prechelt 1998, "Early Stopping — But When?"):
///   generalisation loss GL(t) = 100·(E_va(t)/E_opt(t) − 1), with E_opt the lowest validation
///   loss so far; stop when GL(t) > α.
/// - ``EarlyStoppingCriterion/none``: never stop (the best evaluation is still tracked).
///
/// Saved in checkpoints as JSON with the keys `criterion` (the YAML spelling), `patience`,
/// `minDelta`, `alpha` (5, 0 and 5 when the criterion does not use them), `bestLoss`,
/// `bestStep` and `evaluationsWithoutImprovement`.
public struct EarlyStopping: Equatable, Sendable, Codable {
    /// The rule and its options.
    public let criterion: EarlyStoppingCriterion
    /// Lowest validation loss so far (+∞ before the first evaluation).
    public private(set) var bestLoss: Double = .infinity
    /// The update count at which ``bestLoss`` was seen (−1 before the first evaluation).
    public private(set) var bestStep: Int = -1
    /// Evaluations in a row without an improvement by more than `minDelta` (`patience` only).
    public private(set) var evaluationsWithoutImprovement = 0

    /// - Parameter criterion: the rule and its options.
    public init(criterion: EarlyStoppingCriterion) {
        self.criterion = criterion
    }

    /// The result of one validation: whether it is a new best, and whether to stop.
    public struct Decision: Equatable, Sendable {
        /// The loss is the lowest so far (the best weights are taken).
        public var improved: Bool
        /// Training stops here.
        public var stop: Bool
        /// Why, when it stops.
        public var reason: String?

        /// A decision as taken.
        public init(improved: Bool, stop: Bool, reason: String?) {
            self.improved = improved
            self.stop = stop
            self.reason = reason
        }
    }

    /// Records validation loss `loss` at update `step`.
    public mutating func observe(loss: Double, step: Int) -> Decision {
        let previousBest = bestLoss
        let improved = loss < bestLoss
        if improved {
            bestLoss = loss
            bestStep = step
        }
        switch criterion {
        case let .patience(patience, minDelta):
            evaluationsWithoutImprovement = loss < previousBest - minDelta ? 0 : evaluationsWithoutImprovement + 1
            if evaluationsWithoutImprovement >= patience {
                return Decision(improved: improved, stop: true,
                                reason: "validation loss did not improve for \(patience) evaluations (best \(bestLoss) at step \(bestStep))")
            }
        case let .gl(alpha):
            let generalisationLoss = 100 * (loss / bestLoss - 1)
            if generalisationLoss > alpha {
                return Decision(improved: improved, stop: true,
                                reason: "generalisation loss GL = \(generalisationLoss) > α = \(alpha) (best \(bestLoss) at step \(bestStep))")
            }
        case .none:
            break
        }
        return Decision(improved: improved, stop: false, reason: nil)
    }

    // MARK: - Checkpoint form (unchanged from when the criterion was a string)

    private enum CodingKeys: String, CodingKey {
        case criterion, patience, minDelta, alpha, bestLoss, bestStep, evaluationsWithoutImprovement
    }

    /// Reads the checkpoint form described on the type.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let patience = try container.decode(Int.self, forKey: .patience)
        let minDelta = try container.decode(Double.self, forKey: .minDelta)
        let alpha = try container.decode(Double.self, forKey: .alpha)
        switch try container.decode(String.self, forKey: .criterion) {
        case "patience": criterion = .patience(patience: patience, minDelta: minDelta)
        case "gl": criterion = .gl(alpha: alpha)
        default: criterion = .none
        }
        bestLoss = try container.decode(Double.self, forKey: .bestLoss)
        bestStep = try container.decode(Int.self, forKey: .bestStep)
        evaluationsWithoutImprovement = try container.decode(Int.self, forKey: .evaluationsWithoutImprovement)
    }

    /// Writes the checkpoint form described on the type.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        var patience = 5, minDelta = 0.0, alpha = 5.0  // the config defaults of unused options
        switch criterion {
        case let .patience(count, delta): (patience, minDelta) = (count, delta)
        case let .gl(threshold): alpha = threshold
        case .none: break
        }
        try container.encode(criterion.description, forKey: .criterion)
        try container.encode(patience, forKey: .patience)
        try container.encode(minDelta, forKey: .minDelta)
        try container.encode(alpha, forKey: .alpha)
        try container.encode(bestLoss, forKey: .bestLoss)
        try container.encode(bestStep, forKey: .bestStep)
        try container.encode(evaluationsWithoutImprovement, forKey: .evaluationsWithoutImprovement)
    }
}
