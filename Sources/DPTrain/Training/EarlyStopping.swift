/// Decides when validation loss says to stop, and remembers the best evaluation.
///
/// - `patience`: stop when the loss has not improved by more than `minDelta` for `patience`
///   evaluations in a row.
/// - `gl` (Prechelt 1998, "Early Stopping — But When?"): generalisation loss
///   GL(t) = 100·(E_va(t)/E_opt(t) − 1), with E_opt the lowest validation loss so far; stop
///   when GL(t) > α.
public struct EarlyStopping: Equatable, Sendable, Codable {
    public let criterion: String
    public let patience: Int
    public let minDelta: Double
    public let alpha: Double
    /// Lowest validation loss so far, and the update count at which it was seen.
    public private(set) var bestLoss: Double = .infinity
    public private(set) var bestStep: Int = -1
    public private(set) var evaluationsWithoutImprovement = 0

    public init(criterion: String, patience: Int, minDelta: Double, alpha: Double) {
        self.criterion = criterion
        self.patience = patience
        self.minDelta = minDelta
        self.alpha = alpha
    }

    /// The result of one validation: whether it is a new best, and whether to stop.
    public struct Decision: Equatable, Sendable {
        public var improved: Bool
        public var stop: Bool
        public var reason: String?

        public init(improved: Bool, stop: Bool, reason: String?) {
            self.improved = improved
            self.stop = stop
            self.reason = reason
        }
    }

    /// Records validation loss `loss` at update `step`.
    public mutating func observe(loss: Double, step: Int) -> Decision {
        let improvedByDelta = loss < bestLoss - minDelta
        let improved = loss < bestLoss
        if improved {
            bestLoss = loss
            bestStep = step
        }
        switch criterion {
        case "patience":
            evaluationsWithoutImprovement = improvedByDelta ? 0 : evaluationsWithoutImprovement + 1
            if evaluationsWithoutImprovement >= patience {
                return Decision(improved: improved, stop: true,
                                reason: "validation loss did not improve for \(patience) evaluations (best \(bestLoss) at step \(bestStep))")
            }
        case "gl":
            let generalisationLoss = 100 * (loss / bestLoss - 1)
            if generalisationLoss > alpha {
                return Decision(improved: improved, stop: true,
                                reason: "generalisation loss GL = \(generalisationLoss) > α = \(alpha) (best \(bestLoss) at step \(bestStep))")
            }
        default:
            break
        }
        return Decision(improved: improved, stop: false, reason: nil)
    }
}
