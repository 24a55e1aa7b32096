import DPTrain
import Testing

/// The sampler's contract (DESIGN §3.3): one permutation per epoch from (seed, epoch); step t
/// of an epoch takes π_e[t·B ..< t·B + B]; the B samples are cut into W·K slots of m, rank r
/// computing slots r·K … r·K+K−1; so which samples form a step depends on (seed, epoch, B)
/// only, never on W, K or m.
@Suite("Epoch sampler")
struct EpochSamplerTests {
    static func freshState() -> TrainingState {
        TrainingState(evalEvery: 0, checkpointEvery: 0, noise: NoiseScaleEstimator(windowSamples: 1),
                      earlyStopping: EarlyStopping(criterion: .none))
    }

    /// The dataset indices of every step of one epoch (stops at the epoch roll).
    static func epochBatches(_ sampler: inout EpochSampler, batch: Int, state: inout TrainingState) -> [[Int]] {
        let epoch = state.epoch
        var batches: [[Int]] = []
        while state.epoch == epoch {
            guard let step = sampler.nextBatch(of: batch, at: &state) else { break }
            batches.append((0..<step.count).map { step.sampleIndex(at: $0) })
            sampler.consume(step, at: &state)
        }
        return batches
    }

    /// The documented algorithm, written out independently: Fisher–Yates from the last index
    /// down, drawing from SplitMix64 keyed by (seed, shuffle stream, epoch).
    static func referencePermutation(count: Int, seed: UInt64, epoch: Int) -> [Int] {
        var order = Array(0..<count)
        var generator = SplitMix64(keys: seed, RandomStream.shuffle.rawValue, UInt64(epoch))
        var index = count - 1
        while index > 0 {
            order.swapAt(index, generator.nextInt(below: index + 1))
            index -= 1
        }
        return order
    }

