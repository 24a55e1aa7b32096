import DPTrain
import Foundation

// Naive Double implementations of every loss, from the textbook (not the numerically stable)
// formulas, per sample: ℓ(y, t) for one row and its analytic gradient ∂ℓ/∂y.

public enum LossKind: String, Sendable, CaseIterable {
    case meanSquaredError, meanAbsoluteError, binaryCrossEntropyWithLogits, binaryCrossEntropy,
         softmaxCrossEntropy

    public func make() -> any Loss {
        switch self {
        case .meanSquaredError: return MeanSquaredError()
        case .meanAbsoluteError: return MeanAbsoluteError()
        case .binaryCrossEntropyWithLogits: return BinaryCrossEntropyWithLogits()
        case .binaryCrossEntropy: return BinaryCrossEntropy()
        case .softmaxCrossEntropy: return SoftmaxCrossEntropy()
        }
    }

    /// Whether outputs are probabilities in (0, 1) rather than unbounded scores.
    public var takesProbabilities: Bool { self == .binaryCrossEntropy }

    /// ℓ for one row.
    public func referenceLoss(_ y: [Double], _ t: [Double]) -> Double {
        let c = Double(y.count)
        switch self {
        case .meanSquaredError:
            return zip(y, t).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / c
        case .meanAbsoluteError:
            return zip(y, t).reduce(0) { $0 + abs($1.0 - $1.1) } / c
        case .binaryCrossEntropyWithLogits:
            return zip(y, t).reduce(0) { sum, pair in
                let p = 1 / (1 + exp(-pair.0))
                return sum - (pair.1 * log(p) + (1 - pair.1) * log(1 - p))
            } / c
        case .binaryCrossEntropy:
            return zip(y, t).reduce(0) { sum, pair in
                sum - (pair.1 * max(log(pair.0), -100) + (1 - pair.1) * max(log(1 - pair.0), -100))
            } / c
        case .softmaxCrossEntropy:
            let total = y.reduce(0) { $0 + exp($1) }
            return zip(y, t).reduce(0) { $0 - $1.1 * log(exp($1.0) / total) }
        }
    }

    /// ∂ℓ/∂y for one row.
    public func referenceGradient(_ y: [Double], _ t: [Double]) -> [Double] {
        let c = Double(y.count)
        switch self {
        case .meanSquaredError:
            return zip(y, t).map { 2 * ($0 - $1) / c }
        case .meanAbsoluteError:
            return zip(y, t).map { ($0 > $1 ? 1 : ($0 < $1 ? -1 : 0)) / c }
        case .binaryCrossEntropyWithLogits:
            return zip(y, t).map { (1 / (1 + exp(-$0)) - $1) / c }
        case .binaryCrossEntropy:
            return zip(y, t).map { p, target in (-target / p + (1 - target) / (1 - p)) / c }
        case .softmaxCrossEntropy:
            let total = y.reduce(0) { $0 + exp($1) }
            let mass = t.reduce(0, +)
            return zip(y, t).map { exp($0) / total * mass - $1 }
        }
    }

    /// Whether row y counts as correct for class `label` out of c = y.count columns.
    public func referenceCorrect(_ y: [Double], label: Int) -> Bool {
        if y.count == 1 {
            switch self {
            case .meanSquaredError, .meanAbsoluteError: return abs(y[0] - Double(label)) < 0.5
            case .binaryCrossEntropyWithLogits: return (y[0] > 0) == (label == 1)
            case .binaryCrossEntropy: return (y[0] > 0.5) == (label == 1)
            case .softmaxCrossEntropy: return label == 0
            }
        }
        let best = y.indices.max { a, b in y[a] < y[b] || (y[a] == y[b] && a > b) }!
        return best == label
    }
}

/// The target row the losses use for class labels: one-hot for c > 1, the label for c = 1.
public func referenceTarget(label: Int, columns: Int) -> [Double] {
    columns == 1 ? [Double(label)] : (0..<columns).map { $0 == label ? 1 : 0 }
}
