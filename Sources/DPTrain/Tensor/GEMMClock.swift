import Foundation

/// An opt-in probe of the wall time spent inside
/// ``gemm(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``, so that `dptrain bench`
/// can report the share of a real training step spent in sgemm (in place: the caches, shapes
/// and call order of training).
///
/// Only the benchmark uses it: ``start()`` before the measured steps, ``stop()`` after them.
/// While stopped (always, in training), `gemm` pays one predictable branch per product; while
/// running, two clock reads (about 50 ns, against microseconds to milliseconds per product).
/// The probe is process-wide by design: a rank is one thread of training.
public enum GEMMClock {
    /// Whether ``measure(_:)`` times what it runs.
    nonisolated(unsafe) private static var isRunning = false
    /// Nanoseconds measured since ``start()``.
    nonisolated(unsafe) private static var elapsedNanoseconds: UInt64 = 0

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

    /// Runs `product` (one BLAS call), adding its wall time to ``seconds`` while the clock runs.
    @inline(__always)
    static func measure(_ product: () -> Void) {
        guard isRunning else { return product() }
        let start = DispatchTime.now().uptimeNanoseconds
        product()
        elapsedNanoseconds &+= DispatchTime.now().uptimeNanoseconds &- start
    }
}
