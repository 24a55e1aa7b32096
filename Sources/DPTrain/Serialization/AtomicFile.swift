import Foundation

/// Writes a file so that readers see either the old contents or the complete new ones:
/// write `name.tmp`, fsync it, rename over `name`, fsync the directory.
public enum AtomicFile {
    /// `delayBeforeRename` (seconds, tests only) widens the window between the complete
    /// temporary file and the rename, so a test can kill the process inside it; `killAfterBytes`
    /// (tests only) writes that many bytes of the temporary file, flushes them and ends the
    /// process with SIGKILL, as a crash in the middle of the write would.
    public static func write(_ data: Data, to url: URL, delayBeforeRename: Double = 0, killAfterBytes: Int? = nil) throws {
        let temporary = url.appendingPathExtension("tmp")
        let path = temporary.path
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else {
            throw RunDirectoryError.writeFailed(path: path, reason: String(cString: strerror(errno)))
        }
        var failure: Int32 = 0
        data.withUnsafeBytes { raw in
            var offset = 0
            let end = min(raw.count, killAfterBytes ?? raw.count)
            while offset < end {
                let written = Foundation.write(descriptor, raw.baseAddress! + offset, end - offset)
                if written <= 0 { failure = written < 0 ? errno : ENOSPC; return }
                offset += written
            }
        }
        if failure == 0, fsync(descriptor) != 0 { failure = errno }
        if killAfterBytes != nil { kill(getpid(), SIGKILL) }
        close(descriptor)
        if failure != 0 {
            unlink(path)
            throw RunDirectoryError.writeFailed(path: url.path, reason: String(cString: strerror(failure)))
        }
        if delayBeforeRename > 0 { Thread.sleep(forTimeInterval: delayBeforeRename) }
        guard rename(path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(path)
            throw RunDirectoryError.writeFailed(path: url.path, reason: reason)
        }
        let directory = open(url.deletingLastPathComponent().path, O_RDONLY)
        if directory >= 0 {
            fsync(directory)
            close(directory)
        }
    }
}
