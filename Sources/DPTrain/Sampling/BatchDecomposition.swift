/// B = W × K × m (DESIGN §3.1): a global batch B split over W ranks, each computing K
/// micro-batches of m samples, with K derived.
public struct BatchDecomposition: Equatable, Sendable, CustomStringConvertible {
    /// Global batch B.
    public let global: Int
    /// Ranks W.
    public let worldSize: Int
    /// Micro-batch m.
    public let micro: Int
    /// Accumulation steps K = B / (W·m).
    public let accumulation: Int

    /// Derives K, or throws naming B, W and m and suggesting valid choices.
    public init(global: Int, worldSize: Int, micro: Int) throws {
        let perStep = worldSize * micro
        guard global % perStep == 0 else {
            throw BatchError.notDivisible(global: global, worldSize: worldSize, micro: micro,
                                          suggestions: BatchDecomposition.suggestions(global: global, worldSize: worldSize, micro: micro))
        }
        self.global = global
        self.worldSize = worldSize
        self.micro = micro
        self.accumulation = global / perStep
    }

    /// Nearby valid choices: micro-batches that divide B/W, and global batches that W·m divides.
    static func suggestions(global: Int, worldSize: Int, micro: Int) -> String {
        var parts: [String] = []
        if global % worldSize == 0 {
            let perRank = global / worldSize
            let divisors = (1...perRank).filter { perRank % $0 == 0 }
            let near = divisors.sorted { abs($0 - micro) < abs($1 - micro) }.prefix(3).sorted()
            parts.append("batch.micro in {\(near.map(String.init).joined(separator: ", "))}")
        }
        // The multiples of W·m on either side of B (only the one above when B < W·m).
        let step = worldSize * micro
        let below = global / step * step, above = below + step
        parts.append(below > 0 ? "batch.global = \(below) or \(above)" : "batch.global = \(above)")
        return parts.joined(separator: ", or ")
    }

    /// "B = 256 = W 2 × K 1 × m 128".
    public var description: String {
        "B = \(global) = W \(worldSize) × K \(accumulation) × m \(micro)"
    }
}

/// Batch sizes that cannot be split over the ranks.
public enum BatchError: Error, CustomStringConvertible, Equatable {
    /// B is not a multiple of W·m; `suggestions` names valid choices.
    case notDivisible(global: Int, worldSize: Int, micro: Int, suggestions: String)
    /// B is larger than the training set.
    case globalExceedsDataset(global: Int, samples: Int)

    /// The message, with valid choices.
    public var description: String {
        switch self {
        case let .notDivisible(global, worldSize, micro, suggestions):
            return "global batch \(global) does not split into \(worldSize) ranks × micro-batch \(micro) "
                + "(\(global) is not a multiple of \(worldSize * micro)); choose \(suggestions)"
        case let .globalExceedsDataset(global, samples):
            return "global batch \(global) is larger than the training set (\(samples) samples); "
                + "use batch.global ≤ \(samples) (B = N is full-batch gradient descent)"
        }
    }
}
