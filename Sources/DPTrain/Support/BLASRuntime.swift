import COpenBLAS
import Foundation

/// What OpenBLAS is doing in this process, and which kernels it should use on this CPU.
///
/// OpenBLAS (built with DYNAMIC_ARCH, as Debian's is) picks its kernel set when the library
/// loads, from `OPENBLAS_CORETYPE` or its own CPU detection. Debian's 0.3.21 does not know
/// AMD Zen 4/5 and falls back to Haswell (AVX2) kernels; on AVX-512 CPUs the SkylakeX
/// kernels are about 1.8× faster for sgemm. The executable therefore sets
/// `OPENBLAS_CORETYPE` and re-executes itself before the library is used (see `dptrain`).
public enum BLASRuntime {
    /// The kernel set OpenBLAS chose ("Haswell", "SkylakeX", …).
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// Threads OpenBLAS uses per call.
    public static var threadCount: Int { Int(openblas_get_num_threads()) }

    /// Sets the number of OpenBLAS threads for this process.
    public static func setThreadCount(_ count: Int) { openblas_set_num_threads(Int32(count)) }

    /// The best `OPENBLAS_CORETYPE` for the CPU flags in `cpuinfo` (the text of
    /// /proc/cpuinfo), or nil when OpenBLAS's own detection is already right.
    ///
    /// AVX-512 with BF16 → "Cooperlake"; AVX-512 F/BW/DQ/VL → "SkylakeX"; otherwise nil.
    public static func recommendedCoreType(cpuinfo: String) -> String? {
        guard let flagsLine = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
        else { return nil }
        let flags = Set(flagsLine.split(whereSeparator: flagSeparators.contains).map(String.init))
        let skylakeX = ["avx512f", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(flags.contains)
        guard skylakeX else { return nil }
        // Cooperlake kernels add bf16 routines only; sgemm is the SkylakeX one. Keep SkylakeX,
        // which every AVX-512 OpenBLAS build knows.
        return "SkylakeX"
    }

    /// What separates the words of a /proc/cpuinfo `flags` line (`flags\t\t: fpu vme …`).
    private static let flagSeparators: Set<Character> = [" ", "\t", ":"]

    /// ``recommendedCoreType(cpuinfo:)`` for this machine.
    public static func recommendedCoreType() -> String? {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return nil }
        return recommendedCoreType(cpuinfo: text)
    }
}
