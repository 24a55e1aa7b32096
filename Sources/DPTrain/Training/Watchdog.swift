import Foundation

/// Ends the job when training makes no progress for `timeout` seconds (DESIGN §3.8: no job may
/// hang a cluster allocation).
///
/// The training loop calls ``beat()`` after every step and evaluation; a background thread
/// checks once per second. On a stall it prints one message naming the rank and the timeout,
/// then calls `onStall` once, from that thread (the trainer passes its communicator's
/// ``Communicator/abort(code:)`` with status 3; the command line's communicator ends the
/// process there, and the MPI launcher the other ranks). The watchdog itself never exits.
public final class Watchdog: @unchecked Sendable {
    /// Seconds without a beat after which the process ends.
    public let timeout: Double
    private let lock = NSLock()
    private var lastBeat = Date()
    private var stopped = false
    private let label: String
    private let onStall: @Sendable () -> Void

    /// Starts watching; `label` prefixes the message (for example "rank 1 of 2"); `onStall`
    /// runs once, on the watchdog's thread, after the message.
    public init(timeout: Double, label: String, onStall: @escaping @Sendable () -> Void) {
        self.timeout = timeout
        self.label = label
        self.onStall = onStall
        let thread = Thread { [weak self] in
            while true {
                Thread.sleep(forTimeInterval: 1)
                guard let self else { return }
                if self.checkStalled() { break }
            }
        }
        thread.start()
    }

    /// Records progress.
    public func beat() {
        lock.lock()
        lastBeat = Date()
        lock.unlock()
    }

    /// Stops watching (training finished).
    public func stop() {
        lock.lock()
        stopped = true
        lock.unlock()
    }

    private func checkStalled() -> Bool {
        lock.lock()
        let idle = Date().timeIntervalSince(lastBeat)
        let done = stopped
        lock.unlock()
        if done { return true }
        guard idle > timeout else { return false }
        let message = "error (\(label)): no training step completed in \(Int(timeout)) s (train.stall_timeout); "
            + "a rank is stuck or died — ending the job. Run the same command again to resume from the last checkpoint.\n"
        FileHandle.standardError.write(Data(message.utf8))
        onStall()
        return true
    }
}
