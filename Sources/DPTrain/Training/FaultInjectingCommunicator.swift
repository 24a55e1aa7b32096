import Foundation

/// A ``Communicator`` that injects the test-only faults of ``FaultInjection`` into the
/// gradient all-reduce (or reduce-scatter, when the optimizer update is sharded), so the
/// training code carries no test hooks.
///
/// Training's only all-reduce or reduce-scatter over a `Float` buffer is the one over the flat
/// gradient, once per optimizer step; the n-th such call on this communicator is step `firstStep + n` (1-based,
/// `firstStep` = updates already done when the trainer starts, e.g. after a resume). Before
/// forwarding it, in this order: `slow-steps` sleeps, `stall` blocks rank R forever at step S,
/// and `nan` poisons the local gradient (element 0 becomes NaN); after it, `drift` adds 0.001
/// to element 0 of rank R's all-reduced gradient (the unsharded update only: a sharded update
/// re-gathers every parameter from its owner each step, so a replica cannot drift that way). Every other call is forwarded unchanged.
public final class FaultInjectingCommunicator: Communicator {
    /// The communicator every call is forwarded to.
    public let base: Communicator
    /// The faults to inject (from `DPTRAIN_FAULT`).
    public let faults: FaultInjection
    /// Gradient all-reduces forwarded so far plus the updates done before this trainer started.
    public private(set) var step: Int

    /// Wraps `base`; `firstStep` is the number of updates already done (the resumed step).
    public init(base: Communicator, faults: FaultInjection, firstStep: Int) {
        self.base = base
        self.faults = faults
        step = firstStep
    }

    /// The base communicator's rank and world size.
    public var rank: Int { base.rank }
    /// W, the base communicator's world size.
    public var worldSize: Int { base.worldSize }

    /// The gradient all-reduce of step `step + 1`, with the faults set for it.
    public func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws {
        try injectFaults(into: buffer)
        try base.allReduceSum(buffer)
        injectDrift(into: buffer)
    }

    /// The gradient reduce-scatter of step `step + 1` (sharded optimizer update), with the
    /// faults set for it.
    public func reduceScatterSum(_ buffer: UnsafeBufferPointer<Float>, into result: UnsafeMutableBufferPointer<Float>,
                                 counts: [Int]) throws {
        try injectFaults(into: UnsafeMutableBufferPointer(mutating: buffer))
        try base.reduceScatterSum(buffer, into: result, counts: counts)
    }

    /// Counts the step and applies its faults to the local gradient before it is reduced.
    private func injectFaults(into buffer: UnsafeMutableBufferPointer<Float>) throws {
        step += 1
        if faults.stepDelay > 0 { Thread.sleep(forTimeInterval: faults.stepDelay) }
        if let stall = faults.stall, stall.step == step, stall.rank == rank {
            while true { Thread.sleep(forTimeInterval: 3600) }
        }
        if faults.poisons(step: step, rank: rank), buffer.count > 0 { buffer[0] = .nan }
    }

    /// `drift@S:R`: rank R adds 0.001 to element 0 of `buffer` at step S, after the all-reduce.
    private func injectDrift(into buffer: UnsafeMutableBufferPointer<Float>) {
        if let drift = faults.drift, drift.step == step, drift.rank == rank, buffer.count > 0 { buffer[0] += 0.001 }
    }

    // MARK: - Forwarded unchanged

    /// Forwarded: the parameters' all-gather.
    public func allGather(_ buffer: UnsafeMutableBufferPointer<Float>, counts: [Int]) throws {
        try base.allGather(buffer, counts: counts)
    }
    /// Forwarded: element-wise sum of scalars over ranks.
    public func allReduceSum(_ values: inout [Double]) throws { try base.allReduceSum(&values) }
    /// Forwarded: element-wise maximum over ranks.
    public func allReduceMax(_ values: inout [Double]) throws { try base.allReduceMax(&values) }
    /// Forwarded: element-wise minimum over ranks.
    public func allReduceMin(_ values: inout [Double]) throws { try base.allReduceMin(&values) }
    /// Forwarded: `root`'s buffer to every rank.
    public func broadcast(_ buffer: UnsafeMutableBufferPointer<Float>, root: Int) throws {
        try base.broadcast(buffer, root: root)
    }
    /// Forwarded: `root`'s bytes to every rank.
    public func broadcast(bytes: inout [UInt8], root: Int) throws { try base.broadcast(bytes: &bytes, root: root) }
    /// Forwarded: waits for every rank.
    public func barrier() throws { try base.barrier() }
    /// Forwarded: ends every rank of the job.
    public func abort(code: Int32) throws -> Never { try base.abort(code: code) }
    /// Forwarded: the base communicator's clock.
    public func wallTime() -> Double { base.wallTime() }
    /// Forwarded: a node-shared buffer.
    public func allocateShared(count: Int) throws -> SharedMemoryAllocation { try base.allocateShared(count: count) }
}
