/// The outcome of ``Communicator/allocateShared(count:)``: a node-shared buffer, or why there is
/// none (the same outcome on every rank), in which case the caller keeps its private buffers
/// and the collectives use MPI messages.
public enum SharedMemoryAllocation {
    /// Allocated: `count` floats per rank.
    case allocated(SharedMemoryBuffer)
    /// Not available, for the human-readable `reason` (several nodes, a small /dev/shm, one rank…).
    case unavailable(reason: String)
}
