import DPTrain
import Foundation

/// Makes OpenBLAS use the best kernel set for this CPU.
///
/// OpenBLAS reads `OPENBLAS_CORETYPE` once, when the library loads, which happens before
/// `main`. So when the variable is unset and this CPU has a better kernel set than
/// OpenBLAS's own detection picks (AVX-512 machines that Debian's 0.3.21 does not know),
/// the process sets the variable and replaces itself with the same executable and arguments
/// (`execv` of /proc/self/exe; same PID, so MPI launchers are unaffected).
///
/// Override with `OPENBLAS_CORETYPE=<name>` (used as is) or `DPTRAIN_BLAS_KERNELS=default`
/// (keep OpenBLAS's own choice).
enum KernelSelection {
    static func reexecIfNeeded() {
        let environment = ProcessInfo.processInfo.environment
        guard environment["OPENBLAS_CORETYPE"] == nil,
              environment["DPTRAIN_BLAS_KERNELS"] != "default",
              environment["DPTRAIN_REEXECUTED"] == nil,
              let coreType = BLASRuntime.recommendedCoreType()
        else { return }
        setenv("OPENBLAS_CORETYPE", coreType, 1)
        setenv("DPTRAIN_REEXECUTED", "1", 1)
        let arguments = CommandLine.arguments
        var cArguments: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        cArguments.append(nil)
        execv("/proc/self/exe", &cArguments)
        // execv returned: it failed. Carry on with the kernels already loaded.
        for pointer in cArguments { free(pointer) }
    }
}
