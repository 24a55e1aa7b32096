import Foundation
import Testing
import DPTrain

/// The README's direct command, `mpirun -np 2 dptrain train CONFIG output=X` with no flags, as a
/// requeued cluster job runs it: killed (SIGKILL to mpirun's whole process group) at seeded
/// random moments — during a rerun's start-up and resume, mid-training — five times, four of
/// them during a rerun, then run to the end: the final weights are byte-identical to an
/// uninterrupted run and the metrics read as one run.
@Suite("Kill and rerun the same command", .serialized)
struct KillAndRerunTests {
    /// One moment to kill the job: a delay after launch, or once the metrics log this many more steps.
    enum Moment: CustomStringConvertible {
        case afterSeconds(Double)
        case afterMoreSteps(Int)

        var description: String {
            switch self {
            case let .afterSeconds(seconds): return "\(Format.fixed(seconds, 2)) s after launch"
            case let .afterMoreSteps(steps): return "after \(steps) more logged steps"
            }
        }
    }

    /// Five moments from `seed`: the 2nd and 4th at a rerun's start-up (0.05–1 s after launch:
    /// MPI start, config and data checks, the resume decision, metrics truncation, first steps),
    /// the others 5–60 logged steps further on.
    static func moments(seed: UInt64) -> [Moment] {
        var generator = SplitMix64(seed: seed)
        return (0..<5).map { index in
            index % 2 == 1
                ? .afterSeconds(Double.random(in: 0.05...1.0, using: &generator))
                : .afterMoreSteps(Int.random(in: 5...60, using: &generator))
        }
    }

    /// PIDs of processes whose parent is `parent`.
    static func children(of parent: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 2 && Int32(fields[1]) == parent
        }
    }

    /// Starts `mpirun -n 2 dptrain train CONFIG output=X` in a process group of its own
    /// (`setsid`), returning the launcher and the group's id.
    static func launch(config: String, output: URL, environment: [String: String]) throws -> (Process, pid_t) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
        process.arguments = ["--wait", "/usr/bin/mpirun", "-n", "2", CommandRunner.dptrainPath, "train", config,
                             "output=\(output.path)"]
        var merged = CommandRunner.environment
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // setsid execs mpirun as the leader of a new session (or forks first if it already leads a
        // group): the group to kill is the one mpirun leads.
        let deadline = Date().addingTimeInterval(5)
        var group: pid_t = -1
        while group <= 0, process.isRunning, Date() < deadline {
            for pid in [process.processIdentifier] + children(of: process.processIdentifier) {
                let command = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") ?? Data()
                let program = String(decoding: command.prefix { $0 != 0 }, as: UTF8.self)
                if program.hasSuffix("mpirun"), getpgid(pid) == pid { group = pid }
            }
            Thread.sleep(forTimeInterval: 0.002)
        }
        return (process, group)
    }

    @Test("mpirun -np 2 dptrain train CONFIG output=X, SIGKILLed 5 times at random moments and rerun: byte-identical weights")
    func killAndRerunTheSameCommand() throws {
        let (directory, config) = try ResumeTests.setUp()
        defer { try? FileManager.default.removeItem(at: directory) }
        let reference = directory.appendingPathComponent("uninterrupted")
        let clean = try CommandRunner.mpirun(ranks: 2, ["train", config, "output=\(reference.path)"], timeout: 120)
        #expect(clean.status == 0, "\(clean.combined)")
        let expected = try Data(contentsOf: reference.appendingPathComponent("final.safetensors"))

        let output = directory.appendingPathComponent("requeued")
        let plan = Self.moments(seed: 16)
        var kills = 0
        var loggedAtKill: [Int] = []
        for (index, moment) in plan.enumerated() {
            let before = ResumeTests.loggedSteps(output)
            // 8 ms per step so that a few hundred steps take seconds; the faults change no value.
            let (process, group) = try Self.launch(config: config, output: output, environment: ["DPTRAIN_FAULT": "slow-steps@8"])
            #expect(group > 0 && group != getpgrp(), "kill \(index + 1): no process group of its own")
            let start = Date()
            func due() -> Bool {
                switch moment {
                case let .afterSeconds(seconds): return Date().timeIntervalSince(start) >= seconds
                case let .afterMoreSteps(steps): return ResumeTests.loggedSteps(output) >= min(before + steps, 240)
                }
            }
            while process.isRunning, !due(), Date().timeIntervalSince(start) < 60 {
                Thread.sleep(forTimeInterval: 0.005)
            }
            let running = process.isRunning
            if running, group > 0, group != getpgrp() { kill(-group, SIGKILL) }
            loggedAtKill.append(ResumeTests.loggedSteps(output))
            process.waitUntilExit()
            // Ranks that left the group (none expected) are ended too, before the next launch.
            for pid in CommandRunner.rankProcesses(containing: "output=\(output.path)") { kill(pid, SIGKILL) }
            let gone = Date().addingTimeInterval(10)
            while !CommandRunner.rankProcesses(containing: "output=\(output.path)").isEmpty, Date() < gone {
                Thread.sleep(forTimeInterval: 0.01)
            }
            #expect(running, "kill \(index + 1) (\(moment)): the job had already ended")
            if running { kills += 1 }
            #expect(!RunDirectory.isDone(output), "kill \(index + 1) (\(moment)): the run finished before the kill")
        }
        #expect(kills == 5, "plan \(plan)")
        print("kill-and-rerun plan \(plan); steps logged at each kill: \(loggedAtKill)")

        // The work done before the kills is kept: the last rerun continues from a checkpoint at
        // most two checkpoint intervals (8 steps each) behind the furthest step ever logged.
        let newest = try #require(RunDirectory.newestValidCheckpoint(in: output))
        let newestStep = newest.checkpoint.header.state.step
        #expect(newestStep >= (loggedAtKill.max() ?? 0) - 16, "checkpoint step \(newestStep), logged \(loggedAtKill)")
        let final = try CommandRunner.mpirun(ranks: 2, ["train", config, "output=\(output.path)"], timeout: 120)
        #expect(final.status == 0, "\(final.combined)")
        #expect(final.output.contains("resuming from \(newest.file): step \(newestStep)"), "\(final.output)")
        #expect(try Data(contentsOf: output.appendingPathComponent("final.safetensors")) == expected,
                "weights differ from the uninterrupted run (plan \(plan))")
        let steps = try MetricsLog.read(output.appendingPathComponent("metrics.jsonl"))
            .filter { $0.kind == .step }.compactMap { $0["step"] }.map { Int($0) }
        #expect(steps == Array(1...256), "plan \(plan)")
        #expect(Self.replacementsExist(of: output) == false, "a rerun without --fresh must not replace the run")
    }

    /// True when a `<run>.replaced-…` sibling exists.
    static func replacementsExist(of run: URL) -> Bool {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: run.deletingLastPathComponent().path)) ?? []
        return names.contains { $0.hasPrefix(run.lastPathComponent + ".replaced-") }
    }
}
