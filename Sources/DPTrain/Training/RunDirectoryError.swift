import Foundation

/// Problems with the run directory (config key `output`): each names the path and the fix.
public enum RunDirectoryError: Error, CustomStringConvertible, Equatable {
    /// A file in the run directory cannot be created or opened for writing.
    case notWritable(path: String)
    /// `output` names an existing file that is not a directory.
    case notADirectory(path: String)
    /// A write failed with the system's reason (for example "No space left on device").
    case writeFailed(path: String, reason: String)
    /// `output` cannot be a run directory (checked before anything is written): empty, a
    /// directory without write permission, or missing parents that cannot be created.
    case unusableOutput(path: String, reason: String)
    /// The previous run could not be moved aside (nothing was changed).
    case cannotMoveAside(path: String, destination: String, reason: String)

    public var description: String {
        switch self {
        case let .notWritable(path):
            return "cannot write \(path): check that the run directory (config key 'output') is writable and the disk is not full"
        case let .writeFailed(path, reason):
            return "cannot write \(path): \(reason). Free space or choose another 'output'; nothing was lost: "
                + "files already written are complete, and running the same command again continues from the newest checkpoint"
        case let .notADirectory(path):
            return "config key 'output' is \(path), which exists and is not a directory: choose another 'output' path "
                + "(the run directory is created if missing)"
        case let .unusableOutput(path, reason):
            return "config key 'output' ('\(path)') cannot be used as the run directory: \(reason). Set output=DIR to a "
                + "directory you can write (created if missing; the default is runs/<name>); nothing was written"
        case let .cannotMoveAside(path, destination, reason):
            return "cannot move the previous run \(path) aside to \(destination): \(reason). Nothing was changed; make "
                + "the directory above it writable, or choose another 'output'"
        }
    }
}
