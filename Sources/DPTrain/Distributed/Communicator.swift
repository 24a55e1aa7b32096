/// The collective operations data-parallel training needs, over a group of `worldSize` ranks.
///
/// Two implementations: ``LocalCommunicator`` (one process, no MPI) and ``MPICommunicator``
/// (Open MPI's `MPI_COMM_WORLD`). Every operation is collective: all ranks must call it in
/// the same order with buffers of the same length. Errors are thrown as ``DistributedError``;
/// nothing here exits the process.
public protocol Communicator: AnyObject {
    /// This process's index in `0 ..< worldSize`.
    var rank: Int { get }
    /// Number of ranks W in the job.
    var worldSize: Int { get }
    /// In place: `buffer[i] = Σ_r buffer_r[i]` on every rank, in one collective call
    /// (split into chunks of at most `Int32.max` elements).
    func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws
    /// Reduce-scatter: `result` = Σ_r buffer_r[o ..< o + counts[rank]] with o = Σ_{q<rank} counts[q]
    /// (this rank's block of the element-wise sum; `buffer` is Σ counts floats on every rank,
    /// `result` counts[rank] floats, the two do not overlap). Half of an all-reduce's traffic.
    func reduceScatterSum(_ buffer: UnsafeBufferPointer<Float>, into result: UnsafeMutableBufferPointer<Float>,
                          counts: [Int]) throws
    /// All-gather in place: block r of `buffer` (counts[r] floats at Σ_{q<r} counts[q]) is copied
    /// from rank r to every rank. The other half of an all-reduce's traffic.
    func allGather(_ buffer: UnsafeMutableBufferPointer<Float>, counts: [Int]) throws
    /// In place: element-wise sum over ranks of a few Double scalars.
    func allReduceSum(_ values: inout [Double]) throws
    /// In place: element-wise maximum over ranks.
    func allReduceMax(_ values: inout [Double]) throws
    /// In place: element-wise minimum over ranks.
    func allReduceMin(_ values: inout [Double]) throws
    /// Copies `root`'s buffer into every rank's buffer (same length on every rank).
    func broadcast(_ buffer: UnsafeMutableBufferPointer<Float>, root: Int) throws
    /// Copies `root`'s bytes to every rank; other ranks' arrays are replaced (any length).
    func broadcast(bytes: inout [UInt8], root: Int) throws
    /// Returns once every rank has entered the barrier.
    func barrier() throws
    /// Ends every rank of the job with `code` (MPI_Abort) and does not return. Throws instead
    /// when it cannot: a one-rank ``LocalCommunicator`` has no job beyond its own process, which
    /// only its caller (the command line) may end — the library never exits.
    func abort(code: Int32) throws -> Never
    /// Seconds on a monotonic clock (MPI_Wtime or the system's).
    func wallTime() -> Double
    /// Collective: `count` floats per rank in memory shared by every rank of the node (an MPI-3
    /// shared window), which ``reduceScatterSum(_:into:counts:)`` and ``allGather(_:counts:)``
    /// then exchange through without messages when every rank passes its ``SharedMemoryBuffer/local``;
    /// or why not, the same on every rank. Default: unavailable.
    func allocateShared(count: Int) throws -> SharedMemoryAllocation
}

extension Communicator {
    /// True on rank 0, the rank that prints and writes files.
    public var isRoot: Bool { rank == 0 }

    /// No shared memory: the collectives of this communicator use its own means.
    public func allocateShared(count: Int) throws -> SharedMemoryAllocation {
        .unavailable(reason: "\(type(of: self)) has no shared memory")
    }
}
