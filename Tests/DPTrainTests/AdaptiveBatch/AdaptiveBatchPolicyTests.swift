import Foundation
import Testing
import DPTrain

/// The adaptive batch decision: B ← max(B, clamp(⌊factor·B_simple/g⌋·g, min, max)) every
/// `every` epochs, its checks against W, m and N, and its state across a resume.
@Suite("Adaptive batch decisions")
struct AdaptiveBatchPolicyTests {
    /// B₀ = 256, m = 64, g = `multipleOf`, on W ranks with N training samples.
    static func policy(_ block: String, world: Int = 2, samples: Int = 60_000) throws -> AdaptiveBatchPolicy {
        let config = try TrainingTestSupport.config("""
            model: {layers: [{dense: 10}]}
            batch: {global: 256, micro: 64, adaptive: \(block)}
            """)
        return try AdaptiveBatchPolicy(config: try #require(config.batch.adaptive), baseBatch: 256, worldSize: world,
                                       micro: 64, sampleCount: samples)
    }

    @Test("rounds down to the largest multiple of multiple_of ≤ factor × B_simple")
    func rounding() throws {
        let policy = try Self.policy("{multiple_of: 128, max: 8192}")
        #expect(policy.chooseBatch(current: 256, bSimple: 1000) == 896)   // ⌊1000/128⌋ = 7
        #expect(policy.chooseBatch(current: 256, bSimple: 1024) == 1024)  // exactly on the grid
        #expect(policy.chooseBatch(current: 256, bSimple: 1023.9) == 896)
        let doubled = try Self.policy("{multiple_of: 128, max: 8192, factor: 2}")
        #expect(doubled.chooseBatch(current: 256, bSimple: 1000) == 1920)  // ⌊2000/128⌋ = 15
        let half = try Self.policy("{multiple_of: 128, max: 8192, factor: 0.5}")
        #expect(half.chooseBatch(current: 256, bSimple: 1000) == 384)      // ⌊500/128⌋ = 3
    }

    @Test("clamped to [min, max]; no usable estimate keeps B")
    func bounds() throws {
        let policy = try Self.policy("{multiple_of: 128, min: 512, max: 2048}")
        #expect(policy.minimum == 512 && policy.maximum == 2048)
        #expect(policy.chooseBatch(current: 256, bSimple: 10) == 512)      // below min
        #expect(policy.chooseBatch(current: 256, bSimple: 1e6) == 2048)    // above max
        #expect(policy.chooseBatch(current: 256, bSimple: 1e300) == 2048)  // beyond Int's range
        #expect(policy.chooseBatch(current: 256, bSimple: nil) == 256)
        #expect(policy.chooseBatch(current: 256, bSimple: .nan) == 256)
        #expect(policy.chooseBatch(current: 256, bSimple: -3) == 256)
        // Default min = batch.global, default max = the largest multiple of g ≤ N.
        let defaults = try Self.policy("{multiple_of: 128}", samples: 1000)
        #expect(defaults.minimum == 256 && defaults.maximum == 896)
    }

    @Test("never decreases")
    func monotone() throws {
        let policy = try Self.policy("{multiple_of: 128, max: 8192}")
        var batch = 256
        var chosen: [Int] = []
        for bSimple in [700.0, 1500, 300, 900, 1600, 4000, 100] {
            batch = policy.chooseBatch(current: batch, bSimple: bSimple)
            chosen.append(batch)
        }
        #expect(chosen == [640, 1408, 1408, 1408, 1536, 3968, 3968])
    }

    @Test("decides once per interval, at the first step at or after each point")
    func timing() throws {
        let policy = try Self.policy("{multiple_of: 128, max: 8192, every: 0.25}")
        var state = policy.initialState
        #expect(state == AdaptiveBatchState(batch: 256, nextDecision: 0.25))
        #expect(!policy.decide(&state, progress: 0.2, bSimple: 2000))
        #expect(state.batch == 256)
        #expect(policy.decide(&state, progress: 0.26, bSimple: 2000))
        #expect(state.batch == 1920 && state.nextDecision == 0.5)
        #expect(!policy.decide(&state, progress: 0.3, bSimple: 5000))
        // A jump over several points (an epoch's dropped tail) decides once and moves past them.
        #expect(policy.decide(&state, progress: 1.1, bSimple: 3000))
        #expect(state.batch == 2944 && state.nextDecision == 1.25)
    }

    /// Decisions at t = 0.25, 0.5, … over a stream of estimates; a copy of the state taken
    /// between two decision points (as a checkpoint holds it) and decoded again continues with
    /// the same decisions as the run that was never stopped.
    @Test("resuming in the middle of an interval takes the same decisions")
    func resumeMidInterval() throws {
        let policy = try Self.policy("{multiple_of: 128, max: 8192, every: 0.25, lr: adascale}")
        let progress = (1...40).map { Double($0) * 0.04 }           // a step every 0.04 epochs
        let estimates = progress.map { 300 + 2000 * $0 * $0 }         // B_simple grows with training
        func run(from start: Int, state initial: AdaptiveBatchState) -> (batches: [Int], state: AdaptiveBatchState) {
            var state = initial
            var batches: [Int] = []
            for index in start..<progress.count {
                policy.decide(&state, progress: progress[index], bSimple: estimates[index])
                policy.advanceClock(&state, samples: state.batch, sampleCount: 60_000, gain: 1.5)
                batches.append(state.batch)
            }
            return (batches, state)
        }
        let whole = run(from: 0, state: policy.initialState)
        #expect(Set(whole.batches).count >= 3, "\(whole.batches)")
        // Stop after step 13 (t = 0.52: past the decision at 0.5, before 0.75).
        var state = policy.initialState
        for index in 0..<13 {
            policy.decide(&state, progress: progress[index], bSimple: estimates[index])
            policy.advanceClock(&state, samples: state.batch, sampleCount: 60_000, gain: 1.5)
        }
        #expect(state.nextDecision == 0.75 && state.batch == whole.batches[12])
        let saved = try JSONEncoder().encode(state)
        let restored = try JSONDecoder().decode(AdaptiveBatchState.self, from: saved)
        #expect(restored == state)
        let resumed = run(from: 13, state: restored)
        #expect(Array(whole.batches[0..<13]) + resumed.batches == whole.batches)
        #expect(resumed.state == whole.state)
    }

    @Test("a grid that W·m does not divide, or bounds beyond N, fail with advice")
    func planErrors() throws {
        #expect(throws: AdaptiveBatchError.gridNotDivisible(multipleOf: 256, worldSize: 3, micro: 64)) {
            try Self.policy("{}", world: 3)
        }
        let message = AdaptiveBatchError.gridNotDivisible(multipleOf: 256, worldSize: 3, micro: 64).description
        #expect(message.contains("multiple of 192") && message.contains("e.g. 768"), "\(message)")
        #expect(throws: AdaptiveBatchError.maximumExceedsDataset(maximum: 8192, samples: 5000)) {
            try Self.policy("{max: 8192}", samples: 5000)
        }
        #expect(throws: AdaptiveBatchError.emptyRange(minimum: 1024, maximum: 768, multipleOf: 256, samples: 1000)) {
            try Self.policy("{min: 1024}", samples: 1000)
        }
    }
}
