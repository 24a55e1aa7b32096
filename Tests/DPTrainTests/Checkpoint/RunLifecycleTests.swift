import Foundation
import Testing
import DPTrain

/// "Nothing lost": the same `dptrain train CONFIG output=X` command, run again, continues a run;
/// a finished run is left alone; `--fresh` moves the old run aside (never deletes it), and only
/// after config and data are valid; damaged checkpoints are kept; a moved run resumes; a bad
/// `output` is refused before anything is written. Through the built binary.
@Suite("Run lifecycle: the same command continues, nothing is lost", .serialized)
struct RunLifecycleTests {
    /// Spirals, 8 steps per checkpoint (a quarter epoch), 64 steps in all, keep 3.
    static let config = """
        name: lifecycle
        seed: 5
        data: {dataset: spirals, samples: 1024, test_samples: 128}
        model: {input: [2], layers: [{dense: 16, activation: relu}, {dense: 2}]}
        optimizer: {name: sgd, lr: 0.1, momentum: 0.9}
        batch: {global: 64, micro: 16}
        lr_schedule: {name: cosine}
        train: {epochs: 4, eval_every: 1, log_every: 1, checkpoint: {every: 0.5, keep: 3}}
        """

    static func setUp() throws -> (directory: URL, config: String) {
        try CommandRunner.configFile(config, name: "lifecycle")
    }

    static func train(_ config: String, output: URL, _ extra: [String] = [], environment: [String: String] = [:],
                      directory: URL? = nil) throws -> CommandRunner.Result {
        try CommandRunner.dptrain(["train", config, "output=\(output.path)", "--quiet"] + extra, timeout: 120,
                                  environment: environment, directory: directory)
    }

    /// Every file and directory under `root` (relative path → contents; directories map to empty
    /// data with a trailing "/"), so two snapshots are equal exactly when nothing was added,
    /// removed or changed.
    static func snapshot(_ root: URL) -> [String: Data] {
        var result: [String: Data] = [:]
        let manager = FileManager.default
        for relative in (manager.subpaths(atPath: root.path) ?? []) {
            let path = root.appendingPathComponent(relative).path
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue { result[relative + "/"] = Data() } else { result[relative] = manager.contents(atPath: path) ?? Data() }
        }
        return result
    }

    /// `<directory>/run`: the config trained for 20 of its 64 steps, its `DONE` removed — a run
    /// killed after its step-20 checkpoint (`train.max_steps` may differ on resume).
    static func unfinishedRun(_ config: String, in directory: URL) throws -> URL {
        let run = directory.appendingPathComponent("run")
        #expect(try train(config, output: run, ["train.max_steps=20"]).status == 0)
        try FileManager.default.removeItem(at: run.appendingPathComponent("DONE"))
        return run
    }

    /// `<directory>/reference`, the config trained uninterrupted, and ``unfinishedRun(_:in:)``.
    static func referenceAndUnfinishedRun(_ config: String, in directory: URL) throws -> (reference: URL, run: URL) {
        let reference = directory.appendingPathComponent("reference")
        #expect(try train(config, output: reference).status == 0)
        return (reference, try unfinishedRun(config, in: directory))
    }

    /// Directories next to `run` named `<run>.replaced-…`.
    static func replacements(of run: URL) -> [URL] {
        let parent = run.deletingLastPathComponent()
        let names = (try? FileManager.default.contentsOfDirectory(atPath: parent.path)) ?? []
        return names.filter { $0.hasPrefix(run.lastPathComponent + ".replaced-") }.sorted().map { parent.appendingPathComponent($0) }
    }

    static func steps(_ run: URL) throws -> [Int] {
        try MetricsLog.read(run.appendingPathComponent("metrics.jsonl")).filter { $0.kind == .step }
            .compactMap { $0["step"] }.map { Int($0) }
    }

    @Test("a finished run is left alone: exit 0, a message, every file byte-identical")
    func finishedRunUntouched() throws {
        let (directory, config) = try Self.setUp()
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = directory.appendingPathComponent("run")
        let first = try Self.train(config, output: run)
        #expect(first.status == 0, "\(first.combined)")
        let before = Self.snapshot(run)
        #expect(before["DONE"] != nil && before["final.safetensors"] != nil)
        Thread.sleep(forTimeInterval: 1.1)
        let again = try CommandRunner.dptrain(["train", config, "output=\(run.path)"])
        #expect(again.status == 0, "\(again.combined)")
        #expect(again.output.contains("already holds a finished run (DONE marker); nothing to do"), "\(again.output)")
        #expect(again.output.contains("--fresh"))
        #expect(Self.snapshot(run) == before)
        #expect(Self.replacements(of: run).isEmpty)
        // --resume is still accepted (a no-op: continuing is the default).
        let resumed = try Self.train(config, output: run, ["--resume"])
        #expect(resumed.status == 0 && resumed.output.contains("nothing to do"), "\(resumed.combined)")
        #expect(Self.snapshot(run) == before)
    }

