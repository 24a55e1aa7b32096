import Foundation

/// Why a file could not be read, in words a user can act on — instead of Foundation's
/// "The operation could not be completed" (`NSCocoaErrorDomain` error 256).
///
///     no such file | it is a directory, not a file | permission denied (…) | <the system's reason>
public enum FileReadProblem {
    /// The reason reading `path` failed with `error`, checked against the file system.
    public static func describe(_ path: String, error: Error) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return "no such file" }
        if isDirectory.boolValue { return "it is a directory, not a file" }
        if !FileManager.default.isReadableFile(atPath: path) {
            return "permission denied (check the file's permissions and owner)"
        }
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if nsError.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(nsError.code))) }
        return nsError.localizedDescription
    }
}
