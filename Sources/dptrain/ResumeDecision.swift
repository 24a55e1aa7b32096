import DPTrain
import Foundation

/// What `train --resume` does with the run directory, decided on rank 0 and shared.
enum ResumeDecision {
    /// Keys that may change between the interrupted run and the resumed one: how the work is
    /// split (W, m), how it is logged and checkpointed, and when it stops (max_steps) — never what
    /// a step computes.
    static func mayDiffer(_ path: String) -> Bool {
        let free = ["batch.micro", "train.max_steps", "train.log_every", "train.eval_every", "train.eval_batch",
                    "train.noise_every", "train.check_replicas_every", "train.stall_timeout", "train.checkpoint"]
        return free.contains { path == $0 || path.hasPrefix($0 + ".") }
    }

    /// Finds the checkpoint to resume from (nil: start afresh) and tells the user what happens.
    static func prepare(config: TrainingConfig, sampleCount: Int, communicator: Communicator,
                        finished: Bool, say: (String) -> Void) throws -> ResumePoint? {
        let directory = URL(fileURLWithPath: config.output)
        guard let point = try ResumePoint.find(output: config.output, communicator: communicator) else {
            if communicator.isRoot {
                let problems = RunDirectory.checkpointProblems(in: directory)
                for problem in problems { say("warning: \(problem)") }
                say("no checkpoint to resume from in \(config.output)/checkpoints; starting from the beginning")
            }
            return nil
        }
        for problem in point.skipped { say("warning: skipping \(problem)") }
        let saved = try ConfigValue.parse(yaml: point.checkpoint.header.config, file: point.file)
        if let path = config.resolved.firstDifference(from: saved, ignoring: mayDiffer) {
            let was = saved.value(at: path)?.inline ?? "(absent)"
            let now = config.resolved.value(at: path)?.inline ?? "(absent)"
            throw ConfigError.inconsistent(message:
                "cannot resume \(config.output): the checkpoint \(point.file) was written with \(path) = \(was), "
                + "this run has \(now). Resume with the same config, or start a new run: another 'output', or replace this one (launch/train --fresh, or dptrain train without --resume)")
        }
        let state = point.checkpoint.header.state
        if communicator.isRoot, !finished {
            let lastLogged = (try? MetricsLog.read(directory.appendingPathComponent("metrics.jsonl")))?
                .compactMap { $0["samples"] }.max() ?? Double(state.samples)
            try RunDirectory.truncateMetrics(in: directory, afterStep: state.step)
            let replayed = max(0, Int(lastLogged) - state.samples)
            say("resuming from \(point.file): step \(state.step), epoch \(Format.fixed(state.progress(sampleCount: sampleCount), 3)), "
                + "\(Format.grouped(Double(state.samples))) samples done; at least \(Format.grouped(Double(replayed))) samples "
                + "logged after it are replayed (written by \(point.checkpoint.header.worldSize) rank"
                + "\(point.checkpoint.header.worldSize == 1 ? "" : "s"), resuming on \(communicator.worldSize))")
        }
        return point
    }
}
