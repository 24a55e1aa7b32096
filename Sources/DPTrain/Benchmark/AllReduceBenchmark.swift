/// Times the in-place sum all-reduce of a gradient-sized buffer across the job's ranks.
///
/// Bus bandwidth follows the NCCL convention: a ring all-reduce moves 2(W−1)/W of the buffer
/// through each rank's link, so busBandwidth = 2(W−1)/W · bytes / time.
public enum AllReduceBenchmark {
    public struct Result: Equatable, Sendable {
        public var floats: Int
        public var worldSize: Int
        /// Median seconds per all-reduce (the slowest rank's, agreed by a max-reduction).
        public var seconds: Double
        public var bytes: Double { Double(floats) * 4 }
        /// GB/s of algorithm bandwidth: bytes / time.
        public var algorithmBandwidth: Double { bytes / seconds / 1e9 }
        /// GB/s of bus bandwidth: 2(W−1)/W · bytes / time.
        public var busBandwidth: Double {
            worldSize > 1 ? 2 * Double(worldSize - 1) / Double(worldSize) * bytes / seconds / 1e9 : 0
        }
    }

    /// Runs `repetitions` all-reduces of `floats` floats (all ranks must call this together).
    public static func run(communicator: Communicator, floats: Int, repetitions: Int = 30) throws -> Result {
        let buffer = ParameterStore.allocate(floats)
        defer { buffer.baseAddress?.deallocate() }
        for index in 0..<floats { buffer[index] = Float(index % 7) * 1e-3 }
        try communicator.barrier()
        for _ in 0..<3 { try communicator.allReduceSum(buffer) }
        let seconds = try medianSeconds(communicator: communicator, repetitions: repetitions) {
            try communicator.allReduceSum(buffer)
        }
        return Result(floats: floats, worldSize: communicator.worldSize, seconds: seconds)
    }

    /// The median over `repetitions` of `body`'s wall time, each started after a barrier; the
    /// slowest rank's median (agreed by a max-reduction). All ranks must call it together.
    static func medianSeconds(communicator: Communicator, repetitions: Int, _ body: () throws -> Void) throws -> Double {
        var times: [Double] = []
        for _ in 0..<repetitions {
            try communicator.barrier()
            let start = communicator.wallTime()
            try body()
            times.append(communicator.wallTime() - start)
        }
        times.sort()
        var median = [times[times.count / 2]]
        try communicator.allReduceMax(&median)
        return median[0]
    }
}
