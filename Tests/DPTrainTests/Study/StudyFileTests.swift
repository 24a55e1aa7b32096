import DPTrain
import Foundation
import Testing

/// Study files: variants, grid expansion, seeds, target and budget, and strict keys.
@Suite struct StudyFileTests {
    @Test func variantsSeedsAndRunOverrides() throws {
        let directory = try StudyTestSupport.temporaryDirectory("study-file")
        let study = try StudyTestSupport.study("""
            base: ../configs/base.yaml
            overrides: ["train.epochs=3"]
            output: runs/studies/demo
            variants:
              - {name: lr-decay, overrides: ["lr_schedule.name=multistep", "lr_schedule.milestones=[1, 2]"]}
              - {name: batch-increase, overrides: ["batch.schedule=[{epoch: 1, factor: 5}]"]}
            seeds: [1, 2, 3]
            target: {metric: val_accuracy, value: 0.88}
            budget: {epochs: 6}
            """, in: directory)
        #expect(study.name == "study")
        #expect(study.base == directory.deletingLastPathComponent().appendingPathComponent("configs/base.yaml").standardizedFileURL.path)
        #expect(study.variants.map(\.name) == ["lr-decay", "batch-increase"])
        #expect(study.variants[0].overrides == ["lr_schedule.name=multistep", "lr_schedule.milestones=[1, 2]"])
        #expect(study.seeds == [1, 2, 3])
        #expect(study.target == Study.Target(metric: "val_accuracy", value: 0.88))
        #expect(study.target?.stop == true, "a target stops the runs unless it says otherwise")
        #expect(study.budget?.epochs == 6)
        let runs = study.runs
        #expect(runs.map(\.name) == ["lr-decay-s1", "lr-decay-s2", "lr-decay-s3",
                                     "batch-increase-s1", "batch-increase-s2", "batch-increase-s3"])
        #expect(runs[4].directory == "runs/studies/demo/batch-increase-s2")
        // Study overrides, then the variant's, then budget, seed, output and name.
        #expect(study.overrides(for: runs[4]) == [
            "train.epochs=3", "batch.schedule=[{epoch: 1, factor: 5}]", "train.epochs=6", "seed=2",
            "output=runs/studies/demo/batch-increase-s2", "name=study-batch-increase-s2",
        ])
    }

    @Test func gridExpandsToTheCartesianProductWithNamesFromValues() throws {
        let directory = try StudyTestSupport.temporaryDirectory("study-grid")
        let study = try StudyTestSupport.study("""
            base: base.yaml
            grid:
              optimizer.lr: [0.05, 0.1]
              batch.global: [256, 1024]
              lr_schedule.warmup.epochs: {label: wu, values: [0, 5]}
            """, in: directory)
        #expect(study.variants.count == 8)
        #expect(study.variants.map(\.name) == [
            "lr0.05-B256-wu0", "lr0.05-B256-wu5", "lr0.05-B1024-wu0", "lr0.05-B1024-wu5",
            "lr0.1-B256-wu0", "lr0.1-B256-wu5", "lr0.1-B1024-wu0", "lr0.1-B1024-wu5",
        ])
        #expect(study.variants[2].overrides == ["optimizer.lr=0.05", "batch.global=1024", "lr_schedule.warmup.epochs=0"])
        #expect(study.variants[2].coordinates == ["optimizer.lr": "0.05", "batch.global": "1024", "lr_schedule.warmup.epochs": "0"])
        #expect(study.grid.map(\.label) == ["lr", "B", "wu"])
        // No seeds: one run per variant, named after it, with the base config's seed.
        #expect(study.seeds == nil)
        #expect(study.runs.map(\.name) == study.variants.map(\.name))
        #expect(study.output == "runs/studies/study")
        #expect(!study.overrides(for: study.runs[0]).contains { $0.hasPrefix("seed=") })
    }

    @Test func unknownKeysAreNamed() throws {
        let directory = try StudyTestSupport.temporaryDirectory("study-strict")
        let cases: [(String, String)] = [
            ("base: b.yaml\nvariants: [{name: a}]\nseed: [1, 2]\n", "'seed'"),
            ("base: b.yaml\nvariants: [{name: a, overides: [x=1]}]\n", "'variants.0.overides'"),
            ("base: b.yaml\nvariants: [{name: a}]\nbudget: {epoch: 3}\n", "'budget.epoch'"),
            ("base: b.yaml\nvariants: [{name: a}]\ntarget: {metric: test_accuracy, value: 0.9, when: now}\n", "'target.when'"),
        ]
        for (yaml, key) in cases {
            do {
                _ = try StudyTestSupport.study(yaml, in: directory)
                Issue.record("accepted a study with the unknown key \(key)")
            } catch let error as ConfigError {
                #expect("\(error)".contains("unknown config key \(key)"), "\(error)")
            }
        }
        // The typo gets a suggestion.
        #expect(throws: ConfigError.self) { try StudyTestSupport.study("base: b.yaml\nvariants: [{name: a}]\nseed: [1]\n", in: directory) }
        do {
            _ = try StudyTestSupport.study("base: b.yaml\nvariants: [{name: a}]\nseed: [1]\n", in: directory)
        } catch {
            #expect("\(error)".contains("did you mean 'seeds'?"), "\(error)")
        }
    }

    /// `target.stop: false` records the crossing without stopping; anything but a boolean is
    /// an error naming the key and the values it takes.
    @Test func targetStopIsABoolean() throws {
        let directory = try StudyTestSupport.temporaryDirectory("study-stop")
        let study = try StudyTestSupport.study(
            "base: b.yaml\nvariants: [{name: a}]\ntarget: {metric: val_accuracy, value: 0.88, stop: false}\n", in: directory)
        #expect(study.target == Study.Target(metric: "val_accuracy", value: 0.88, stop: false))
        do {
            _ = try StudyTestSupport.study(
                "base: b.yaml\nvariants: [{name: a}]\ntarget: {metric: val_accuracy, value: 0.88, stop: later}\n", in: directory)
            Issue.record("accepted target.stop: later")
        } catch {
            #expect("\(error)".contains("target.stop") && "\(error)".contains("true or false") && "\(error)".contains("'later'"),
                    "\(error)")
        }
    }

    @Test func inconsistentStudiesAreRejected() throws {
        let directory = try StudyTestSupport.temporaryDirectory("study-bad")
        let bad = [
            "base: b.yaml\n",                                                                  // neither variants nor grid
            "base: b.yaml\nvariants: [{name: a}]\ngrid: {optimizer.lr: [0.1]}\n",              // both
            "base: b.yaml\nvariants: [{name: a}, {name: a}]\n",                                // duplicate names
            "base: b.yaml\nvariants: [{name: 'a b'}]\n",                                       // not a directory name
            "base: b.yaml\nvariants: [{name: a}]\nclaims: [{variant: a, reference: z}]\n",     // unknown variant
            "base: b.yaml\nvariants: [{name: a}]\ntarget: {metric: accuracy, value: 0.9}\n",   // unknown metric
            "variants: [{name: a}]\n",                                                         // no base
        ]
        for yaml in bad {
            #expect(throws: (any Error).self, "accepted:\n\(yaml)") { try StudyTestSupport.study(yaml, in: directory) }
        }
    }

    @Test func runConfigsComeFromTheBaseWithOverrides() throws {
        let directory = try StudyTestSupport.temporaryDirectory("study-config")
        try StudyTestSupport.write(StudyTestSupport.spiralsBase, to: directory, "base.yaml")
        try StudyTestSupport.write("""
            base: base.yaml
            output: \(directory.path)/out
            overrides: ["optimizer.lr=0.2"]
            grid: {batch.global: [32, 64]}
            seeds: [7]
            budget: {epochs: 3}
            """, to: directory, "s.yaml")
        let study = try Study.load(file: directory.appendingPathComponent("s.yaml").path)
        let config = try study.config(for: study.runs[1])
        #expect(config.batch.global == 64)
        #expect(config.optimizer.learningRate == 0.2)
        #expect(config.seed == 7)
        #expect(config.train.epochs == 3)
        #expect(config.output == "\(directory.path)/out/B64-s7")
        // A bad override in a variant names the run.
        try StudyTestSupport.write("base: base.yaml\nvariants: [{name: typo, overrides: [optimizer.lrr=0.1]}]\n",
                                   to: directory, "bad.yaml")
        let bad = try Study.load(file: directory.appendingPathComponent("bad.yaml").path)
        do {
            try bad.validateRuns()
            Issue.record("a misspelt override was accepted")
        } catch {
            #expect("\(error)".contains("run 'typo'") && "\(error)".contains("optimizer.lrr"), "\(error)")
        }
    }
}
