import DPTrain
import Testing

/// `bench`'s collective timeline: the recorder forwards every call unchanged, and the summary
/// splits each rank's time into work between collectives, waiting for the last rank and the
/// collective itself.
@Suite("Collective timeline")
struct CollectiveTimelineTests {
    private typealias Event = CollectiveTimeline.Event

    @Test("waits, time inside, last arrivals and work between calls follow from the entry and exit times")
    func summary() throws {
        // Two steps of reduce-scatter → scalars → all-gather on 2 ranks. Step 1: rank 1 arrives
        // 3 s late at the reduce-scatter; step 2: rank 0 arrives 1 s late.
        let rank0 = [Event(kind: .reduceScatter, enter: 10, leave: 14), Event(kind: .small, enter: 15, leave: 16),
                     Event(kind: .allGather, enter: 16, leave: 18),
                     Event(kind: .reduceScatter, enter: 25, leave: 27), Event(kind: .small, enter: 28, leave: 29),
                     Event(kind: .allGather, enter: 29, leave: 31)]
        let rank1 = [Event(kind: .reduceScatter, enter: 13, leave: 14), Event(kind: .small, enter: 15, leave: 16),
                     Event(kind: .allGather, enter: 17, leave: 18),
                     Event(kind: .reduceScatter, enter: 24, leave: 27), Event(kind: .small, enter: 28, leave: 29),
                     Event(kind: .allGather, enter: 29, leave: 31)]
        let summary = try #require(CollectiveTimelineSummary(events: [rank0, rank1], steps: 2))
        let scatter = CollectiveTimeline.Kind.reduceScatter.rawValue, gather = CollectiveTimeline.Kind.allGather.rawValue
        // Rank 0 waited 3 s (step 1), rank 1 waited 1 s (step 2): per step 1.5 and 0.5.
        #expect(summary.cells[0][scatter].wait == 1.5)
        #expect(summary.cells[1][scatter].wait == 0.5)
        // Once both were in: 1 s (step 1) and 2 s (step 2) on both ranks.
        #expect(summary.cells[0][scatter].inside == 1.5)
        #expect(summary.cells[1][scatter].inside == 1.5)
        #expect(summary.cells[0][scatter].lastArrivals == 1 && summary.cells[1][scatter].lastArrivals == 1)
        // The all-gather of step 1: rank 1 late by 1 s; step 2 a tie (both count as last).
        #expect(summary.cells[0][gather].wait == 0.5 && summary.cells[1][gather].wait == 0)
        #expect(summary.cells[0][gather].lastArrivals == 1 && summary.cells[1][gather].lastArrivals == 2)
        // Work between calls: rank 0 1+0+7+1+0 = 9 s, rank 1 1+1+6+1+0 = 9 s, over 2 steps.
        #expect(summary.work == [4.5, 4.5])
        #expect(summary.waitPerRank == [2, 0.5])
        // Entry spreads at the gradient's collective: 3 and 1 s.
        #expect(summary.gradientSkewMedian == 3)
    }

    @Test("ranks with different numbers of calls cannot be lined up")
    func mismatchedRanks() {
        let one = [Event(kind: .allReduce, enter: 0, leave: 1)]
        #expect(CollectiveTimelineSummary(events: [one, one + one], steps: 1) == nil)
        #expect(CollectiveTimelineSummary(events: [[], []], steps: 1) == nil)
    }

    @Test("the recorder forwards calls unchanged and records only while recording")
    func recorder() throws {
        let timeline = CollectiveTimeline(base: LocalCommunicator())
        var values = [1.0, 2.0]
        try timeline.allReduceSum(&values)
        #expect(timeline.events.isEmpty)
        timeline.isRecording = true
        let gradient = UnsafeMutableBufferPointer<Float>.allocate(capacity: 4)
        defer { gradient.deallocate() }
        gradient.initialize(repeating: 2)
        let block = UnsafeMutableBufferPointer<Float>.allocate(capacity: 4)
        defer { block.deallocate() }
        try timeline.reduceScatterSum(UnsafeBufferPointer(gradient), into: block, counts: [4])
        try timeline.allGather(block, counts: [4])
        try timeline.allReduceSum(&values)
        #expect(Array(block) == [2, 2, 2, 2])
        #expect(values == [1, 2])
        #expect(timeline.events.map(\.kind) == [.reduceScatter, .allGather, .small])
        #expect(timeline.events.allSatisfy { $0.leave >= $0.enter })
    }
}
