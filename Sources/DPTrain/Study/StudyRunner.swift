import Foundation

/// Trains every run of a ``Study`` in turn on all ranks of one job.
///
/// Each run goes to `<output>/<variant>-s<seed>/` (a normal run directory). A run whose `DONE`
/// marker exists is skipped, and a run with checkpoints but no `DONE` (the job was killed)
/// continues from its newest valid checkpoint when its config is unchanged, so re-running a
/// killed study finishes it. Decisions are taken on rank 0 and shared, so every rank walks
/// the same list.
public final class StudyRunner {
    public let study: Study
    public let communicator: Communicator
    /// Rank 0's progress lines (one or two per run); nil for silence.
    public var say: ((String) -> Void)?
    /// Passed to each trainer (its step and eval lines); nil keeps the trainers quiet.
    public var trainingPrinter: ((String) -> Void)?
    /// Stop after training this many runs (skipped ones do not count): simulates a killed
    /// study in tests, or splits a long study over several jobs.
    public var maxRuns: Int?

    /// What happened to one run.
    public struct Outcome: Equatable, Sendable {
        public enum Status: String, Sendable { case trained, resumed, skipped, notStarted }
        public var run: Study.Run
        public var status: Status
        public var summary: TrainingSummary?
    }

    public init(study: Study, communicator: Communicator) {
        self.study = study
        self.communicator = communicator
    }

    /// Keys that may differ between the config a checkpoint was written with and this run's
    /// (how the work is split and logged, never what is computed).
    static func mayDiffer(_ path: String) -> Bool {
        path == "batch.micro" || path.hasPrefix("train.log_every") || path.hasPrefix("train.eval_batch")
            || path.hasPrefix("train.check_replicas_every") || path.hasPrefix("train.checkpoint")
    }

    /// Runs the study; returns one outcome per run, in order.
    @discardableResult
    public func run() throws -> [Outcome] {
        let runs = study.runs
        try study.validateRuns()
        var outcomes: [Outcome] = []
        var trainedSeconds: [Double] = []
        var trained = 0
        let started = communicator.wallTime()
        for (index, run) in runs.enumerated() {
            let label = "[\(index + 1)/\(runs.count)] \(run.name)"
            let config = try study.config(for: run)
            let directory = URL(fileURLWithPath: config.output)
            var done = [communicator.isRoot && RunDirectory.isDone(directory) ? 1.0 : 0.0]
            try communicator.allReduceMax(&done)
            if done[0] > 0 {
                say?("\(label): already done (\(run.directory)/DONE), skipped")
                outcomes.append(Outcome(run: run, status: .skipped, summary: nil))
                continue
            }
            if let maxRuns, trained >= maxRuns {
                outcomes.append(Outcome(run: run, status: .notStarted, summary: nil))
                continue
            }
            let remaining = runs.count - index
            var line = "\(label): training \(run.directory)"
            if !trainedSeconds.isEmpty {
                let mean = trainedSeconds.reduce(0, +) / Double(trainedSeconds.count)
                line += " | ETA \(StudyRunner.duration(mean * Double(remaining))) for \(remaining) run\(remaining == 1 ? "" : "s") left"
                    + " (\(StudyRunner.duration(mean)) per run so far)"
            }
            say?(line)
            let runStart = communicator.wallTime()
            let builder = try RunBuilder(config: config, communicator: communicator)
            let point = try resumePoint(config: config, sampleCount: builder.data.train.count)
            if point == nil, communicator.isRoot, FileManager.default.fileExists(atPath: directory.path) {
                RunDirectory.clearPreviousRun(at: directory)
            }
            let trainer = try builder.makeTrainer(writeRunDirectory: communicator.isRoot, resume: point)
            trainer.printer = trainingPrinter
            if let target = study.target {
                trainer.stopCondition = { evaluation, state in
                    guard let value = StudyRunner.value(of: target.metric, in: evaluation), target.isReached(by: value) else {
                        return nil
                    }
                    return "\(target.metric) \(Format.significant(value)) reached the target \(Format.significant(target.value))"
                        + " at step \(state.step), \(state.samples) samples"
                }
            }
            let summary: TrainingSummary
            do {
                summary = try trainer.run()
            } catch let error as TrainingError {
                // Divergence is decided on the reduced gradient, identically on every rank, so
                // every rank gets here: record the run as diverged and carry on with the study.
                guard case .diverged = error else { throw error }
                summary = try recordDivergence(trainer: trainer, error: error, seconds: communicator.wallTime() - runStart)
            }
            trained += 1
            let seconds = communicator.wallTime() - runStart
            trainedSeconds.append(seconds)
            var parts = ["\(label): done in \(StudyRunner.duration(seconds))", "\(summary.steps) updates"]
            if let accuracy = summary.evaluation?.testAccuracy ?? summary.evaluation?.validationAccuracy {
                parts.append("accuracy \(Format.percent(accuracy))")
            }
            if let reason = summary.stopReason { parts.append("stopped: \(reason)") }
            say?(parts.joined(separator: " | "))
            outcomes.append(Outcome(run: run, status: point == nil ? .trained : .resumed, summary: summary))
        }
        let skipped = outcomes.filter { $0.status == .skipped }.count
        let left = outcomes.filter { $0.status == .notStarted }.count
        say?("study \(study.name): \(trained) trained, \(skipped) already done"
            + (left > 0 ? ", \(left) not started (stopped after \(maxRuns ?? 0))" : "")
            + " in \(StudyRunner.duration(communicator.wallTime() - started))")
        return outcomes
    }

