/// The samples of one optimizer step: positions `start ..< start + count` of epoch e's
/// permutation π_e (DESIGN §3.3). `count` is B, or less for a short final batch of an epoch
/// (`data.drop_last: false`).
public struct StepBatch {
    /// The epoch e whose permutation the samples come from.
    public let epoch: Int
    /// The cursor c: samples of π_e used by earlier steps of this epoch.
    public let start: Int
    /// Samples in this step (the real B that every gradient is divided by, DESIGN §3.2).
    public let count: Int
    /// π_e.
    let order: [Int32]

    /// The dataset index of position `position` (0 ..< count) of the batch: π_e[c + position].
    public func sampleIndex(at position: Int) -> Int { Int(order[start + position]) }

    /// Positions of slot `slot` (m samples each; rank r computes slots r·K … r·K+K−1); slots
    /// past a short batch's end are empty.
    public func slot(_ slot: Int, micro: Int) -> Range<Int> {
        EpochSampler.slotRange(slot: slot, micro: micro, batchCount: count)
    }
}
