import Foundation
import MPIShim

/// The communicator over Open MPI's `MPI_COMM_WORLD`, through the `dpt_mpi_*` C shim.
///
/// Not `Sendable`: one instance is owned by the training loop of its process. MPI is
/// initialised in `init` and finalised by ``finalize()``; the error handler is
/// `MPI_ERRORS_RETURN`, so each failing call is thrown as ``DistributedError/mpi``.
public final class MPICommunicator: Communicator {
    public let rank: Int
    public let worldSize: Int

    /// Initialises MPI (once per process) and reads rank and size.
    public init() throws {
        try Self.check(dpt_mpi_init(), "MPI_Init_thread")
        var rank: Int32 = 0
        var size: Int32 = 0
        try Self.check(dpt_mpi_rank(&rank), "MPI_Comm_rank")
        try Self.check(dpt_mpi_size(&size), "MPI_Comm_size")
        self.rank = Int(rank)
        self.worldSize = Int(size)
    }

    public func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        try Self.check(dpt_mpi_allreduce_sum_f32(base, buffer.count), "MPI_Allreduce(float, sum)")
    }

    public func reduceScatterSum(_ buffer: UnsafeBufferPointer<Float>, into result: UnsafeMutableBufferPointer<Float>,
                                 counts: [Int]) throws {
        let blocks = try Self.blockCounts(counts, total: buffer.count, worldSize: worldSize, call: "reduce-scatter")
        guard result.count == counts[rank] else {
            throw DistributedError.invalidArgument(
                "reduce-scatter result holds \(result.count) floats, rank \(rank)'s block has \(counts[rank])")
        }
        guard let source = buffer.baseAddress, buffer.count > 0 else { return }
        var empty: Float = 0  // a valid pointer for an empty block
        try withUnsafeMutablePointer(to: &empty) { emptyBlock in
            try Self.check(dpt_mpi_reduce_scatter_sum_f32(source, result.baseAddress ?? emptyBlock, blocks),
                           "MPI_Reduce_scatter(float, sum)")
        }
    }

    public func allGather(_ buffer: UnsafeMutableBufferPointer<Float>, counts: [Int]) throws {
        let blocks = try Self.blockCounts(counts, total: buffer.count, worldSize: worldSize, call: "all-gather")
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        try Self.check(dpt_mpi_allgather_f32(base, blocks), "MPI_Allgatherv(float)")
    }

    /// `counts` as MPI's `int` array, checked: one per rank, each ≥ 0, summing to `total` ≤ Int32.max.
    private static func blockCounts(_ counts: [Int], total: Int, worldSize: Int, call: String) throws -> [Int32] {
        guard counts.count == worldSize, counts.allSatisfy({ $0 >= 0 }), counts.reduce(0, +) == total,
              total <= Int(Int32.max) else {
            throw DistributedError.invalidArgument(
                "\(call) of \(total) floats with block counts \(counts) in a world of \(worldSize) ranks: "
                + "need one count ≥ 0 per rank summing to the buffer's length (at most \(Int32.max))")
        }
        return counts.map { Int32($0) }
    }

    /// Starts a non-blocking in-place sum of `buffer` (MPI_Iallreduce) and returns at once; at
    /// most one is pending per process, and `buffer` must stay untouched until
    /// ``waitAllReduce()``. Used by `bench`'s overlap probe.
    public func startAllReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        try Self.check(dpt_mpi_iallreduce_sum_f32(base, buffer.count), "MPI_Iallreduce(float, sum)")
    }

    /// MPI_Test on the pending non-blocking all-reduce: gives MPI a chance to progress it;
    /// true once it has completed (or when none is pending).
    public func testAllReduce() throws -> Bool {
        var done: Int32 = 0
        try Self.check(dpt_mpi_iallreduce_test(&done), "MPI_Test")
        return done != 0
    }

    /// Waits for the pending non-blocking all-reduce (MPI_Wait).
    public func waitAllReduce() throws {
        try Self.check(dpt_mpi_iallreduce_wait(), "MPI_Wait")
    }

    public func allReduceSum(_ values: inout [Double]) throws {
        let count = values.count
        try values.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress, count > 0 else { return }
            try Self.check(dpt_mpi_allreduce_sum_f64(base, count), "MPI_Allreduce(double, sum)")
        }
    }

    public func allReduceMax(_ values: inout [Double]) throws {
        let count = values.count
        try values.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress, count > 0 else { return }
            try Self.check(dpt_mpi_allreduce_max_f64(base, count), "MPI_Allreduce(double, max)")
        }
    }

    public func allReduceMin(_ values: inout [Double]) throws {
        let count = values.count
        try values.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress, count > 0 else { return }
            try Self.check(dpt_mpi_allreduce_min_f64(base, count), "MPI_Allreduce(double, min)")
        }
    }

    public func broadcast(_ buffer: UnsafeMutableBufferPointer<Float>, root: Int) throws {
        try checkRoot(root)
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        try Self.check(dpt_mpi_broadcast_f32(base, buffer.count, Int32(root)), "MPI_Bcast(float)")
    }

    public func broadcast(bytes: inout [UInt8], root: Int) throws {
        try checkRoot(root)
        // Length first, so receivers can size their arrays.
        var length = [Double(bytes.count)]
        if rank != root { length[0] = 0 }
        try allReduceSum(&length)
        let count = Int(length[0])
        if rank != root { bytes = [UInt8](repeating: 0, count: count) }
        try bytes.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress, count > 0 else { return }
            try Self.check(dpt_mpi_broadcast_bytes(base, count, Int32(root)), "MPI_Bcast(bytes)")
        }
    }

    public func barrier() throws {
        try Self.check(dpt_mpi_barrier(), "MPI_Barrier")
    }

    /// MPI_Abort: ends every rank of the job. Throws only if MPI_Abort returns (it should not).
    public func abort(code: Int32) throws -> Never {
        try Self.check(dpt_mpi_abort(code), "MPI_Abort")
        throw DistributedError.invalidArgument("MPI_Abort(\(code)) returned without ending the job")
    }

    public func wallTime() -> Double { dpt_mpi_wtime() }

    /// An MPI-3 shared window of `count` floats per rank (`dpt_mpi_shared_allocate`) when all
    /// ranks run on one node and the shared-memory directory has room; otherwise the reason.
    public func allocateShared(count: Int) throws -> SharedMemoryAllocation {
        var local: UnsafeMutablePointer<Float>?
        var id: Int32 = -1
        var status: Int32 = 0
        var reason = [CChar](repeating: 0, count: 256)
        try Self.check(dpt_mpi_shared_allocate(count, &local, &id, &status, &reason, reason.count),
                       "MPI_Win_allocate_shared")
        guard status == Int32(DPT_SHARED_OK), let local else {
            let text = String(decoding: reason.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return .unavailable(reason: text)
        }
        return .allocated(SharedMemoryBuffer(id: id, local: UnsafeMutableBufferPointer(start: local, count: count),
                                             worldSize: worldSize))
    }

    /// Ends MPI for this process. Call once, after the last collective.
    public func finalize() throws {
        try Self.check(dpt_mpi_finalize(), "MPI_Finalize")
    }

    private func checkRoot(_ root: Int) throws {
        guard (0..<worldSize).contains(root) else {
            throw DistributedError.invalidArgument(
                "broadcast root \(root) does not exist in a world of \(worldSize) ranks")
        }
    }

    /// Turns an MPI return code into a thrown error that names the call and the caller.
    static func check(_ code: Int32, _ call: String,
                      file: String = #fileID, line: Int = #line) throws {
        guard code != 0 else { return }
        var text = [CChar](repeating: 0, count: 512)
        dpt_mpi_error_string(code, &text, text.count)
        let message = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        throw DistributedError.mpi(call: call, code: code, message: message, file: file, line: line)
    }
}
