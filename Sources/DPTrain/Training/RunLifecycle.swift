import Foundation

/// The life of a run directory, one implementation for `train` and `study` (DESIGN §3.11, §4):
/// **the same command, run again, continues.**
///
/// | the run directory holds                         | ``decide(fresh:onConfigChange:)`` |
/// |-------------------------------------------------|-----------------------------------|
/// | nothing (missing, empty, not a run)             | ``Decision/begin(replacing:)`` nil |
/// | a finished run (`DONE`), same config            | ``Decision/finished``              |
/// | an unfinished run with a valid checkpoint        | ``Decision/resume(_:)``            |
/// | an unfinished run stopped before its first checkpoint | begin in place (the rerun rewrites the same files) |
/// | a run whose checkpoints are all damaged          | begin, the old run moved aside     |
/// | a run written with a different config            | error naming the key (`train`), or begin with the old run moved aside (`study`) |
/// | anything, with `--fresh`                         | begin, the old run moved aside     |
///
/// Nothing is ever deleted: a run that is replaced is renamed to a sibling directory
/// `OUTPUT.replaced-YYYYmmdd-HHMMSS` (one atomic rename, so a kill leaves the old run either
/// where it was or complete beside it), and damaged checkpoints are renamed `*.damaged`, which
/// the checkpoint rotation never counts or deletes. ``decide(fresh:onConfigChange:)`` only
/// reads; ``prepare(_:sampleCount:)`` makes the changes, after the caller has validated the
/// config and the data. Decisions are taken from rank 0's files and shared, so every rank acts
/// alike; only rank 0 touches the directory.
public struct RunLifecycle {
    /// The run's config; `output` is the run directory.
    public let config: TrainingConfig
    /// The job's communicator (decisions are shared over it).
    public let communicator: Communicator
    /// Rank 0's messages to the user (called on rank 0 only).
    public let say: (String) -> Void

    /// What happens when the run directory's run was written with a config that differs in a
    /// key that changes what a step computes.
    public enum ConfigChange: Sendable {
        /// Stop with an error naming the key and the way to start over (`train`: the user asked
        /// to continue this run).
        case fail
        /// Move the old run aside and start again (`study`: the study file changed the run).
        case replace
    }

    /// How a run starts, agreed by every rank.
    public enum Decision {
        /// The directory holds a finished run of this config: nothing to do.
        case finished
        /// Continue from this checkpoint.
        case resume(ResumePoint)
        /// Train from step 0. With a reason, the directory's previous run is first moved aside
        /// (``RunLifecycle/replacePreviousRun(reason:)``); without one, the directory is new or
        /// holds a run of the same config stopped before its first checkpoint (whose files the
        /// new run writes again, identically).
        case begin(replacing: String?)

        /// The checkpoint to continue from (``resume(_:)`` only).
        public var resumePoint: ResumePoint? {
            if case let .resume(point) = self { return point }
            return nil
        }
    }

    /// The lifecycle of `config`'s run directory; `say` prints a message (called on rank 0 only).
    public init(config: TrainingConfig, communicator: Communicator, say: @escaping (String) -> Void) {
        self.config = config
        self.communicator = communicator
        self.say = { if communicator.isRoot { say($0) } }
    }

    /// Keys that may differ between the config a run was written with and the continuing run's:
    /// where the run directory is (`output`: a moved or renamed run resumes), how the work is
    /// split and exchanged (m, the sharded update, shared memory), logged, evaluated and checkpointed, and when it stops (`train.max_steps`) —
    /// never what a step computes, so the continued run is the same run.
    public static func mayDiffer(_ path: String) -> Bool {
        let free = ["output", "batch.micro", "train.max_steps", "train.shard_optimizer", "train.shared_memory", "train.log_every", "train.eval_every", "train.eval_batch",
                    "train.noise_every", "train.noise_window", "train.check_replicas_every", "train.stall_timeout", "train.checkpoint"]
        return free.contains { path == $0 || path.hasPrefix($0 + ".") }
    }

    /// Keys a run may have been written with that today's reader refuses: dropped from its saved
    /// config before the comparison, so the run continues. `train.noise_smoothing` (the EMA the
    /// noise-scale window replaced: it changes the logged estimate and, with `batch.adaptive`, later decisions; a checkpoint's EMA
    /// state starts the window).
    static let retired = ["train.noise_smoothing"]

    /// The run directory (`output`).
    public var directory: URL { URL(fileURLWithPath: config.output) }

    /// Collective: whether the run directory holds a finished run (its `DONE` marker).
    public func isFinished() throws -> Bool {
        try sharedFlag { RunDirectory.isDone(directory) }
    }

