import Foundation

/// Trains every run of a ``Study`` in turn on all ranks of one job.
///
/// Each run goes to `<output>/<variant>-s<seed>/` (a normal run directory). A run whose `DONE`
/// marker exists is skipped, and a run with checkpoints but no `DONE` (the job was killed)
/// continues from its newest valid checkpoint, so re-running a killed study finishes it. A run
/// the study file has changed (a key that changes what a step computes) is trained again, its
/// old directory moved aside to `<run>.replaced-<date>` (``RunLifecycle``), never deleted. Decisions are taken on rank 0 and shared, so every rank walks
/// the same list.
public final class StudyRunner {
    /// The study whose runs are trained.
    public let study: Study
    /// The job's communicator: all ranks train each run together.
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
        /// Trained from the start, continued from a checkpoint, already done, or left for a
        /// later invocation (`maxRuns`).
        public enum Status: String, Sendable { case trained, resumed, skipped, notStarted }
        /// The run.
        public var run: Study.Run
        /// What happened to it.
        public var status: Status
        /// Its summary when it was trained in this invocation.
        public var summary: TrainingSummary?
    }

    /// A runner of `study` on the ranks of `communicator`.
    public init(study: Study, communicator: Communicator) {
        self.study = study
        self.communicator = communicator
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
            let lifecycle = RunLifecycle(config: config, communicator: communicator) { [say] in say?("  " + $0) }
            let decision = try lifecycle.decide(fresh: false, onConfigChange: .replace)
            if case .finished = decision {
                say?("\(label): already done (\(run.directory)/DONE), skipped")
                outcomes.append(Outcome(run: run, status: .skipped, summary: nil))
                continue
            }
            if let maxRuns, trained >= maxRuns {
                outcomes.append(Outcome(run: run, status: .notStarted, summary: nil))
                continue
            }
            say?(trainingLine(label: label, run: run, remaining: runs.count - index, trainedSeconds: trainedSeconds))
            let runStart = communicator.wallTime()
            let builder = try RunBuilder(config: config, communicator: communicator)
            try lifecycle.prepare(decision, sampleCount: builder.data.train.count)
            let trainer = try lifecycle.makeTrainer(builder, decision: decision)
            let observer = StudyRunObserver(target: study.target, printer: trainingPrinter)
            trainer.observer = observer
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
            outcomes.append(Outcome(run: run, status: decision.resumePoint == nil ? .trained : .resumed, summary: summary))
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
        let summary = TrainingSummary(steps: state.step, samples: state.samples, epochs: epochs, skippedSteps: state.skippedSteps,
                                      wallSeconds: seconds, evaluation: evaluation, stopReason: "diverged")
        if communicator.isRoot, let directory = trainer.runDirectory {
            let position: [MetricField: Double?] = [.step: Double(state.step), .samples: Double(state.samples), .epoch: epochs]
            try directory.log.write(TrainingLog.summaryRecord(summary, position: position, diverged: true))
            try directory.markDone()
        }
        try communicator.barrier()
        return summary
    }

    /// "[2/4] name: training dir", with the ETA once a run has finished.
    private func trainingLine(label: String, run: Study.Run, remaining: Int, trainedSeconds: [Double]) -> String {
        var line = "\(label): training \(run.directory)"
        if !trainedSeconds.isEmpty {
            let mean = trainedSeconds.reduce(0, +) / Double(trainedSeconds.count)
            line += " | ETA \(StudyRunner.duration(mean * Double(remaining))) for \(remaining) run\(remaining == 1 ? "" : "s") left"
                + " (\(StudyRunner.duration(mean)) per run so far)"
        }
        return line
    }

    /// "42 s", "3.5 min", "1.2 h".
    public static func duration(_ seconds: Double) -> String {
        if seconds < 90 { return "\(Int(seconds.rounded())) s" }
        if seconds < 5400 { return "\(Format.fixed(seconds / 60, 1)) min" }
        return "\(Format.fixed(seconds / 3600, 1)) h"
    }
}
