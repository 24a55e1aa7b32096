import DPTrain
import Foundation
import Testing

/// `launch/study -n 2 STUDY` SIGKILLed (mpirun's whole process group) while its second run
/// trains, then the same command again: the finished first run is left alone (its files not
/// rewritten), the killed run continues from its newest checkpoint (not from step 0) and ends
/// byte-identical to the same run of an uninterrupted study, and the third run is trained.
@Suite("Kill and rerun a study", .serialized)
struct StudyKillAndRerunTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Three variants of the resume tests' spirals run (256 updates each, a checkpoint every
    /// 8 updates, every step logged), written to `output`. Both study files have the same name:
    /// the run's name is written into its weights' header.
    static func study(output: URL) -> String {
        """
        name: kill
        base: base.yaml
        output: \(output.path)
        variants:
          - {name: a, overrides: [optimizer.lr=0.1]}
          - {name: b, overrides: [optimizer.lr=0.05]}
          - {name: c, overrides: [optimizer.lr=0.2]}
        """
    }

    /// `launch/study -n 2 STUDY` as a user runs it, with the built binary (no build).
    static func arguments(_ study: String) -> [String] {
        [repository.appendingPathComponent("launch/study").path, "-n", "2", study]
    }

    static var environment: [String: String] {
        // 8 ms per step so that a run takes seconds; the fault changes no value.
        ["DPTRAIN_BIN": CommandRunner.dptrainPath, "DPTRAIN_FAULT": "slow-steps@8"]
    }

    /// Starts `launch/study -n 2 STUDY` in a session of its own (`setsid --wait`), returning the
    /// process and the id of the group to kill: the one mpirun leads (the script execs mpirun;
    /// setsid forks first when it already leads a group, as a child of `Process` does).
    static func start(_ study: String, log: URL) throws -> (Process, pid_t) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
        process.arguments = ["--wait", "/bin/bash"] + arguments(study)
        var environment = CommandRunner.environment
        for (key, value) in Self.environment { environment[key] = value }
        process.environment = environment
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: log)
        process.standardError = process.standardOutput
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        var group: pid_t = -1
        while group <= 0, process.isRunning, Date() < deadline {
            for pid in [process.processIdentifier] + KillAndRerunTests.children(of: process.processIdentifier) {
                let command = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") ?? Data()
                let program = String(decoding: command.prefix { $0 != 0 }, as: UTF8.self)
                if program.hasSuffix("mpirun"), getpgid(pid) == pid { group = pid }
            }
            Thread.sleep(forTimeInterval: 0.005)
        }
        return (process, group)
    }

    @Test("launch/study -n 2 SIGKILLed in its second run, rerun: first run untouched, second resumed from its checkpoint, byte-identical results")
    func killAndRerunAStudy() throws {
        let directory = try CommandRunner.temporaryDirectory("study-kill")
        defer { try? FileManager.default.removeItem(at: directory) }
        try ResumeTests.config.write(to: directory.appendingPathComponent("base.yaml"), atomically: true, encoding: .utf8)
        let referenceStudy = directory.appendingPathComponent("reference.yaml")
        let killedStudy = directory.appendingPathComponent("killed.yaml")
        let reference = directory.appendingPathComponent("reference")
        let killed = directory.appendingPathComponent("killed")
        try Self.study(output: reference).write(to: referenceStudy, atomically: true, encoding: .utf8)
        try Self.study(output: killed).write(to: killedStudy, atomically: true, encoding: .utf8)

        let clean = try CommandRunner.run("/bin/bash", Self.arguments(referenceStudy.path), timeout: 300,
                                          environment: Self.environment)
        #expect(clean.status == 0, "\(clean.combined)")

        // Kill once run b has logged a seeded number of steps that is not a checkpoint step.
        var generator = SplitMix64(seed: 19)
        let killStep = Int.random(in: 40...200, using: &generator) | 1
        let first = killed.appendingPathComponent("a")
        let second = killed.appendingPathComponent("b")
        let log = directory.appendingPathComponent("killed.log")
        let (process, group) = try Self.start(killedStudy.path, log: log)
        let deadline = Date().addingTimeInterval(240)
        while process.isRunning, ResumeTests.loggedSteps(second) < killStep, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.005)
        }
        #expect(process.isRunning, "the study ended before the kill: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        #expect(group > 0 && group != getpgrp(), "mpirun does not lead a process group of its own")
        if process.isRunning, group > 0, group != getpgrp() { kill(-group, SIGKILL) }
        process.waitUntilExit()
        let marker = killedStudy.path
        for pid in CommandRunner.rankProcesses(containing: marker, subcommand: "study") { kill(pid, SIGKILL) }
        let gone = Date().addingTimeInterval(10)
        while !CommandRunner.rankProcesses(containing: marker, subcommand: "study").isEmpty, Date() < gone {
            Thread.sleep(forTimeInterval: 0.01)
        }
        let loggedAtKill = ResumeTests.loggedSteps(second)
        #expect(RunDirectory.isDone(first), "run a had not finished before the kill")
        #expect(!RunDirectory.isDone(second), "run b finished before the kill (\(loggedAtKill) steps logged)")
        let checkpoint = try #require(RunDirectory.newestValidCheckpoint(in: second), "run b wrote no checkpoint before the kill")
        let resumedStep = checkpoint.checkpoint.header.state.step
        #expect(resumedStep > 0 && resumedStep <= loggedAtKill, "checkpoint step \(resumedStep), logged \(loggedAtKill)")

        // Run a's files as the kill left them.
        let firstFiles = ["metrics.jsonl", "final.safetensors", "DONE"].map { first.appendingPathComponent($0).path }
        func state(_ path: String) throws -> (Data, Date?) {
            (try Data(contentsOf: URL(fileURLWithPath: path)),
             try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date)
        }
        let before = try firstFiles.map(state)
        Thread.sleep(forTimeInterval: 1.1)  // mtimes have ≥ 1 s resolution on some file systems

        // The same command again.
        let rerun = try CommandRunner.run("/bin/bash", Self.arguments(killedStudy.path), timeout: 300,
                                          environment: Self.environment)
        #expect(rerun.status == 0, "\(rerun.combined)")
        #expect(rerun.output.contains("[1/3] a: already done"), "\(rerun.output)")
        #expect(rerun.output.contains("resuming from \(checkpoint.file): step \(resumedStep)"), "\(rerun.output)")
        #expect(rerun.output.contains("2 trained, 1 already done"), "\(rerun.output)")
        for (path, old) in zip(firstFiles, before) {
            let now = try state(path)
            #expect(now.0 == old.0 && now.1 == old.1, "\(path) was rewritten by the rerun")
        }
        for run in ["a", "b", "c"] {
            let expected = try Data(contentsOf: reference.appendingPathComponent("\(run)/final.safetensors"))
            let actual = try Data(contentsOf: killed.appendingPathComponent("\(run)/final.safetensors"))
            #expect(actual == expected, "run \(run): final weights differ from the uninterrupted study (killed at step \(loggedAtKill))")
        }
        // Run b reads as one run: every step once, and the same final evaluation.
        let records = try MetricsLog.read(second.appendingPathComponent("metrics.jsonl"))
        #expect(records.filter { $0.kind == .step }.compactMap { $0["step"] }.map { Int($0) } == Array(1...256))
        let referenceRecords = try MetricsLog.read(reference.appendingPathComponent("b/metrics.jsonl"))
        for field in ["test_loss", "test_accuracy"] {
            #expect(records.last { $0.kind == .summary }?[field] == referenceRecords.last { $0.kind == .summary }?[field], "\(field)")
        }
        #expect(!KillAndRerunTests.replacementsExist(of: second), "a rerun must not replace the killed run")
    }
}
