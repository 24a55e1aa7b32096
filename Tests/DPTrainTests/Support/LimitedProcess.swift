import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a command as a child process under an address-space limit and a time limit, and
/// measures its peak resident set (from `wait4`'s resource usage of that very child).
///
/// The limit is set by `prlimit --as=BYTES -- command …` (util-linux, on every Debian), which
/// execs the command in place, so the waited-for process is the command itself. A hang is
/// killed at the deadline and reported as `timedOut`; an allocation past the limit fails
/// inside the child instead of taking the machine's memory.
enum LimitedProcess {
    struct Result {
        var status: Int32
        /// Killed by a signal (a crash: SIGSEGV, SIGILL from a Swift trap, SIGABRT), or nil.
        var signal: Int32?
        var output: String
        var error: String
        var timedOut: Bool
        /// Peak resident set size of the child in bytes (`ru_maxrss`).
        var peakResidentBytes: Int
        var seconds: Double
    }

    /// Runs `executable arguments` with at most `addressSpace` bytes of virtual memory and
    /// `timeout` seconds; the environment is ``CommandRunner/environment``. With `directory`,
    /// the child starts there (through `sh -c 'cd … && exec …'`, which keeps the pid).
    static func run(_ executable: String, _ arguments: [String], addressSpace: Int, timeout: Double,
                    directory: URL? = nil) throws -> Result {
        let outputFile = FileManager.default.temporaryDirectory.appendingPathComponent("dpt-lim-out-\(UUID().uuidString)")
        let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("dpt-lim-err-\(UUID().uuidString)")
        defer {
            try? FileManager.default.removeItem(at: outputFile)
            try? FileManager.default.removeItem(at: errorFile)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputFile.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errorFile.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var command = ["/usr/bin/prlimit", "--as=\(addressSpace)", "--", executable] + arguments
        if let directory {
            command = ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", directory.path] + command
        }
        let environment = CommandRunner.environment.map { "\($0.key)=\($0.value)" }
        var argv = command.map { strdup($0) } + [nil]
        var envp = environment.map { strdup($0) } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, command[0], &actions, nil, &argv, &envp)
        guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EINVAL) }
        let start = Date()
        var status: Int32 = 0
        var usage = rusage()
        var timedOut = false
        while true {
            let done = wait4(pid, &status, WNOHANG, &usage)
            if done == pid { break }
            if Date().timeIntervalSince(start) > timeout, !timedOut {
                timedOut = true
                kill(pid, SIGKILL)
            }
            usleep(5_000)
        }
        let seconds = Date().timeIntervalSince(start)
        let signalled = (status & 0x7f) != 0 && (status & 0x7f) != 0x7f
        return Result(status: signalled ? -1 : (status >> 8) & 0xff, signal: signalled ? status & 0x7f : nil,
                      output: (try? String(contentsOf: outputFile, encoding: .utf8)) ?? "",
                      error: (try? String(contentsOf: errorFile, encoding: .utf8)) ?? "",
                      timedOut: timedOut, peakResidentBytes: Int(usage.ru_maxrss) * 1024, seconds: seconds)
    }
}
