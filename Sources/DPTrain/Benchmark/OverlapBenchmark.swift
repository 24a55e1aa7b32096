/// Measures whether an all-reduce can hide behind computation on this machine: the question
/// behind bucketed, non-blocking gradient all-reduce during backward.
///
/// With `compute` = a fixed amount of GEMM work, split into `pieces` (like the layers of a
/// backward pass), every rank times, as the median of `repetitions` (slowest rank's):
///
///     alone       = compute
///     blocking    = compute, then MPI_Allreduce of the gradient
///     overlapped  = MPI_Iallreduce started, compute with an MPI_Test after every piece, MPI_Wait
///
/// exposed = time − alone. If `overlapped` exposes about as much as `blocking`, the all-reduce
/// does not progress while the rank computes (one core per rank: Open MPI's shared-memory
/// reduction is CPU work done inside MPI calls) and overlap cannot pay here.
public enum OverlapBenchmark {
    public struct Result: Equatable, Sendable {
        public var floats: Int
        public var pieces: Int
        /// Median seconds of the compute alone.
        public var aloneSeconds: Double
        /// Median seconds of compute then a blocking all-reduce.
        public var blockingSeconds: Double
        /// Median seconds of a non-blocking all-reduce started before the compute, tested after
        /// every piece and waited for at the end.
        public var overlappedSeconds: Double
        /// blocking − alone: the all-reduce's cost when not overlapped.
        public var blockingExposed: Double { max(blockingSeconds - aloneSeconds, 0) }
        /// overlapped − alone: what remains exposed when started before the compute.
        public var overlappedExposed: Double { max(overlappedSeconds - aloneSeconds, 0) }
    }

    /// Runs the probe for a `floats`-sized gradient and about `computeSeconds` of GEMM work
    /// (all ranks must call it together).
    public static func run(communicator: MPICommunicator, floats: Int, computeSeconds: Double,
                           pieces: Int = 16, repetitions: Int = 9) throws -> Result {
        precondition(floats > 0 && pieces > 0 && repetitions > 0, "OverlapBenchmark: counts must be positive")
        let gradient = ParameterStore.allocate(floats)
        defer { gradient.baseAddress?.deallocate() }
        // Work: products of 256×256 matrices (34 MFLOP each); the count is calibrated on rank 0
        // and broadcast so that every rank does the same work.
        let side = 256
        let a = FloatBuffer(capacity: side * side), b = FloatBuffer(capacity: side * side)
        let c = FloatBuffer(capacity: side * side)
        for index in 0..<(side * side) {
            a.base[index] = Float(index % 13) * 0.01
            b.base[index] = Float(index % 7) * 0.01
        }
        func product() {
            gemm(transposeA: .none, transposeB: .none, m: side, n: side, k: side,
                 a: UnsafePointer(a.base), lda: side, b: UnsafePointer(b.base), ldb: side, beta: 0, c: c.base, ldc: side)
        }
        for _ in 0..<4 { product() }  // warm: OpenBLAS buffers, caches, clocks
        let calibrationStart = communicator.wallTime()
        for _ in 0..<16 { product() }
        var perProduct = [(communicator.wallTime() - calibrationStart) / 16]
        try communicator.allReduceMax(&perProduct)
        let perPiece = max(1, Int((computeSeconds / Double(pieces) / max(perProduct[0], 1e-9)).rounded()))

        func timed(_ body: () throws -> Void) throws -> Double {
            try AllReduceBenchmark.medianSeconds(communicator: communicator, repetitions: repetitions, body)
        }
        let alone = try timed {
            for _ in 0..<pieces { for _ in 0..<perPiece { product() } }
        }
        let blocking = try timed {
            for _ in 0..<pieces { for _ in 0..<perPiece { product() } }
            try communicator.allReduceSum(gradient)
        }
        let overlapped = try timed {
            try communicator.startAllReduceSum(gradient)
            for _ in 0..<pieces {
                for _ in 0..<perPiece { product() }
                _ = try communicator.testAllReduce()
            }
            try communicator.waitAllReduce()
        }
        return Result(floats: floats, pieces: pieces, aloneSeconds: alone, blockingSeconds: blocking,
                      overlappedSeconds: overlapped)
    }
}
