import Foundation
import Testing
import DPTrain

/// Real multi-process tests: `mpirun` on the built binary's hidden `test-collectives`
/// subcommand, which checks exact all-reduce sums for 1, 1000 and 2^21+3 floats, broadcast
/// from rank 0, scalar sum/max/min and a byte broadcast, and asserts the world size.
@Suite("MPI collectives", .serialized)
struct CollectivesTests {
    @Test("all-reduce, broadcast and scalar reductions are exact on every rank",
          arguments: [2, 4])
    func collectives(ranks: Int) throws {
        let result = try CommandRunner.mpirun(ranks: ranks,
            ["test-collectives", "--expect-world", String(ranks), "--sizes", "1,1000,2097155"], timeout: 120)
        #expect(!result.timedOut)
        #expect(result.status == 0, "mpirun output:\n\(result.combined)")
        for rank in 0..<ranks {
            #expect(result.output.contains("rank \(rank) of \(ranks): collectives ok (sizes 1,1000,2097155)"))
        }
        // The same reduce-scatter and all-gather through a node-shared window: the message
        // path's bits, 64-byte-aligned segments.
        #expect(result.output.contains("shared memory: reduce-scatter and all-gather bit-identical (sizes 1,1000,2097155)"))
    }

    @Test("the self-test notices a world size it did not expect")
    func wrongWorldSizeFails() throws {
        let result = try CommandRunner.mpirun(ranks: 2, ["test-collectives", "--expect-world", "3"], timeout: 60)
        #expect(!result.timedOut)
        #expect(result.status != 0)
        #expect(result.error.contains("expected a world of 3 ranks, found 2"))
    }

    @Test("one failing rank ends the whole job with one message, no hang",
          arguments: [(2, 1), (2, 0), (4, 3)])
    func failingRankAbortsJob(ranks: Int, failing: Int) throws {
        let result = try CommandRunner.mpirun(ranks: ranks,
            ["test-collectives", "--expect-world", String(ranks), "--fail-rank", String(failing)], timeout: 60)
        #expect(!result.timedOut, "the job hung instead of aborting")
        #expect(result.status != 0)
        let message = "deliberate failure on rank \(failing)"
        #expect(result.error.components(separatedBy: message).count - 1 == 1,
                "expected the message exactly once:\n\(result.error)")
        #expect(!result.output.contains("collectives ok"))
    }

    @Test("a single process runs without MPI")
    func singleProcess() throws {
        let result = try CommandRunner.dptrain(["test-collectives", "--expect-world", "1", "--sizes", "1,1000"])
        #expect(result.status == 0, "\(result.combined)")
        #expect(result.output.contains("rank 0 of 1: collectives ok"))
    }
}

@Suite("Local communicator")
struct LocalCommunicatorTests {
    @Test func identityCollectives() throws {
        let communicator = LocalCommunicator()
        let buffer = ParameterStore.allocate(3)
        defer { buffer.baseAddress?.deallocate() }
        buffer[0] = 1; buffer[1] = 2; buffer[2] = 3
        try communicator.allReduceSum(buffer)
        try communicator.broadcast(buffer, root: 0)
        #expect(Array(buffer) == [1, 2, 3])
        var values = [1.5, -2]
        try communicator.allReduceMax(&values)
        #expect(values == [1.5, -2])
        #expect(throws: DistributedError.self) { try communicator.broadcast(buffer, root: 1) }
    }
}
