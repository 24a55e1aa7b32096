import Foundation

/// The life of a run directory, one implementation for `train`, `study` and `bench`
/// (DESIGN §3.11, §4): is the run finished, does it continue from a checkpoint (and may it,
/// given the config it was written with), is a previous run cleared, and the trainer that
/// then runs. Decisions are taken on rank 0 and shared, so every rank acts alike.
public struct RunLifecycle {
    /// The run's config; `output` is the run directory.
    public let config: TrainingConfig
    /// The job's communicator (decisions are shared over it).
    public let communicator: Communicator
    /// Rank 0's messages to the user (called on rank 0 only).
    public let say: (String) -> Void

    /// What a resume does when the checkpoint was written with a config that differs in a key
    /// that changes what a step computes.
    public enum ConfigChange: Sendable {
        /// Stop with an error naming the key (`train --resume`: the user asked to continue).
        case fail
        /// Start the run afresh (`study`: the study file changed the run).
        case startAfresh
    }

    /// The lifecycle of `config`'s run directory; `say` prints a message (called on rank 0 only).
    public init(config: TrainingConfig, communicator: Communicator, say: @escaping (String) -> Void) {
        self.config = config
        self.communicator = communicator
        self.say = { if communicator.isRoot { say($0) } }
    }

    /// Keys that may differ between the config a checkpoint was written with and the resuming
    /// run's: how the work is split (m, the sharded update), logged, evaluated and checkpointed,
    /// and when it stops (`train.max_steps`) — never what a step computes, so the resumed run is
    /// the same run.
    public static func mayDiffer(_ path: String) -> Bool {
        let free = ["batch.micro", "train.max_steps", "train.shard_optimizer", "train.log_every", "train.eval_every", "train.eval_batch",
                    "train.noise_every", "train.check_replicas_every", "train.stall_timeout", "train.checkpoint"]
        return free.contains { path == $0 || path.hasPrefix($0 + ".") }
    }

    /// The run directory (`output`).
    public var directory: URL { URL(fileURLWithPath: config.output) }

    /// Collective: whether the run directory holds a finished run (its `DONE` marker).
    public func isFinished() throws -> Bool {
        var done = [communicator.isRoot && RunDirectory.isDone(directory) ? 1.0 : 0.0]
        try communicator.allReduceMax(&done)
        return done[0] > 0
    }

    /// Collective: the newest valid checkpoint to continue from, or nil (none — damaged files
    /// are reported — or a changed config with ``ConfigChange/startAfresh``). Unless the run is `finished`, rank 0 drops
    /// the metric lines logged after the checkpoint (they are written again) and says where
    /// the run continues.
    public func resumePoint(sampleCount: Int, onConfigChange: ConfigChange, finished: Bool = false) throws -> ResumePoint? {
        guard let point = try ResumePoint.find(output: config.output, communicator: communicator) else {
            for problem in communicator.isRoot ? RunDirectory.checkpointProblems(in: directory) : [] {
                say("warning: \(problem)")
            }
            return nil
        }
        for problem in point.skipped { say("warning: skipping \(problem)") }
        let saved = try ConfigValue.parse(yaml: point.checkpoint.header.config, file: point.file)
        if let path = config.resolved.firstDifference(from: saved, ignoring: RunLifecycle.mayDiffer) {
            let was = saved.value(at: path)?.inline ?? "(absent)"
            let now = config.resolved.value(at: path)?.inline ?? "(absent)"
            switch onConfigChange {
            case .fail:
                throw ConfigError.inconsistent(message:
                    "cannot resume \(config.output): the checkpoint \(point.file) was written with \(path) = \(was), "
                    + "this run has \(now). Resume with the same config, or start a new run: another 'output', or replace this one (launch/train --fresh, or dptrain train without --resume)")
            case .startAfresh:
                say("the checkpoint \(point.file) was written with \(path) = \(was), this run has \(now); starting this run afresh")
                return nil
            }
        }
        if communicator.isRoot, !finished { try prepareResume(from: point, sampleCount: sampleCount) }
        return point
    }

    /// Rank 0: truncates the metrics to the checkpoint's step and says where the run continues.
    private func prepareResume(from point: ResumePoint, sampleCount: Int) throws {
        let state = point.checkpoint.header.state
        let lastLogged = (try? MetricsLog.read(directory.appendingPathComponent("metrics.jsonl")))?
            .compactMap { $0["samples"] }.max() ?? Double(state.samples)
        try RunDirectory.truncateMetrics(in: directory, afterStep: state.step)
        let replayed = max(0, Int(lastLogged) - state.samples)
        let writers = point.checkpoint.header.worldSize
        say("resuming from \(point.file): step \(state.step), epoch \(Format.fixed(state.progress(sampleCount: sampleCount), 3)), "
            + "\(Format.grouped(Double(state.samples))) samples done; at least \(Format.grouped(Double(replayed))) samples "
            + "logged after it are replayed (written by \(writers) rank\(writers == 1 ? "" : "s"), "
            + "resuming on \(communicator.worldSize))")
    }

    /// Rank 0 removes a previous run's outputs (metrics, checkpoints, weights, DONE) before a
    /// fresh start; with `announce`, says so when there was a previous run.
    public func clearPreviousRun(announce: Bool) {
        guard communicator.isRoot, FileManager.default.fileExists(atPath: directory.path) else { return }
        if announce, FileManager.default.fileExists(atPath: directory.appendingPathComponent("metrics.jsonl").path) {
            say("note: starting afresh in \(config.output); the previous run's metrics, checkpoints and weights there are replaced (use --resume to continue it)")
        }
        RunDirectory.clearPreviousRun(at: directory)
    }

    /// The trainer of this run: continuing from `resume` when given, writing the run directory
    /// on rank 0.
    public func makeTrainer(_ builder: RunBuilder, resume: ResumePoint?) throws -> Trainer {
        try builder.makeTrainer(writeRunDirectory: communicator.isRoot, resume: resume)
    }
}
