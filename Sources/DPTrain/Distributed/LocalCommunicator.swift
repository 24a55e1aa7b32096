import Foundation

/// The communicator of a job with one rank: every collective is the identity, and no MPI
/// library is initialised. Lets the whole library and its tests run under `swift test`.
public final class LocalCommunicator: Communicator {
    public let rank = 0
    public let worldSize = 1
    private let start = DispatchTime.now().uptimeNanoseconds

    public init() {}

    public func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws {}
    /// The single block is the whole sum: copies `buffer` into `result`.
    public func reduceScatterSum(_ buffer: UnsafeBufferPointer<Float>, into result: UnsafeMutableBufferPointer<Float>,
                                 counts: [Int]) throws {
        guard counts == [buffer.count], result.count == buffer.count else {
            throw DistributedError.invalidArgument(
                "reduce-scatter of \(buffer.count) floats into \(result.count) with counts \(counts) in a world of 1 rank")
        }
        guard let source = buffer.baseAddress, let target = result.baseAddress else { return }
        target.update(from: source, count: buffer.count)
    }
    /// Nothing to gather: the only block is this rank's.
    public func allGather(_ buffer: UnsafeMutableBufferPointer<Float>, counts: [Int]) throws {
        guard counts == [buffer.count] else {
            throw DistributedError.invalidArgument(
                "all-gather of \(buffer.count) floats with counts \(counts) in a world of 1 rank")
        }
    }
    public func allReduceSum(_ values: inout [Double]) throws {}
    public func allReduceMax(_ values: inout [Double]) throws {}
    public func allReduceMin(_ values: inout [Double]) throws {}
    public func broadcast(_ buffer: UnsafeMutableBufferPointer<Float>, root: Int) throws {
        guard root == 0 else {
            throw DistributedError.invalidArgument("broadcast root \(root) does not exist in a world of 1 rank")
        }
    }
    public func broadcast(bytes: inout [UInt8], root: Int) throws {
        guard root == 0 else {
            throw DistributedError.invalidArgument("broadcast root \(root) does not exist in a world of 1 rank")
        }
    }
    public func barrier() throws {}
    /// One rank exchanges nothing: never allocates.
    public func allocateShared(count: Int) throws -> SharedMemoryAllocation {
        .unavailable(reason: "one rank exchanges nothing")
    }
    /// A world of one rank has no other rank to end: throws, and the caller ends its process.
    public func abort(code: Int32) throws -> Never {
        throw DistributedError.invalidArgument(
            "a job of one rank has no other rank to end (exit code \(code)); its caller ends the process")
    }
    public func wallTime() -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}
