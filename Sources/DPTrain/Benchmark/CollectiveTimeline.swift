#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// A ``Communicator`` that forwards every call to `base` and, while ``isRecording``, notes when
/// this rank entered and left each collective (for `bench`'s per-rank timeline).
///
/// Every collective is called by all ranks in the same order, so event i of every rank is the
/// same call; ``CollectiveTimelineSummary`` lines them up. Times are CLOCK_MONOTONIC seconds,
/// one clock for all processes of a host (ranks on different hosts are offset by their clocks).
public final class CollectiveTimeline: Communicator {
    /// Which collective an event was.
    public enum Kind: Int, CaseIterable, Sendable {
        /// `allReduceSum` over floats (the gradient, unsharded).
        case allReduce
        /// `reduceScatterSum` (the gradient, sharded update).
        case reduceScatter
        /// `allGather` (the parameters, sharded update).
        case allGather
        /// Scalar all-reduces, broadcasts and barriers (gradient norm, loss sums, …).
        case small

        /// A short label for tables.
        public var label: String {
            switch self {
            case .allReduce: return "all-reduce"
            case .reduceScatter: return "reduce-scatter"
            case .allGather: return "all-gather"
            case .small: return "scalars"
            }
        }
    }

    /// One collective call on this rank: kind, and the seconds at which it was entered and left.
    public struct Event: Equatable, Sendable {
        public var kind: Kind
        public var enter: Double
        public var leave: Double

        /// An event of `kind` entered at `enter` and left at `leave` (seconds).
        public init(kind: Kind, enter: Double, leave: Double) {
            self.kind = kind
            self.enter = enter
            self.leave = leave
        }
    }

    /// The communicator every call is forwarded to.
    public let base: Communicator
    /// Whether calls are recorded now.
    public var isRecording = false
    /// The recorded calls, in order.
    public private(set) var events: [Event] = []

    /// Wraps `base`; nothing is recorded until ``isRecording`` is set.
    public init(base: Communicator) { self.base = base }

    /// Seconds on CLOCK_MONOTONIC, shared by the processes of one host.
    public static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    private func record<T>(_ kind: Kind, _ body: () throws -> T) rethrows -> T {
        guard isRecording else { return try body() }
        let enter = Self.now()
        let value = try body()
        events.append(Event(kind: kind, enter: enter, leave: Self.now()))
        return value
    }

    /// The base communicator's rank.
    public var rank: Int { base.rank }
    /// The base communicator's world size.
    public var worldSize: Int { base.worldSize }

    /// Forwarded and recorded as ``Kind/allReduce``.
    public func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws {
        try record(.allReduce) { try base.allReduceSum(buffer) }
    }
    /// Forwarded and recorded as ``Kind/reduceScatter``.
    public func reduceScatterSum(_ buffer: UnsafeBufferPointer<Float>, into result: UnsafeMutableBufferPointer<Float>,
                                 counts: [Int]) throws {
        try record(.reduceScatter) { try base.reduceScatterSum(buffer, into: result, counts: counts) }
    }
    /// Forwarded and recorded as ``Kind/allGather``.
    public func allGather(_ buffer: UnsafeMutableBufferPointer<Float>, counts: [Int]) throws {
        try record(.allGather) { try base.allGather(buffer, counts: counts) }
    }
    /// Forwarded and recorded as ``Kind/small``.
    public func allReduceSum(_ values: inout [Double]) throws { try record(.small) { try base.allReduceSum(&values) } }
    /// Forwarded and recorded as ``Kind/small``.
    public func allReduceMax(_ values: inout [Double]) throws { try record(.small) { try base.allReduceMax(&values) } }
    /// Forwarded and recorded as ``Kind/small``.
    public func allReduceMin(_ values: inout [Double]) throws { try record(.small) { try base.allReduceMin(&values) } }
    /// Forwarded and recorded as ``Kind/small``.
    public func broadcast(_ buffer: UnsafeMutableBufferPointer<Float>, root: Int) throws {
        try record(.small) { try base.broadcast(buffer, root: root) }
    }
    /// Forwarded and recorded as ``Kind/small``.
    public func broadcast(bytes: inout [UInt8], root: Int) throws {
        try record(.small) { try base.broadcast(bytes: &bytes, root: root) }
    }
    /// Forwarded and recorded as ``Kind/small``.
    public func barrier() throws { try record(.small) { try base.barrier() } }
    /// Forwarded: ends every rank of the job.
    public func abort(code: Int32) throws -> Never { try base.abort(code: code) }
    /// Forwarded: the base communicator's clock.
    public func wallTime() -> Double { base.wallTime() }
    /// Forwarded (not recorded): a node-shared buffer.
    public func allocateShared(count: Int) throws -> SharedMemoryAllocation { try base.allocateShared(count: count) }
}
