import Foundation

/// Wall time spent inside ``gemm(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``
/// on this process while running, so that `dptrain bench` can report the share of a real
/// training step spent in sgemm (in place: the caches, shapes and call order of training).
///
/// Off by default; when off, `gemm` pays one predictable branch per call. When on, two clock
/// reads per call (about 50 ns, against microseconds to milliseconds per product). Process-wide
/// by design: a rank is one thread of training, and only the benchmark turns it on.
public enum GEMMClock {
    nonisolated(unsafe) static var isRunning = false
    nonisolated(unsafe) static var elapsedNanoseconds: UInt64 = 0

    /// Starts measuring from zero.
    public static func start() {
        elapsedNanoseconds = 0
        isRunning = true
    }

    /// Stops measuring and returns the seconds spent in gemm since ``start()``.
    @discardableResult
    public static func stop() -> Double {
        isRunning = false
        return seconds
    }

    /// Seconds spent in gemm since ``start()`` (so far, if still running).
    public static var seconds: Double { Double(elapsedNanoseconds) / 1e9 }

    @inline(__always)
    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
}
