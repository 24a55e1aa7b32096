import ArgumentParser
import DPTrain
import Foundation

/// Hidden self-test of the collectives, run by the test suite under `mpirun -np 2` and
/// `-np 4 --oversubscribe`: exact all-reduce sums (blocking and non-blocking) for several buffer sizes, broadcast from
/// rank 0, reduce-scatter and all-gather over the sharded update's (uneven, possibly empty)
/// blocks, scalar sum/max/min, and an optional deliberate failure on one rank. Then the same
/// reduce-scatter and all-gather through node-shared memory (``SharedMemoryBuffer``), which must
/// give the message path's floats bit for bit on sums that round (and 64-byte-aligned segments).
struct TestCollectivesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test-collectives",
        abstract: "Check all-reduce, broadcast and scalar reductions across the job's ranks.",
        shouldDisplay: false)

    @Option(help: "Fail unless the job has exactly this many ranks.")
    var expectWorld: Int

    @Option(help: "Comma-separated buffer sizes (floats) to all-reduce.")
    var sizes: String = "1,1000,2097155"

    @Option(help: "This rank throws an error before the first collective (tests job-wide abort).")
    var failRank: Int?

    func run() throws {
        let sizes = try self.sizes.split(separator: ",").map { text -> Int in
            guard let size = Int(text), size > 0 else {
                throw ValidationError("--sizes: '\(text)' is not a positive integer")
            }
            return size
        }
        try CollectiveRun.run { communicator in
            try check(communicator, sizes: sizes)
        }
    }

    private struct Mismatch: Error, CustomStringConvertible {
        let description: String
    }

    private func check(_ communicator: Communicator, sizes: [Int]) throws {
        let rank = communicator.rank
        let world = communicator.worldSize
        guard world == expectWorld else {
            throw Mismatch(description: "expected a world of \(expectWorld) ranks, found \(world)")
        }
        if failRank == rank {
            throw Mismatch(description: "deliberate failure on rank \(rank) (--fail-rank)")
        }
        for size in sizes {
            // Per-rank values are small integers, so every float sum is exact.
            let buffer = ParameterStore.allocate(size)
            defer { buffer.baseAddress?.deallocate() }
            for index in 0..<size { buffer[index] = Float((rank + 1) * (1 + index % 7)) }
            try communicator.allReduceSum(buffer)
            let rankSum = world * (world + 1) / 2
            for index in 0..<size where buffer[index] != Float(rankSum * (1 + index % 7)) {
                throw Mismatch(description:
                    "all-reduce of \(size) floats: element \(index) is \(buffer[index]), expected \(rankSum * (1 + index % 7))")
            }
            // The non-blocking all-reduce (bench's overlap probe): start, test, wait, same sums.
            if let mpi = (communicator as? ProcessCommunicator)?.mpi {
                for index in 0..<size { buffer[index] = Float((rank + 1) * (1 + index % 5)) }
                try mpi.startAllReduceSum(buffer)
                _ = try mpi.testAllReduce()
                try mpi.waitAllReduce()
                guard try mpi.testAllReduce() else {
                    throw Mismatch(description: "non-blocking all-reduce still pending after MPI_Wait")
                }
                for index in 0..<size where buffer[index] != Float(rankSum * (1 + index % 5)) {
                    throw Mismatch(description:
                        "non-blocking all-reduce of \(size) floats: element \(index) is \(buffer[index]), expected \(rankSum * (1 + index % 5))")
                }
            }
            // Broadcast: rank 0's pattern replaces everyone's.
            for index in 0..<size { buffer[index] = rank == 0 ? Float(index % 1013) : -1 }
            try communicator.broadcast(buffer, root: 0)
            for index in 0..<size where buffer[index] != Float(index % 1013) {
                throw Mismatch(description:
                    "broadcast of \(size) floats: element \(index) is \(buffer[index]), expected \(index % 1013)")
            }
            // Reduce-scatter, then all-gather, over the blocks of a sharded optimizer update.
            let shard = ParameterShard(parameterCount: size, rank: rank, worldSize: world)
            let block = ParameterStore.allocate(shard.range.count)
            defer { block.baseAddress?.deallocate() }
            for index in 0..<size { buffer[index] = Float((rank + 1) * (1 + index % 3)) }
            try communicator.reduceScatterSum(UnsafeBufferPointer(buffer), into: block, counts: shard.counts)
            for (offset, index) in shard.range.enumerated() where block[offset] != Float(rankSum * (1 + index % 3)) {
                throw Mismatch(description: "reduce-scatter of \(size) floats: element \(index) is \(block[offset]), "
                    + "expected \(rankSum * (1 + index % 3))")
            }
            for index in 0..<size { buffer[index] = shard.range.contains(index) ? Float(index % 1009) : -1 }
            try communicator.allGather(buffer, counts: shard.counts)
            for index in 0..<size where buffer[index] != Float(index % 1009) {
                throw Mismatch(description:
                    "all-gather of \(size) floats: element \(index) is \(buffer[index]), expected \(index % 1009)")
            }
        }
        try checkSharedMemory(communicator, sizes: sizes)
        var sums = [Double(rank), 1]
        try communicator.allReduceSum(&sums)
        var maxima = [Double(rank), -Double(rank)]
        try communicator.allReduceMax(&maxima)
        var minima = [Double(rank)]
        try communicator.allReduceMin(&minima)
        guard sums == [Double(world * (world - 1) / 2), Double(world)],
              maxima == [Double(world - 1), 0], minima == [0]
        else {
            throw Mismatch(description: "scalar reductions: sum \(sums), max \(maxima), min \(minima)")
        }
        var bytes: [UInt8] = rank == 0 ? Array("hello from rank 0".utf8) : []
        try communicator.broadcast(bytes: &bytes, root: 0)
        guard String(decoding: bytes, as: UTF8.self) == "hello from rank 0" else {
            throw Mismatch(description: "byte broadcast delivered \(bytes.count) wrong bytes")
        }
        try communicator.barrier()
        print("rank \(rank) of \(world): collectives ok (sizes \(sizes.map(String.init).joined(separator: ",")))")
    }

    /// Reduce-scatter and all-gather of the same data through MPI messages (private buffers)
    /// and through a node-shared window must agree bit for bit; the values are not exact
    /// integers, so the sums round and only the same summation order gives the same bits.
    /// Prints which path was checked (`shared memory` or why not).
    private func checkSharedMemory(_ communicator: Communicator, sizes: [Int]) throws {
        let rank = communicator.rank
        let world = communicator.worldSize
        // A value per (rank, index) whose sums over ranks round differently in different orders.
        func value(_ rank: Int, _ index: Int) -> Float {
            Float(sin(Double(index &* 7919 &+ rank &* 104729) * 0.001)) * Float(1 + (index + rank) % 5) * 1e3
        }
        var checked: [String] = []
        for size in sizes {
            let shard = ParameterShard(parameterCount: size, rank: rank, worldSize: world)
            let gradients = try communicator.allocateShared(count: size)
            let parameters = try communicator.allocateShared(count: size)
            guard case let .allocated(sharedGradients) = gradients, case let .allocated(sharedValues) = parameters else {
                if case let .unavailable(reason) = gradients {
                    if rank == 0 { print("shared memory not checked: \(reason)") }
                }
                return
            }
            for index in 0..<world where UInt(bitPattern: sharedGradients.segment(of: index).baseAddress) % 64 != 0
                || UInt(bitPattern: sharedValues.segment(of: index).baseAddress) % 64 != 0 {
                throw Mismatch(description: "shared window of \(size) floats: rank \(index)'s segment is not 64-byte aligned")
            }
            let privateBuffer = ParameterStore.allocate(size)
            let expected = ParameterStore.allocate(shard.range.count)
            let block = ParameterStore.allocate(shard.range.count)
            defer { [privateBuffer, expected, block].forEach { $0.baseAddress?.deallocate() } }
            for index in 0..<size {
                privateBuffer[index] = value(rank, index)
                sharedGradients.local[index] = value(rank, index)
            }
            try communicator.reduceScatterSum(UnsafeBufferPointer(privateBuffer), into: expected, counts: shard.counts)
            try communicator.reduceScatterSum(UnsafeBufferPointer(sharedGradients.local), into: block, counts: shard.counts)
            for offset in 0..<shard.range.count where block[offset].bitPattern != expected[offset].bitPattern {
                throw Mismatch(description: "shared-memory reduce-scatter of \(size) floats: element "
                    + "\(shard.range.lowerBound + offset) is \(block[offset]), the message path gave \(expected[offset])")
            }
            // All-gather: every rank writes only its own block of its segment.
            for index in 0..<size { sharedValues.local[index] = shard.range.contains(index) ? value(7, index) : -1 }
            try communicator.allGather(sharedValues.local, counts: shard.counts)
            for index in 0..<size where sharedValues.local[index].bitPattern != value(7, index).bitPattern {
                throw Mismatch(description: "shared-memory all-gather of \(size) floats: element \(index) is "
                    + "\(sharedValues.local[index]), expected \(value(7, index))")
            }
            checked.append(String(size))
        }
        if rank == 0 { print("shared memory: reduce-scatter and all-gather bit-identical (sizes \(checked.joined(separator: ",")))") }
    }
}
