import DPTrain
import Foundation
import Testing

/// Study runs stop at their target between steps: the `target` line of metrics.jsonl, its
/// agreement with the schedule and the interpolation, the smoothed training-loss target, a
/// resumed run's identical crossing, and endpoints off the evaluation grid on two ranks.
@Suite struct TargetStopTests {
    /// spirals with 128 of its 512 training samples held out: 384 samples, 12 steps per epoch
    /// at B = 32; evaluations every epoch (every 12 steps), a checkpoint every 6 steps.
    static func writeStudy(in directory: URL, target: String, lrs: String = "[0.2]") throws -> Study {
        try StudyTestSupport.write(StudyTestSupport.spiralsBase, to: directory, "base.yaml")
        let path = try StudyTestSupport.write("""
            base: base.yaml
            output: \(directory.path)/out
            overrides: ["data.validation=128", "lr_schedule.name=constant", "train.checkpoint.every=0.5",
                        "train.checkpoint.keep=1000"]
            grid: {optimizer.lr: \(lrs)}
            target: \(target)
            budget: {epochs: 40}
            """, to: directory, "study.yaml")
        return try Study.load(file: path)
    }

    static func records(_ run: Study.Run) throws -> [MetricRecord] {
        try MetricsLog.read(URL(fileURLWithPath: run.directory).appendingPathComponent("metrics.jsonl"))
    }

    /// The fields of a `target` line that do not depend on the wall clock.
    static func position(_ record: MetricRecord) -> [String: Double?] {
        Dictionary(uniqueKeysWithValues: record.fields.filter { !$0.key.contains("wall_seconds") }.map { ($0.key, $0.value) })
    }

    @Test func validationTargetStopsAtTheScheduledCheckThatReachesIt() throws {
        let directory = try StudyTestSupport.temporaryDirectory("target-stop")
        let study = try Self.writeStudy(in: directory, target: "{metric: val_accuracy, value: 0.75, subset: 64}")
        let outcomes = try StudyRunner(study: study, communicator: LocalCommunicator()).run()
        let summary = try #require(outcomes[0].summary)
        #expect(summary.stopReason?.contains("reached the target 0.75") == true, "\(summary.stopReason ?? "no stop")")
        let records = try Self.records(study.runs[0])
        let (line, step) = try Self.checkTargetLine(in: records, study: study)
        // The run stopped at the check that reached the target.
        #expect(Double(summary.steps) == step && records.last?.kind == .summary && records.last?["step"] == step)
    }

    /// The run's one `target` line (target 0.75, check subset 64, B = 32): a check that reached
    /// the target after one that missed it, the one the schedule set after it, and the crossing
    /// interpolated between the two. Returns the line and its step.
    static func checkTargetLine(in records: [MetricRecord], study: Study) throws -> (MetricRecord, Double) {
        let targets = records.filter { $0.kind == .target }
        #expect(targets.count == 1)
        let line = try #require(targets.first)
        let step = try #require(line["step"]), before = try #require(line["previous_check_step"])
        let value = try #require(line["check_value"]), previous = try #require(line["previous_check_value"])
        #expect(value >= 0.75 && previous < 0.75 && line["target"] == 0.75 && line["check_samples"] == 64)
        let target = try #require(study.target)
        #expect(Int(step) == TargetSchedule.nextCheck(afterStep: Int(before), value: previous, target: target))
        let fraction = (0.75 - previous) / (value - previous)
        #expect(abs(try #require(line["target_step"]) - (before + fraction * (step - before))) < 1e-9)
        #expect(abs(try #require(line["target_samples"]) - 32 * (before + fraction * (step - before))) < 1e-6)
        #expect(try #require(line["previous_check_samples"]) == 32 * before && line["samples"] == 32 * step)
        return (line, step)
    }