    /// Throws when `output` cannot be a run directory: empty (every rank), or — checked on rank 0,
    /// which writes it — a file, a directory this process cannot write, or a path whose missing
    /// parents cannot be created. Writes nothing; call it before anything else touches the directory.
    public func checkOutput() throws {
        guard !config.output.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw RunDirectoryError.unusableOutput(path: config.output, reason: "it is empty")
        }
        if communicator.isRoot { try RunDirectory.checkUsable(directory) }
    }

    /// Collective, reads only: how this run starts (table in the type's doc). With `fresh`, any
    /// previous run is replaced. Says which damaged checkpoints are skipped; throws
    /// ``ConfigError/inconsistent(message:)`` naming the first differing key when the run was
    /// written with another config and `onConfigChange` is ``ConfigChange/fail``.
    public func decide(fresh: Bool, onConfigChange: ConfigChange) throws -> Decision {
        guard try sharedFlag({ RunDirectory.holdsRun(directory) }) else { return .begin(replacing: nil) }
        if fresh { return .begin(replacing: "--fresh") }
        let finished = try isFinished()
        let point = try ResumePoint.find(output: config.output, communicator: communicator)
        // The config the run was written with: its checkpoint's, else (stopped before the first
        // checkpoint) its config.resolved.yaml.
        let resolvedFile = RunDirectory.resolvedConfigFile(in: directory)
        let savedText = try point?.checkpoint.header.config
            ?? sharedText { (try? String(contentsOf: resolvedFile, encoding: .utf8)) ?? "" }
        let savedFile = point?.file ?? resolvedFile.path
        if !savedText.isEmpty, let change = try difference(from: savedText, file: savedFile) {
            let (path, was, now) = change
            switch onConfigChange {
            case .fail:
                throw ConfigError.inconsistent(message:
                    "cannot continue the \(finished ? "finished " : "")run in \(config.output): \(savedFile) was written with "
                    + "\(path) = \(was), this run has \(now). Continue it with the same config, or start a new run: another "
                    + "'output', or --fresh (the run there is then moved aside to \(config.output).replaced-<date>, not deleted)")
            case .replace:
                return .begin(replacing: "\(path) changed from \(was) to \(now), so this run starts again")
            }
        }
        if finished { return .finished }
        if let point {
            for problem in point.skipped { say("warning: skipping \(problem) (kept, renamed *.damaged)") }
            return .resume(point)
        }
        let problems = try sharedText { RunDirectory.checkpointProblems(in: directory).joined(separator: "\n") }
        if !problems.isEmpty {
            say("WARNING: no checkpoint in \(config.output)/checkpoints can be read, the run cannot continue:")
            for problem in problems.split(separator: "\n") { say("WARNING:   \(problem)") }
            return .begin(replacing: "every checkpoint is damaged (kept as *.damaged); this run starts again from step 0")
        }
        say("no checkpoint to resume from in \(config.output)/checkpoints (the run stopped before its first); "
            + "starting from the beginning")
        return .begin(replacing: nil)
    }

    /// Rank 0 carries out `decision` (the caller has validated config and data): on resume, sets
    /// damaged checkpoints aside, truncates the metrics to the checkpoint's step and says where
    /// the run continues; on a replacing begin, moves the previous run aside.
    public func prepare(_ decision: Decision, sampleCount: Int) throws {
        guard communicator.isRoot else { return }
        switch decision {
        case .finished, .begin(replacing: nil):
            return
        case let .resume(point):
            setAsideDamagedCheckpoints()
            try prepareResume(from: point, sampleCount: sampleCount)
        case let .begin(replacing: reason?):
            setAsideDamagedCheckpoints()
            try replacePreviousRun(reason: reason)
        }
    }

    /// Rank 0 moves the previous run out of the way of a new one: renames the run directory to
    /// the sibling ``RunDirectory/replacementURL(for:)`` (nothing is deleted) and says where it
    /// went and how to delete it. The one place a run is replaced (`--fresh`, a study's changed
    /// run, a run whose checkpoints are all damaged).
    public func replacePreviousRun(reason: String) throws {
        guard communicator.isRoot, FileManager.default.fileExists(atPath: directory.path) else { return }
        let aside = try RunDirectory.moveAside(directory)
        say("\(reason): the previous run in \(config.output) was moved to \(aside.path) (nothing was deleted; "
            + "when you no longer need it: rm -r '\(aside.path)')")
    }

    /// The trainer of this run: continuing from `decision`'s checkpoint when it has one, writing
    /// the run directory on rank 0.
    public func makeTrainer(_ builder: RunBuilder, decision: Decision) throws -> Trainer {
        try builder.makeTrainer(writeRunDirectory: communicator.isRoot, resume: decision.resumePoint)
    }

    /// The first key (with its saved and current values) in which the run saved as `savedText`
    /// (read from `file`) differs from this one, ignoring ``mayDiffer(_:)`` keys; nil when none.
    ///
    /// The saved config is resolved again by today's reader first, so a key added to dptrain
    /// after the run was written counts as its default (which is what the old binary did) rather
    /// than as a change; a saved config today's reader rejects is compared as written.
    private func difference(from savedText: String, file: String) throws -> (path: String, was: String, now: String)? {
        let written = RunLifecycle.retired.reduce(try ConfigValue.parse(yaml: savedText, file: file)) { $0.removing($1) }
        let saved = (try? TrainingConfig(written).resolved) ?? written
        guard let path = config.resolved.firstDifference(from: saved, ignoring: RunLifecycle.mayDiffer) else { return nil }
        return (path, saved.value(at: path)?.inline ?? "(absent)", config.resolved.value(at: path)?.inline ?? "(absent)")
    }

    /// Rank 0: renames the checkpoints that do not verify to `*.damaged` (kept for inspection,
    /// never counted against `train.checkpoint.keep`) and says so.
    private func setAsideDamagedCheckpoints() {
        for name in RunDirectory.setAsideDamagedCheckpoints(in: directory) {
            say("warning: kept the damaged checkpoint as \(config.output)/checkpoints/\(name)")
        }
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

    /// Rank 0's answer to `question`, on every rank.
    private func sharedFlag(_ question: () -> Bool) throws -> Bool {
        var flag = [communicator.isRoot && question() ? 1.0 : 0.0]
        try communicator.allReduceMax(&flag)
        return flag[0] > 0
    }

    /// Rank 0's `text`, on every rank.
    private func sharedText(_ text: () -> String) throws -> String {
        var bytes = communicator.isRoot ? Array(text().utf8) : []
        try communicator.broadcast(bytes: &bytes, root: 0)
        return String(decoding: bytes, as: UTF8.self)
    }
}
