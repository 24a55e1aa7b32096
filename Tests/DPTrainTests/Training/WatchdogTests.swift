import DPTrain
import Foundation
import Testing

/// The library never ends the process (DESIGN §2): a stall and a one-rank abort are handed to
/// the caller. (The command line's communicator ends the job; see ResumeTests' watchdog test.)
@Suite("Watchdog and abort without exit")
struct WatchdogTests {
    @Test("a one-rank communicator's abort throws instead of exiting")
    func localAbortThrows() {
        #expect(throws: DistributedError.self) { try LocalCommunicator().abort(code: 3) }
    }

    @Test("a stall calls the handler once and the process goes on")
    func stallCallsHandler() {
        let calls = Counter()
        let watchdog = Watchdog(timeout: 0.5, label: "test") { calls.add() }
        Thread.sleep(forTimeInterval: 3.5)
        #expect(calls.value == 1)
        watchdog.stop()
    }

    @Test("beats keep the handler from running; stop ends watching")
    func beatsPreventStall() {
        let calls = Counter()
        let watchdog = Watchdog(timeout: 2, label: "test") { calls.add() }
        for _ in 0..<6 {
            Thread.sleep(forTimeInterval: 0.5)
            watchdog.beat()
        }
        watchdog.stop()
        Thread.sleep(forTimeInterval: 3.5)
        #expect(calls.value == 0)
    }
}

/// A thread-safe call counter.
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
