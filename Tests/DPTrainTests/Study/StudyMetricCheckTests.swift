import DPTrain
import Foundation
import Testing

/// A study whose target (or early stopping, or plateau schedule) watches a metric a run never
/// produces fails before any training, naming the study file, the run, the key and the fix.
@Suite struct StudyMetricCheckTests {
    /// Writes the spirals base (no validation split) and `yaml` as `name`; returns the study.
    func study(_ yaml: String, named name: String, in directory: URL) throws -> Study {
        try StudyTestSupport.write(StudyTestSupport.spiralsBase, to: directory, "base.yaml")
        let path = try StudyTestSupport.write("base: base.yaml\noutput: \(directory.path)/out\n" + yaml, to: directory, name)
        return try Study.load(file: path)
    }

    @Test func validationTargetWithoutValidationSplitFailsBeforeTraining() throws {
        let directory = try StudyTestSupport.temporaryDirectory("study-metric")
        let study = try study("""
            grid: {optimizer.lr: [0.05, 0.1]}
            target: {metric: val_accuracy, value: 0.9}
            """, named: "no-validation.yaml", in: directory)
        do {
            try study.validateRuns()
            Issue.record("a val_accuracy target without a validation split was accepted")
        } catch let error as StudyError {
            let message = "\(error)"
            #expect(message.hasPrefix(directory.appendingPathComponent("no-validation.yaml").path + ": run 'lr0.05'"), "\(message)")
            #expect(message.contains("target.metric is val_accuracy, which this run never produces"), "\(message)")
            #expect(message.contains("data.validation: 0"), "\(message)")
            #expect(message.contains("data.validation=5000") && message.contains("test_accuracy"), "\(message)")
        }
        // The runner checks before training anything: no run directory exists afterwards.
        #expect(throws: StudyError.self) { try StudyRunner(study: study, communicator: LocalCommunicator()).run() }
        #expect(!FileManager.default.fileExists(atPath: "\(directory.path)/out/lr0.05"))
    }

    @Test func theCheckSeesTheStudysAndEachGridPointsOverrides() throws {
        let directory = try StudyTestSupport.temporaryDirectory("study-metric-overrides")
        // The study's overrides add the split: every run has val_loss.
        let withSplit = try study("""
            overrides: ["data.validation=64"]
            grid: {optimizer.lr: [0.05, 0.1]}
            target: {metric: val_loss, value: 0.2}
            """, named: "split.yaml", in: directory)
        try withSplit.validateRuns()
        // One grid point removes it again: that run is named.
        let oneWithout = try study("""
            grid: {data.validation: {label: val, values: [64, 0]}}
            target: {metric: val_loss, value: 0.2}
            """, named: "grid.yaml", in: directory)
        do {
            try oneWithout.validateRuns()
            Issue.record("the grid point data.validation=0 was accepted with a val_loss target")
        } catch let error as StudyError {
            #expect("\(error)".contains("run 'val0'") && "\(error)".contains("target.metric is val_loss"), "\(error)")
        }
        // A test target needs no validation split.
        let testTarget = try study("""
            grid: {optimizer.lr: [0.1]}
            target: {metric: test_accuracy, value: 0.9}
            """, named: "test.yaml", in: directory)
        try testTarget.validateRuns()
    }

    @Test func earlyStoppingAndPlateauWithoutValidationNameTheRunAndTheFix() throws {
        let directory = try StudyTestSupport.temporaryDirectory("study-metric-plateau")
        let cases = [
            ("plateau.yaml", "variants: [{name: plateau, overrides: [lr_schedule.name=plateau]}]\n", "lr_schedule.name: plateau"),
            ("patience.yaml", "variants: [{name: patience, overrides: [train.early_stopping.criterion=patience]}]\n",
             "train.early_stopping"),
        ]
        for (name, yaml, key) in cases {
            let study = try study(yaml, named: name, in: directory)
            do {
                try study.validateRuns()
                Issue.record("\(name): accepted without a validation split")
            } catch {
                let message = "\(error)"
                #expect(message.hasPrefix(directory.appendingPathComponent(name).path + ": run '"), "\(message)")
                #expect(message.contains(key) && message.contains("data.validation"), "\(message)")
            }
        }
    }
}