    @Test("--fresh moves the old run aside whole, and it is still there while the new run has no checkpoint")
    func freshKeepsOldRunAside() throws {
        let (directory, config) = try Self.setUp()
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = directory.appendingPathComponent("run")
        #expect(try Self.train(config, output: run).status == 0)
        let before = Self.snapshot(run)
        // The new run dies while writing its first checkpoint (step 8): the old run is complete aside.
        let killed = try Self.train(config, output: run, ["--fresh"], environment: ["DPTRAIN_FAULT": "kill-in-checkpoint@8:100"])
        #expect(killed.status != 0)
        let aside = Self.replacements(of: run)
        #expect(aside.count == 1, "\(aside)")
        guard let old = aside.first else { return }
        #expect(killed.output.contains("the previous run in \(run.path) was moved to \(old.path)"), "\(killed.output)")
        #expect(killed.output.contains("rm -r '\(old.path)'"))
        #expect(Self.snapshot(old) == before, "the moved-aside run must be byte-identical to the old one")
        #expect(RunDirectory.checkpointFiles(in: run).isEmpty, "the new run wrote no checkpoint yet")
        // The same command without --fresh now continues the new run (from the beginning: no checkpoint yet) and finishes it.
        let rerun = try Self.train(config, output: run)
        #expect(rerun.status == 0, "\(rerun.combined)")
        #expect(rerun.output.contains("starting from the beginning"), "\(rerun.output)")
        #expect(try Data(contentsOf: run.appendingPathComponent("final.safetensors")) == before["final.safetensors"])
        #expect(Self.snapshot(old) == before)
        #expect(try Self.steps(run) == Array(1...64))
    }

    @Test("--fresh with a bad config or bad data moves and deletes nothing")
    func freshWithBadInputChangesNothing() throws {
        let (directory, config) = try Self.setUp()
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = directory.appendingPathComponent("run")
        #expect(try Self.train(config, output: run).status == 0)
        let before = Self.snapshot(run)
        for bad in [["optimizer.lr=-1"], ["data={dataset: csv, train: /nonexistent/train.csv}"], ["model.layers.1.dense=3"],
                    ["batch.global=100"]] {
            let result = try Self.train(config, output: run, bad + ["--fresh"])
            #expect(result.status != 0, "\(bad): \(result.combined)")
            #expect(result.error.contains("error"), "\(bad): \(result.combined)")
            #expect(Self.snapshot(run) == before, "\(bad) changed the run directory")
            #expect(Self.replacements(of: run).isEmpty, "\(bad) moved the run aside")
        }
    }

    @Test("a different config is refused naming the key and --fresh; nothing changes")
    func changedConfigNamesFresh() throws {
        let (directory, config) = try Self.setUp()
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try Self.unfinishedRun(config, in: directory)
        let before = Self.snapshot(run)
        let result = try Self.train(config, output: run, ["optimizer.lr=0.2"])
        #expect(result.status != 0)
        let lines = result.error.split(separator: "\n").filter { $0.hasPrefix("error") }
        #expect(lines.count == 1, "\(result.error)")
        #expect(lines.first?.contains("optimizer.lr = 0.1, this run has 0.2") == true, "\(lines)")
        #expect(lines.first?.contains("--fresh") == true)
        #expect(Self.snapshot(run) == before)
    }