    @Test("the permutation is the documented Fisher–Yates draw keyed by (seed, epoch)")
    func permutationFollowsTheDocumentedDraw() {
        for (seed, epoch) in [(UInt64(1), 0), (1, 1), (2, 0), (12345, 7)] {
            let order = EpochSampler.permutation(count: 1000, seed: seed, epoch: epoch, shuffle: true).map(Int.init)
            #expect(order == Self.referencePermutation(count: 1000, seed: seed, epoch: epoch))
            #expect(order.sorted() == Array(0..<1000), "not a permutation")
        }
        let a = EpochSampler.permutation(count: 1000, seed: 1, epoch: 0, shuffle: true)
        #expect(a == EpochSampler.permutation(count: 1000, seed: 1, epoch: 0, shuffle: true), "not deterministic")
        #expect(a != EpochSampler.permutation(count: 1000, seed: 1, epoch: 1, shuffle: true), "epochs must differ")
        #expect(a != EpochSampler.permutation(count: 1000, seed: 2, epoch: 0, shuffle: true), "seeds must differ")
        #expect(EpochSampler.permutation(count: 1000, seed: 1, epoch: 3, shuffle: false).map(Int.init) == Array(0..<1000),
                "shuffle: false keeps the file order")
    }

    @Test("step t takes π_e[t·B …]; with drop_last every sample is used at most once and the tail is dropped",
          arguments: [(100, 10), (103, 10), (7, 3), (64, 64)])
    func stepsTakeConsecutivePermutationSlices(sampleCount: Int, batch: Int) {
        var sampler = EpochSampler(sampleCount: sampleCount, seed: 5, shuffle: true, dropLast: true)
        var state = Self.freshState()
        for epoch in 0..<3 {
            let permutation = Self.referencePermutation(count: sampleCount, seed: 5, epoch: epoch)
            let batches = Self.epochBatches(&sampler, batch: batch, state: &state)
            #expect(batches.count == sampleCount / batch, "epoch \(epoch): \(batches.count) steps")
            for (t, samples) in batches.enumerated() {
                #expect(samples == Array(permutation[(t * batch)..<(t * batch + batch)]), "epoch \(epoch) step \(t)")
            }
            let used = batches.flatMap { $0 }
            #expect(Set(used).count == used.count, "a sample repeated within epoch \(epoch)")
            #expect(used.count == (sampleCount / batch) * batch)
            // The roll: the epoch ends, the cursor restarts, samples count only used ones.
            #expect(state.epoch == epoch + 1 && state.cursor == 0)
            #expect(state.samples == (epoch + 1) * (sampleCount / batch) * batch)
        }
    }

    @Test("drop_last: false trains a short final batch, so every sample is used exactly once per epoch")
    func shortFinalBatch() {
        let (sampleCount, batch) = (103, 10)
        var sampler = EpochSampler(sampleCount: sampleCount, seed: 9, shuffle: true, dropLast: false)
        var state = Self.freshState()
        for epoch in 0..<2 {
            let batches = Self.epochBatches(&sampler, batch: batch, state: &state)
            #expect(batches.map(\.count) == Array(repeating: 10, count: 10) + [3], "epoch \(epoch)")
            #expect(batches.flatMap { $0 } == Self.referencePermutation(count: sampleCount, seed: 9, epoch: epoch))
            #expect(state.epoch == epoch + 1 && state.cursor == 0)
        }
        #expect(state.samples == 2 * sampleCount)
        // Slots of a short batch of 3 with m = 2: [0, 2), [2, 3), then empty ones.
        #expect((0..<4).map { EpochSampler.slotRange(slot: $0, micro: 2, batchCount: 3) } == [0..<2, 2..<3, 3..<3, 3..<3])
    }

    @Test("a sampler rebuilt from a checkpointed state mid-epoch continues with the same batches")
    func resumeMidEpoch() {
        let (sampleCount, batch) = (250, 16)
        var uninterrupted = EpochSampler(sampleCount: sampleCount, seed: 3, shuffle: true)
        var state = Self.freshState()
        var reference: [[Int]] = []
        var resumedBatches: [[Int]] = []
        var saved: TrainingState?
        for t in 0..<60 {  // 15 steps per epoch: crosses three epoch rolls
            if t == 22 { saved = state }
            guard let step = uninterrupted.nextBatch(of: batch, at: &state) else { continue }
            if t >= 22 { reference.append((0..<step.count).map { step.sampleIndex(at: $0) }) }
            uninterrupted.consume(step, at: &state)
        }
        var resumedState = saved!
        #expect(resumedState.epoch == 1 && resumedState.cursor > 0, "the save point must be mid-epoch: \(resumedState)")
        var resumed = EpochSampler(sampleCount: sampleCount, seed: 3, shuffle: true)  // a new process: epoch 0 cached
        for _ in 22..<60 {
            guard let step = resumed.nextBatch(of: batch, at: &resumedState) else { continue }
            resumedBatches.append((0..<step.count).map { step.sampleIndex(at: $0) })
            resumed.consume(step, at: &resumedState)
        }
        #expect(resumedBatches == reference)
        #expect(resumedState == state)
    }

    @Test("the samples of a step are the same for every W, K and m with W·K·m = B; rank r gets slots r·K …")
    func independentOfWorldAndMicroBatch() {
        let batch = 48
        var sampler = EpochSampler(sampleCount: 500, seed: 21, shuffle: true)
        var state = Self.freshState()
        for _ in 0..<12 {
            guard let step = sampler.nextBatch(of: batch, at: &state) else { continue }
            let whole = (0..<step.count).map { step.sampleIndex(at: $0) }
            for (world, micro) in [(1, 48), (1, 6), (2, 24), (2, 4), (3, 16), (4, 3), (8, 6), (16, 1)] {
                let accumulation = batch / (world * micro)
                var computed: [Int] = []
                for rank in 0..<world {
                    let slots = (rank * accumulation)..<(rank * accumulation + accumulation)
                    let mine = slots.flatMap { step.slot($0, micro: micro).map { step.sampleIndex(at: $0) } }
                    #expect(mine.count == accumulation * micro, "W \(world) m \(micro) rank \(rank)")
                    #expect(mine == Array(whole[(rank * accumulation * micro)..<((rank + 1) * accumulation * micro)]))
                    computed += mine
                }
                #expect(computed == whole, "W \(world) K \(accumulation) m \(micro)")
            }
            sampler.consume(step, at: &state)
        }
    }
}
