import DPTrain
import Foundation

/// Process entry: choose OpenBLAS's kernels (which needs a re-exec), then run the CLI.
@main
enum Entry {
    static func main() {
        KernelSelection.reexecIfNeeded()
        DPTrainCommand.main()
    }
}