    /// `stop: false`: the same `target` line (one, at a scheduled check), and the run trains on
    /// to the end of its budget with no check after the crossing.
    @Test func targetThatDoesNotStopRecordsTheCrossingAndTrainsToTheEnd() throws {
        let directory = try StudyTestSupport.temporaryDirectory("target-nostop")
        let study = try Self.writeStudy(in: directory, target: "{metric: val_accuracy, value: 0.75, subset: 64, stop: false}")
        let outcomes = try StudyRunner(study: study, communicator: LocalCommunicator()).run()
        let summary = try #require(outcomes[0].summary)
        #expect(summary.stopReason == nil, "\(summary.stopReason ?? "")")
        // 40 epochs of 12 steps.
        #expect(summary.steps == 480 && abs(summary.epochs - 40) < 1e-9)
        let records = try Self.records(study.runs[0])
        let (line, step) = try Self.checkTargetLine(in: records, study: study)
        #expect(step < 480)
        // Training went on after the line: step lines past it and the last epoch's evaluation.
        let index = try #require(records.firstIndex { $0.kind == .target })
        #expect(records[(index + 1)...].contains { $0.kind == .step && ($0["step"] ?? 0) > step })
        #expect(records.contains { $0.kind == .eval && $0["epoch"].map { abs($0 - 40) < 1e-9 } == true })
        #expect(records.last?.kind == .summary && records.last?["step"] == 480)
        // The same crossing as a run that stops there.
        let stopping = try Self.writeStudy(in: try StudyTestSupport.temporaryDirectory("target-nostop-ref"),
                                           target: "{metric: val_accuracy, value: 0.75, subset: 64}")
        try StudyRunner(study: stopping, communicator: LocalCommunicator()).run()
        let reference = try #require(try Self.records(stopping.runs[0]).first { $0.kind == .target })
        #expect(Self.position(reference) == Self.position(line))
    }

    /// A run resumed from a checkpoint after its crossing (`target.stop: false`) knows the target
    /// was reached: no second check, no second `target` line, the same end.
    @Test func resumeAfterTheCrossingWritesNoSecondTargetLine() throws {
        let directory = try StudyTestSupport.temporaryDirectory("target-nostop-resume")
        let study = try Self.writeStudy(in: directory, target: "{metric: val_accuracy, value: 0.75, subset: 64, stop: false}")
        try StudyRunner(study: study, communicator: LocalCommunicator()).run()
        let run = study.runs[0]
        let uninterrupted = try Self.records(run)
        let crossingStep = try #require(uninterrupted.first { $0.kind == .target }?["step"])

        // "Kill" it at the first checkpoint after the crossing.
        let runURL = URL(fileURLWithPath: run.directory)
        let checkpoints = RunDirectory.checkpointFiles(in: runURL)
        let stepOf = { (url: URL) in Int(url.deletingPathExtension().lastPathComponent.dropFirst("step-".count)) ?? 0 }
        let resumeStep = try #require(checkpoints.map(stepOf).first { Double($0) > crossingStep })
        #expect(resumeStep < 480)
        for file in checkpoints where stepOf(file) > resumeStep { try FileManager.default.removeItem(at: file) }
        for name in ["DONE", "final.safetensors"] {
            try FileManager.default.removeItem(at: runURL.appendingPathComponent(name))
        }
        let outcomes = try StudyRunner(study: study, communicator: LocalCommunicator()).run()
        #expect(outcomes[0].status == .resumed)
        let resumed = try Self.records(run)
        #expect(resumed.filter { $0.kind == .target }.count == 1)
        // Every line as before, apart from the clock (wall seconds, throughput).
        let untimed = { (records: [MetricRecord]) in
            records.map { "\($0.kind.rawValue) " + $0.fields.filter { !$0.key.contains("wall") && $0.key != "samples_per_second" }
                .map { "\($0.key)=\($0.value.map { String($0) } ?? "null")" }.joined(separator: ",") }
        }
        #expect(untimed(resumed) == untimed(uninterrupted))
    }

