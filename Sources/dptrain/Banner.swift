import DPTrain
import Foundation

/// The start-up lines rank 0 prints (like llm.c's settings table) and the final summary.
enum Banner {
    static func lines(config: TrainingConfig, configFile: String, builder: RunBuilder,
                      communicator: Communicator) throws -> [String] {
        let environment = ProcessInfo.processInfo.environment
        let kernels = environment["OPENBLAS_CORETYPE"].map { "\(BLASRuntime.coreName) (OPENBLAS_CORETYPE=\($0))" }
            ?? "\(BLASRuntime.coreName) (OpenBLAS's own choice)"
        var lines = [
            "dptrain \(DPTrainVersion.string) | \(communicator.worldSize) rank\(communicator.worldSize == 1 ? "" : "s") | "
                + "OpenBLAS kernels \(kernels), \(BLASRuntime.threadCount) thread\(BLASRuntime.threadCount == 1 ? "" : "s") per rank",
            "config \(configFile), resolved:",
        ]
        lines += config.resolvedYAML.split(separator: "\n").map { "  " + $0 }
        lines += try builder.describe()
        lines.append("exchange: \(builder.exchange)")
        return lines
    }

    static func summary(_ summary: TrainingSummary, runDirectory: String) -> String {
        var parts = ["done: \(summary.steps) steps, \(Format.grouped(Double(summary.samples))) samples, "
            + "\(Format.fixed(summary.epochs, 2)) epochs in \(Format.fixed(summary.wallSeconds, 1)) s"]
        if let accuracy = summary.evaluation?.testAccuracy, let loss = summary.evaluation?.testLoss {
            parts.append("test accuracy \(Format.percent(accuracy)), loss \(Format.fixed(loss, 4))")
        }
        if summary.skippedSteps > 0 { parts.append("\(summary.skippedSteps) non-finite steps skipped") }
        if let reason = summary.stopReason { parts.append("stopped early: \(reason)") }
        parts.append("run directory \(runDirectory)")
        return parts.joined(separator: " | ")
    }
}
