import DPTrain
import Foundation

/// Rank 0's live output. On a terminal: one progress bar per epoch, redrawn in place at most
/// 5 times a second (step, samples/s, loss, LR, B, ETA), ending each epoch with a summary
/// line; log and evaluation lines are printed above it. Otherwise (a pipe, a log file, CI):
/// plain lines at the log interval and nothing else.
final class ProgressDisplay {
    let isTerminal: Bool
    let verbose: Bool
    private var lastDraw = 0.0
    private var barVisible = false
    private var epochStart: (seconds: Double, step: Int)?
    private var currentEpoch = -1
    private var lossSum = 0.0
    private var lossCount = 0
    private var last: StepProgress?

    init(verbose: Bool) {
        isTerminal = ProgressDisplay.drawsOnTerminal(environment: ProcessInfo.processInfo.environment,
                                                     stdoutIsTTY: isatty(STDOUT_FILENO) != 0)
        self.verbose = verbose
    }

    /// Whether to draw the bar. `DPTRAIN_TERMINAL=1`/`0` decides when set (the launch scripts
    /// set it from their own stdout). Otherwise a rank started by `mpirun` prints plain lines:
    /// Open MPI gives every rank a pseudo-terminal whatever mpirun's own output is (a log file,
    /// a pipe, CI), so the rank's `isatty` says nothing about where its lines end up.
    static func drawsOnTerminal(environment: [String: String], stdoutIsTTY: Bool) -> Bool {
        if let forced = environment["DPTRAIN_TERMINAL"], !forced.isEmpty { return forced == "1" }
        if environment["OMPI_COMM_WORLD_SIZE"] != nil { return false }
        return stdoutIsTTY && environment["TERM"] != "dumb"
    }

    /// A log or evaluation line. On a terminal, step log lines are folded into the bar unless verbose.
    func line(_ text: String) {
        if isTerminal, text.hasPrefix("step "), !verbose { return }
        clearBar()
        print(text)
        fflush(nil)
    }

    func step(_ progress: StepProgress) {
        guard isTerminal else { return }
        if progress.epoch != currentEpoch {
            finishEpoch()
            currentEpoch = progress.epoch
            epochStart = (last?.seconds ?? 0, last?.step ?? 0)
        }
        lossSum += progress.loss
        lossCount += 1
        last = progress
        let now = progress.seconds
        if now - lastDraw >= 0.2 || progress.stepInEpoch >= progress.stepsPerEpoch {
            draw(progress)
            lastDraw = now
        }
    }

    /// Ends the display (prints the last epoch's summary).
    func finish() {
        finishEpoch()
    }

    private func draw(_ progress: StepProgress) {
        let fraction = min(1, Double(progress.stepInEpoch) / Double(max(progress.stepsPerEpoch, 1)))
        let width = 24
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let start = epochStart ?? (0, 0)
        let seconds = progress.seconds - start.seconds
        let rate = seconds > 0 ? Double((progress.step - start.step) * progress.batch) / seconds : 0
        let remainingEpochs = progress.totalEpochs - (Double(progress.epoch) + fraction)
        let samplesLeft = remainingEpochs * Double(progress.stepsPerEpoch * progress.batch)
        let eta = rate > 0 ? samplesLeft / rate : 0
        let text = "epoch \(progress.epoch + 1)/\(Int(progress.totalEpochs.rounded(.up))) \(bar) "
            + "\(progress.stepInEpoch)/\(progress.stepsPerEpoch) | loss \(Format.fixed(lossSum / Double(max(lossCount, 1)), 4)) "
            + "| lr \(Format.significant(progress.learningRate)) | B \(progress.batch) (K \(progress.accumulation)) "
            + "| \(Format.grouped(rate)) samples/s | ETA \(ProgressDisplay.duration(eta))"
        print("\r\u{1B}[2K" + text, terminator: "")
        fflush(nil)
        barVisible = true
    }

    private func finishEpoch() {
        guard isTerminal, let last, currentEpoch >= 0 else { return }
        let start = epochStart ?? (0, 0)
        let seconds = last.seconds - start.seconds
        clearBar()
        print("epoch \(currentEpoch + 1) done | \(last.step - start.step) steps | loss \(Format.fixed(lossSum / Double(max(lossCount, 1)), 4)) "
            + "| \(Format.fixed(seconds, 1)) s | \(Format.grouped(seconds > 0 ? Double((last.step - start.step) * last.batch) / seconds : 0)) samples/s")
        fflush(nil)
        lossSum = 0
        lossCount = 0
    }

    private func clearBar() {
        guard barVisible else { return }
        print("\r\u{1B}[2K", terminator: "")
        barVisible = false
    }

    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        return total >= 3600 ? String(format: "%d:%02d:%02d", total / 3600, total / 60 % 60, total % 60)
                             : String(format: "%d:%02d", total / 60, total % 60)
    }
}

/// The trainer's lines and steps go to the display.
extension ProgressDisplay: TrainingObserver {
    func trainer(_ trainer: Trainer, printed line: String) { self.line(line) }
    func trainer(_ trainer: Trainer, didStep progress: StepProgress) { step(progress) }
}