    @Test("a run written before a config key existed resumes: the missing key counts as its default")
    func keyAddedSinceResumes() throws {
        let (directory, config) = try Self.setUp()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (reference, run) = try Self.referenceAndUnfinishedRun(config, in: directory)
        // An older binary wrote no optimizer.momentum_correction (its behaviour is the default, true),
        // and train.noise_smoothing where train.noise_window is now (a retired key).
        let saved = run.appendingPathComponent("config.resolved.yaml")
        let text = try String(contentsOf: saved, encoding: .utf8)
        let older = text.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.contains("momentum_correction") }
            .map { $0.replacingOccurrences(of: "noise_window: 0.5", with: "noise_smoothing: 0.9") }
            .joined(separator: "\n")
        #expect(older.contains("noise_smoothing: 0.9") && !older.contains("noise_window"), "\(older)")
        #expect(older != text, "the resolved config should name optimizer.momentum_correction")
        try older.write(to: saved, atomically: true, encoding: .utf8)
        let resumed = try Self.train(config, output: run)
        #expect(resumed.status == 0, "\(resumed.combined)")
        #expect(resumed.output.contains("resuming from"), "\(resumed.output)")
        #expect(try Data(contentsOf: run.appendingPathComponent("final.safetensors"))
                == Data(contentsOf: reference.appendingPathComponent("final.safetensors")))
        // A real change is still refused.
        try FileManager.default.removeItem(at: run.appendingPathComponent("DONE"))
        let changed = try Self.train(config, output: run, ["optimizer.momentum_correction=false"])
        #expect(changed.status != 0)
        #expect(changed.error.contains("optimizer.momentum_correction"), "\(changed.error)")
    }

    @Test("a run directory that was moved resumes to the same weights as an uninterrupted run")
    func movedRunResumes() throws {
        let (directory, config) = try Self.setUp()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (reference, run) = try Self.referenceAndUnfinishedRun(config, in: directory)
        let moved = directory.appendingPathComponent("elsewhere/renamed")
        try FileManager.default.createDirectory(at: moved.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.moveItem(at: run, to: moved)
        let resumed = try Self.train(config, output: moved)
        #expect(resumed.status == 0, "\(resumed.combined)")
        #expect(resumed.output.contains("resuming from \(moved.path)/checkpoints/step-000000020.ckpt"), "\(resumed.output)")
        #expect(try Data(contentsOf: moved.appendingPathComponent("final.safetensors"))
                == Data(contentsOf: reference.appendingPathComponent("final.safetensors")))
        #expect(try Self.steps(moved) == Array(1...64))
    }

    @Test("damaged checkpoints are kept as *.damaged and never count against keep")
    func damagedCheckpointsSurviveRotation() throws {
        let (directory, config) = try Self.setUp()
        defer { try? FileManager.default.removeItem(at: directory) }
        let reference = directory.appendingPathComponent("reference")
        #expect(try Self.train(config, output: reference).status == 0)
        let run = directory.appendingPathComponent("run")
        #expect(try Self.train(config, output: run, ["train.max_steps=32"]).status == 0)
        try FileManager.default.removeItem(at: run.appendingPathComponent("DONE"))
        let files = RunDirectory.checkpointFiles(in: run)
        #expect(files.map(\.lastPathComponent) == ["step-000000016.ckpt", "step-000000024.ckpt", "step-000000032.ckpt"])
        // The newest truncated, the oldest with a flipped byte: only step 24 verifies.
        let newest = try Data(contentsOf: files[2]).prefix(300)
        try newest.write(to: files[2])
        var oldest = try Data(contentsOf: files[0])
        oldest[oldest.count - 50] ^= 0x01
        try oldest.write(to: files[0])
        let resumed = try Self.train(config, output: run)
        #expect(resumed.status == 0, "\(resumed.combined)")
        #expect(resumed.output.contains("resuming from \(files[1].path)"), "\(resumed.output)")
        #expect(resumed.output.contains("kept the damaged checkpoint as \(run.path)/checkpoints/step-000000032.ckpt.damaged"))
        #expect(resumed.output.contains("step-000000016.ckpt.damaged"))
        // After 5 more checkpoint writes with keep 3, both damaged files are still there, byte for byte.
        let checkpoints = run.appendingPathComponent("checkpoints")
        #expect(try Data(contentsOf: checkpoints.appendingPathComponent("step-000000032.ckpt.damaged")) == newest)
        #expect(try Data(contentsOf: checkpoints.appendingPathComponent("step-000000016.ckpt.damaged")) == oldest)
        #expect(RunDirectory.checkpointFiles(in: run).map(\.lastPathComponent)
                == ["step-000000048.ckpt", "step-000000056.ckpt", "step-000000064.ckpt"])
        #expect(try Data(contentsOf: run.appendingPathComponent("final.safetensors"))
                == Data(contentsOf: reference.appendingPathComponent("final.safetensors")))
    }

    @Test("every checkpoint damaged: a loud warning, the old run kept aside with its damaged files, a new run from step 0")
    func everyCheckpointDamaged() throws {
        let (directory, config) = try Self.setUp()
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = directory.appendingPathComponent("run")
        #expect(try Self.train(config, output: run, ["train.max_steps=32"]).status == 0)
        try FileManager.default.removeItem(at: run.appendingPathComponent("DONE"))
        var damaged: [String: Data] = [:]
        for file in RunDirectory.checkpointFiles(in: run) {
            var bytes = try Data(contentsOf: file)
            bytes[bytes.count / 2] ^= 0x10
            try bytes.write(to: file)
            damaged[file.lastPathComponent] = bytes
        }
        #expect(damaged.count == 3)
        let metrics = try Data(contentsOf: run.appendingPathComponent("metrics.jsonl"))
        let result = try Self.train(config, output: run)
        #expect(result.status == 0, "\(result.combined)")
        #expect(result.output.contains("WARNING: no checkpoint in \(run.path)/checkpoints can be read"), "\(result.output)")
        let aside = Self.replacements(of: run)
        #expect(aside.count == 1)
        guard let old = aside.first else { return }
        #expect(result.output.contains("every checkpoint is damaged"))
        #expect(result.output.contains("moved to \(old.path)"))
        for (name, bytes) in damaged {
            #expect(try Data(contentsOf: old.appendingPathComponent("checkpoints/\(name).damaged")) == bytes, "\(name)")
        }
        #expect(try Data(contentsOf: old.appendingPathComponent("metrics.jsonl")) == metrics)
        #expect(try Self.steps(run) == Array(1...64))
    }

    @Test("an empty, file-backed or uncreatable output is refused before anything is written")
    func badOutput() throws {
        let (directory, config) = try Self.setUp()
        defer { try? FileManager.default.removeItem(at: directory) }
        let work = directory.appendingPathComponent("work")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("a-file")
        try Data("keep me".utf8).write(to: file)
        var cases: [(String, [String])] = [
            ("", ["config key 'output'", "it is empty", "output=DIR"]),
            (file.path, ["config key 'output'", "is not a directory"]),
            (file.path + "/run", ["config key 'output'", "a-file is a file", "output=DIR"]),
            ("/proc/dptrain-run/x", ["config key 'output'", "cannot be created", "output=DIR"]),
        ]
        if getuid() != 0 {
            let locked = directory.appendingPathComponent("locked")
            try FileManager.default.createDirectory(at: locked, withIntermediateDirectories: true)
            chmod(locked.path, 0o555)
            cases.append((locked.path, ["config key 'output'", "cannot create files in it", "writable"]))
        }
        let before = Self.snapshot(directory)
        for (output, fragments) in cases {
            let result = try CommandRunner.dptrain(["train", config, "output=\(output)", "--quiet"], directory: work)
            #expect(result.status != 0 && !result.timedOut, "output=\(output): \(result.combined)")
            let lines = result.error.split(separator: "\n").filter { $0.hasPrefix("error") }
            #expect(lines.count == 1, "output=\(output): \(result.error)")
            for fragment in fragments {
                #expect(lines.first?.contains(fragment) == true, "output=\(output): '\(fragment)' not in \(lines)")
            }
            #expect(Self.snapshot(directory) == before, "output=\(output) wrote something")
        }
    }

    @Test("study: a run the study file changed is trained again, its old directory moved aside untouched")
    func studyChangedRunMovedAside() throws {
        let directory = try StudyTestSupport.temporaryDirectory("study-change")
        defer { try? FileManager.default.removeItem(at: directory) }
        try StudyTestSupport.write(StudyTestSupport.spiralsBase, to: directory, "base.yaml")
        func study(momentum: String) throws -> Study {
            try StudyTestSupport.write("""
                base: base.yaml
                output: \(directory.path)/out
                overrides: [optimizer.momentum=\(momentum)]
                variants: [{name: only, overrides: []}]
                budget: {epochs: 1}
                """, to: directory, "study.yaml")
            return try Study.load(file: directory.appendingPathComponent("study.yaml").path)
        }
        let first = try study(momentum: "0.9")
        #expect(try StudyRunner(study: first, communicator: LocalCommunicator()).run().map(\.status) == [.trained])
        let run = URL(fileURLWithPath: try #require(first.runs.first).directory)
        let before = Self.snapshot(run)
        // Unchanged: skipped, nothing touched.
        #expect(try StudyRunner(study: first, communicator: LocalCommunicator()).run().map(\.status) == [.skipped])
        #expect(Self.snapshot(run) == before)
        // Changed: trained again; the old run is byte-identical beside it.
        var lines: [String] = []
        let runner = StudyRunner(study: try study(momentum: "0.5"), communicator: LocalCommunicator())
        runner.say = { lines.append($0) }
        #expect(try runner.run().map(\.status) == [.trained])
        let aside = Self.replacements(of: run)
        #expect(aside.count == 1, "\(aside)")
        guard let old = aside.first else { return }
        #expect(Self.snapshot(old) == before)
        #expect(lines.contains { $0.contains("optimizer.momentum changed from 0.9 to 0.5") && $0.contains("moved to \(old.path)") },
                "\(lines)")
        #expect(RunDirectory.isDone(run))
    }
}
