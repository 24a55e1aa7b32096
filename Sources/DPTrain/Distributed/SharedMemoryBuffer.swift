import MPIShim

/// `count` floats per rank in an MPI-3 shared-memory window of the node: this rank's own
/// segment (``local``, 64-byte aligned) and read access to every peer's (``segment(of:)``).
///
///     window = W segments of ⌈4·count / 64⌉·64 bytes, segment r owned by rank r
///
/// Made by ``Communicator/allocateShared(count:)`` when every rank of the job runs on one node.
/// The reduce-scatter and all-gather of ``MPICommunicator`` recognise a ``local`` segment and
/// then exchange through memory instead of messages (same floats, bit for bit). Deinit only
/// marks the window released: it is freed collectively at the next allocation or at
/// `MPI_Finalize`, so deinitialisers running in different orders on different ranks cannot
/// deadlock. ``local`` must not be used after ``MPICommunicator/finalize()``.
public final class SharedMemoryBuffer {
    /// This rank's segment, `count` floats, zero-filled when allocated.
    public let local: UnsafeMutableBufferPointer<Float>
    /// The shim's handle of the window.
    let id: Int32
    /// W, the number of segments.
    public let worldSize: Int

    /// Wraps the shim's window `id`, whose segment of this rank is `local`.
    init(id: Int32, local: UnsafeMutableBufferPointer<Float>, worldSize: Int) {
        self.id = id
        self.local = local
        self.worldSize = worldSize
    }

    deinit { dpt_mpi_shared_release(id) }

    /// Rank `rank`'s segment (``local`` for this rank): `local.count` floats that rank writes.
    /// Reading it is safe only between the collectives' fences, after the owner's writes.
    public func segment(of rank: Int) -> UnsafeBufferPointer<Float> {
        precondition((0..<worldSize).contains(rank), "rank \(rank) of a \(worldSize)-rank window")
        return UnsafeBufferPointer(start: dpt_mpi_shared_segment(id, Int32(rank)), count: local.count)
    }
}
