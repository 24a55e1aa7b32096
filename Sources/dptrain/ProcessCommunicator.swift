import DPTrain
import Foundation

/// The command line's communicator: the library's (``MPICommunicator`` or
/// ``LocalCommunicator``) with an ``abort(code:)`` that always ends this process — the one
/// place where the program exits on a job-wide failure, since the library never does.
///
/// - On the main thread (an error reached ``CollectiveRun``): `MPI_Abort` ends every rank when
///   there are several, then `exit(code)` (one rank: there is no other to end).
/// - On another thread (the ``Watchdog`` of a stuck rank, whose main thread may be blocked
///   inside an MPI call that must not be entered twice): `_exit(code)` at once; the MPI
///   launcher then ends the other ranks.
///
/// Every collective is forwarded unchanged.
final class ProcessCommunicator: Communicator {
    /// The library's communicator.
    let base: Communicator

    init(base: Communicator) { self.base = base }

    /// The MPI communicator underneath, for MPI-only features (non-blocking all-reduce,
    /// finalize); nil for a local job.
    var mpi: MPICommunicator? { base as? MPICommunicator }

    var rank: Int { base.rank }
    var worldSize: Int { base.worldSize }
    func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws { try base.allReduceSum(buffer) }
    func reduceScatterSum(_ buffer: UnsafeBufferPointer<Float>, into result: UnsafeMutableBufferPointer<Float>,
                          counts: [Int]) throws {
        try base.reduceScatterSum(buffer, into: result, counts: counts)
    }
    func allGather(_ buffer: UnsafeMutableBufferPointer<Float>, counts: [Int]) throws {
        try base.allGather(buffer, counts: counts)
    }
    func allReduceSum(_ values: inout [Double]) throws { try base.allReduceSum(&values) }
    func allReduceMax(_ values: inout [Double]) throws { try base.allReduceMax(&values) }
    func allReduceMin(_ values: inout [Double]) throws { try base.allReduceMin(&values) }
    func broadcast(_ buffer: UnsafeMutableBufferPointer<Float>, root: Int) throws { try base.broadcast(buffer, root: root) }
    func broadcast(bytes: inout [UInt8], root: Int) throws { try base.broadcast(bytes: &bytes, root: root) }
    func barrier() throws { try base.barrier() }
    func wallTime() -> Double { base.wallTime() }
    func allocateShared(count: Int) throws -> SharedMemoryAllocation { try base.allocateShared(count: count) }

    /// Ends the job and this process with `code` (see the type's documentation).
    func abort(code: Int32) -> Never {
        guard Thread.isMainThread else { _exit(code) }
        if base.worldSize > 1 { try? base.abort(code: code) }
        exit(code)
    }
}
