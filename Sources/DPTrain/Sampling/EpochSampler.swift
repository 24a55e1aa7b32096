/// Which training samples each optimizer step uses, and which of them this rank computes
/// (DESIGN §3.3).
///
/// Each epoch e draws one permutation π_e of 0 ..< N from (seed, e) (the identity when not
/// shuffling). A step starting at cursor c takes π_e[c ..< c+B]. Those B samples are cut into
/// W·K slots of m consecutive samples; rank r computes slots r·K … r·K+K−1. The sample order
/// therefore depends on (seed, epoch, B) only, never on W or K, and nothing is padded.
public struct EpochSampler {
    public let sampleCount: Int
    public let seed: UInt64
    public let shuffle: Bool
    /// The permutation of the current epoch.
    public private(set) var order: [Int32]
    public private(set) var epoch: Int

    public init(sampleCount: Int, seed: UInt64, shuffle: Bool, epoch: Int = 0) {
        self.sampleCount = sampleCount
        self.seed = seed
        self.shuffle = shuffle
        self.epoch = -1
        self.order = []
        startEpoch(epoch)
    }

    /// Draws π_e (Fisher–Yates with a generator keyed by (seed, shuffle stream, e)).
    public mutating func startEpoch(_ epoch: Int) {
        guard epoch != self.epoch else { return }
        self.epoch = epoch
        order = EpochSampler.permutation(count: sampleCount, seed: seed, epoch: epoch, shuffle: shuffle)
    }

    /// π_e for any epoch.
    public static func permutation(count: Int, seed: UInt64, epoch: Int, shuffle: Bool) -> [Int32] {
        var order = (0..<count).map { Int32($0) }
        guard shuffle, count > 1 else { return order }
        var generator = SplitMix64(keys: seed, RandomStream.shuffle.rawValue, UInt64(epoch))
        for index in stride(from: count - 1, to: 0, by: -1) {
            let other = generator.nextInt(below: index + 1)
            order.swapAt(index, other)
        }
        return order
    }

    /// Positions in the step's batch (0 ..< batchCount) of slot `slot` of m samples. Slots past
    /// a short batch's end are empty.
    public static func slotRange(slot: Int, micro: Int, batchCount: Int) -> Range<Int> {
        let start = min(slot * micro, batchCount)
        let end = min(start + micro, batchCount)
        return start..<end
    }
}