    @Test func smoothedTrainingLossIsCheckedAfterEveryStep() throws {
        let directory = try StudyTestSupport.temporaryDirectory("target-ema")
        let study = try Self.writeStudy(in: directory, target: "{metric: train_loss_ema, value: 0.5}")
        try study.validateRuns()  // every run produces a training loss, with or without a validation split
        let outcomes = try StudyRunner(study: study, communicator: LocalCommunicator()).run()
        let line = try #require(try Self.records(study.runs[0]).first { $0.kind == .target })
        let step = try #require(line["step"])
        #expect(Double(try #require(outcomes[0].summary).steps) == step)
        #expect(line["previous_check_step"] == step - 1 && line["check_samples"] == 0)
        #expect(try #require(line["check_value"]) <= 0.5 && (try #require(line["previous_check_value"])) > 0.5)
    }

    @Test func resumedRunMakesTheSameChecksAndFindsTheSameCrossing() throws {
        let directory = try StudyTestSupport.temporaryDirectory("target-resume")
        let study = try Self.writeStudy(in: directory, target: "{metric: val_accuracy, value: 0.75, subset: 64}")
        try StudyRunner(study: study, communicator: LocalCommunicator()).run()
        let run = study.runs[0]
        let uninterrupted = try #require(try Self.records(run).first { $0.kind == .target })
        let previousCheck = try #require(uninterrupted["previous_check_step"])

        // "Kill" the run at a checkpoint halfway to the check before the crossing: remove DONE,
        // the final weights and every later checkpoint, and run the study again.
        let runURL = URL(fileURLWithPath: run.directory)
        let checkpoints = RunDirectory.checkpointFiles(in: runURL)
        let stepOf = { (url: URL) in Int(url.deletingPathExtension().lastPathComponent.dropFirst("step-".count)) ?? 0 }
        let resumeStep = try #require(checkpoints.map(stepOf).last { Double($0) <= previousCheck / 2 })
        #expect(resumeStep > 0)
        for file in checkpoints where stepOf(file) > resumeStep { try FileManager.default.removeItem(at: file) }
        for name in ["DONE", "final.safetensors"] {
            try FileManager.default.removeItem(at: runURL.appendingPathComponent(name))
        }
        let outcomes = try StudyRunner(study: study, communicator: LocalCommunicator()).run()
        #expect(outcomes[0].status == .resumed)
        let resumed = try Self.records(run).filter { $0.kind == .target }
        #expect(resumed.count == 1)
        #expect(Self.position(try #require(resumed.first)) == Self.position(uninterrupted))
    }

    @Test func twoRankEndpointsAreNotMultiplesOfTheEvaluationInterval() throws {
        let directory = try StudyTestSupport.temporaryDirectory("target-two-ranks")
        let study = try Self.writeStudy(in: directory, target: "{metric: val_accuracy, value: 0.75, subset: 64}",
                                        lrs: "[0.1, 0.2, 0.4]")
        let result = try CommandRunner.mpirun(ranks: 2, ["study", study.file], timeout: 300)
        #expect(result.status == 0, "\(result.output)\n\(result.error)")
        var endpoints: [Double] = [], stops: [Double] = []
        for run in study.runs {
            let records = try Self.records(run)
            let summary = try #require(records.last { $0.kind == .summary })
            #expect(summary["world"] == 2)
            guard let line = records.first(where: { $0.kind == .target }) else { continue }
            // Each run stopped at its crossing check, between evaluations.
            #expect(line["step"] == summary["step"])
            endpoints.append(try #require(line["target_step"]))
            stops.append(try #require(line["step"]))
        }
        #expect(endpoints.count >= 2, "\(result.output)")
        // Evaluations are every 12 steps; the interpolated endpoints are not on that grid.
        #expect(endpoints.contains { $0.truncatingRemainder(dividingBy: 12) != 0 }, "\(endpoints)")
        #expect(stops.contains { $0.truncatingRemainder(dividingBy: 12) != 0 }, "\(stops)")
    }
}
