/// A communicator's ``Communicator/abort(code:)`` handed to another thread (the
/// ``Watchdog``'s): the one call ever made on the communicator off the training thread, made
/// when that thread is stuck, to end the job.
///
/// `@unchecked Sendable` because communicators are not: nothing but `abort` is called through
/// this value, and `abort` does not return when it succeeds.
public struct JobAbort: @unchecked Sendable {
    /// The communicator whose job is ended.
    public let communicator: Communicator

    /// Wraps `communicator`.
    public init(communicator: Communicator) { self.communicator = communicator }

    /// Ends the job with `code` through the communicator; when it cannot (a one-rank
    /// ``LocalCommunicator`` outside the command line), returns and the job goes on.
    public func endJob(code: Int32) {
        do { try communicator.abort(code: code) } catch {}
    }
}
