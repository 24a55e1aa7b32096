/// An error from a collective operation.
public enum DistributedError: Error, CustomStringConvertible {
    /// An MPI call returned `code` (not MPI_SUCCESS); `message` is MPI's own text for it.
    case mpi(call: String, code: Int32, message: String, file: String, line: Int)
    /// Ranks disagree where they must agree (for example a parameter checksum or a config hash).
    case replicasDiffer(String)
    /// A collective was called with arguments that cannot work (for example a bad root rank).
    case invalidArgument(String)

    public var description: String {
        switch self {
        case let .mpi(call, code, message, file, line):
            return "\(call) failed with MPI error \(code): \(message) (\(file):\(line))"
        case let .replicasDiffer(text):
            return "replicas differ: \(text)"
        case let .invalidArgument(text):
            return text
        }
    }
}
