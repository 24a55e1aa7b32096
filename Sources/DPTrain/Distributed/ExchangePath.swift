/// How the ranks of a run exchange the gradient and the parameters (the run banner's
/// `exchange:` line and `dptrain bench`'s `exchange` field).
///
/// With the sharded optimizer update on one node (``sharedMemory``) the reduce-scatter of ∇ and
/// the all-gather of θ read the peers' buffers in an MPI-3 shared window; otherwise
/// (``messages(reason:)``) they are MPI messages. Both give the same floats bit for bit.
public enum ExchangePath: Equatable, Sendable, CustomStringConvertible {
    /// One rank: nothing is exchanged.
    case none
    /// ∇ and θ live in a node-shared window (`train.shared_memory: true`, the default).
    case sharedMemory
    /// MPI messages, for `reason` (`train.shared_memory: false`, several nodes, no room…).
    case messages(reason: String)

    /// `none (one rank)`, `shared memory` or `MPI messages (reason)`.
    public var description: String {
        switch self {
        case .none: return "none (one rank)"
        case .sharedMemory: return "shared memory"
        case let .messages(reason): return "MPI messages (\(reason))"
        }
    }

    /// The bench JSON's value: `none`, `shared_memory` or `messages`.
    public var key: String {
        switch self {
        case .none: return "none"
        case .sharedMemory: return "shared_memory"
        case .messages: return "messages"
        }
    }
}
