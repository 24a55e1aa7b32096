/// Which training samples each optimizer step uses, and which of them this rank computes
/// (DESIGN §3.3) — the one place that decides what forms step t.
///
/// Each epoch e draws one permutation π_e of 0 ..< N from (seed, e) (the identity when not
/// shuffling). A step at cursor c takes π_e[c ..< c+B]. Those B samples are cut into W·K slots
/// of m consecutive samples; rank r computes slots r·K … r·K+K−1. The sample order therefore
/// depends on (seed, epoch, B) only, never on W or K, and nothing is padded. When fewer than B
/// samples are left, the epoch ends (`drop_last`, the default) or the step is short.
///
/// The position (epoch e, cursor c) lives in ``TrainingState`` (it is checkpointed); the
/// sampler keeps only π_e for the epoch it was last asked about.
public struct EpochSampler {
    /// N, training samples.
    public let sampleCount: Int
    /// The run's seed (with the epoch, the permutation's key).
    public let seed: UInt64
    /// Whether epochs are shuffled (`data.shuffle`); false keeps the file order.
    public let shuffle: Bool
    /// Whether a short final batch is dropped (true) or trained on (false).
    public let dropLast: Bool
    /// The permutation of ``epoch``.
    public private(set) var order: [Int32]
    /// The epoch ``order`` belongs to (a cache key; the run's epoch is ``TrainingState/epoch``).
    public private(set) var epoch: Int

    /// A sampler over N samples, holding π of `epoch`.
    public init(sampleCount: Int, seed: UInt64, shuffle: Bool, dropLast: Bool = true, epoch: Int = 0) {
        self.sampleCount = sampleCount
        self.seed = seed
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.epoch = -1
        self.order = []
        startEpoch(epoch)
    }

    /// The next step's samples for a global batch of `batch` at `state`'s position, or nil when
    /// the epoch has too few samples left: then `state` moves to the start of the next epoch
    /// (the caller re-reads its schedules there, since progress changed).
    public mutating func nextBatch(of batch: Int, at state: inout TrainingState) -> StepBatch? {
        var count = batch
        if state.cursor + count > sampleCount {
            if dropLast || state.cursor >= sampleCount {
                state.epoch += 1
                state.cursor = 0
                return nil
            }
            count = sampleCount - state.cursor
        }
        startEpoch(state.epoch)
        return StepBatch(epoch: state.epoch, start: state.cursor, count: count, order: order)
    }

    /// Moves `state` past `batch`: c ← c + count, samples ← samples + count.
    public func consume(_ batch: StepBatch, at state: inout TrainingState) {
        state.cursor += batch.count
        state.samples += batch.count
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