    /// After a divergence: evaluates the last good parameters (non-finite steps were skipped)
    /// and has rank 0 append a `summary` record with `diverged: 1` and write `DONE`, so the
    /// report shows the run and a re-run of the study does not repeat it.
    private func recordDivergence(trainer: Trainer, error: TrainingError, seconds: Double) throws -> TrainingSummary {
        say?("  diverged: \(error)")
        let evaluation = try trainer.evaluate()
        let state = trainer.state
        let epochs = state.progress(sampleCount: trainer.data.train.count)
        if communicator.isRoot, let directory = trainer.runDirectory {
            var record = MetricRecord(kind: "summary")
            record.set("step", state.step)
            record.set("samples", state.samples)
            record.set("epoch", epochs)
            record.set("test_loss", evaluation.testLoss)
            record.set("test_accuracy", evaluation.testAccuracy)
            record.set("val_loss", evaluation.validationLoss)
            record.set("val_accuracy", evaluation.validationAccuracy)
            record.set("skipped_steps", state.skippedSteps)
            record.set("diverged", 1)
            record.set("wall_seconds", seconds)
            try directory.log.write(record)
            try directory.markDone()
        }
        try communicator.barrier()
        return TrainingSummary(steps: state.step, samples: state.samples, epochs: epochs, skippedSteps: state.skippedSteps,
                               wallSeconds: seconds, evaluation: evaluation, stopReason: "diverged")
    }

    /// The newest valid checkpoint of an unfinished run written with the same config (nil:
    /// start afresh). Rank 0 also drops metric lines logged after it.
    private func resumePoint(config: TrainingConfig, sampleCount: Int) throws -> ResumePoint? {
        guard let point = try ResumePoint.find(output: config.output, communicator: communicator) else { return nil }
        let saved = try ConfigValue.parse(yaml: point.checkpoint.header.config, file: point.file)
        if let path = config.resolved.firstDifference(from: saved, ignoring: StudyRunner.mayDiffer) {
            say?("  the checkpoint \(point.file) was written with another \(path); starting this run afresh")
            return nil
        }
        if communicator.isRoot {
            try RunDirectory.truncateMetrics(in: URL(fileURLWithPath: config.output), afterStep: point.checkpoint.header.state.step)
        }
        say?("  resuming from \(point.file) (step \(point.checkpoint.header.state.step))")
        return point
    }

    /// The value of a target metric in an evaluation.
    static func value(of metric: String, in evaluation: EvaluationResult) -> Double? {
        switch metric {
        case "test_accuracy": return evaluation.testAccuracy
        case "val_accuracy": return evaluation.validationAccuracy
        case "test_loss": return evaluation.testLoss
        case "val_loss": return evaluation.validationLoss
        default: return nil
        }
    }

    /// "42 s", "3.5 min", "1.2 h".
    public static func duration(_ seconds: Double) -> String {
        if seconds < 90 { return "\(Int(seconds.rounded())) s" }
        if seconds < 5400 { return "\(Format.fixed(seconds / 60, 1)) min" }
        return "\(Format.fixed(seconds / 3600, 1)) h"
    }
}
