import Foundation

/// Chooses the communicator for this process: MPI when a launcher started it as part of a
/// job (`mpirun`, `srun --mpi=pmix`), a ``LocalCommunicator`` when it runs alone.
///
/// Detection reads the variables launchers set: `OMPI_COMM_WORLD_SIZE` (Open MPI's mpirun),
/// `PMIX_RANK` (PMIx, Slurm), `PMI_SIZE` (PMI-1/2). A process started without them never
/// initialises MPI, so a single rank needs no MPI runtime at all.
public enum World {
    /// True when the environment says this process is a rank of an MPI job.
    public static var launchedByMPI: Bool {
        let environment = ProcessInfo.processInfo.environment
        return ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE"].contains { environment[$0] != nil }
    }

    /// The communicator for this process (MPI when launched by an MPI launcher).
    public static func makeCommunicator() throws -> Communicator {
        launchedByMPI ? try MPICommunicator() : LocalCommunicator()
    }
}
