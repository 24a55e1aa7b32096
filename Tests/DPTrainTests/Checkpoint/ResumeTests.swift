import Foundation
import Testing
import DPTrain

/// Checkpoints, exact resume and collective failure handling, through the built binary.
@Suite("Checkpoints and resume", .serialized)
struct ResumeTests {
    /// Spirals, 2 ranks, checkpoint every quarter epoch: 32 steps per epoch, 8 epochs.
    static let config = """
        name: resume
        seed: 11
        data: {dataset: spirals, samples: 2048, test_samples: 256}
        model: {input: [2], layers: [{dense: 32, activation: relu}, {dropout: 0.1}, {dense: 2}]}
        optimizer: {name: sgd, lr: 0.1, momentum: 0.9}
        batch: {global: 64, micro: 16}
        lr_schedule: {name: cosine}
        train: {epochs: 8, eval_every: 2, log_every: 1, checkpoint: {every: 0.25, keep: 3}}
        """

    static func setUp() throws -> (directory: URL, config: String) {
        try CommandRunner.configFile(config, name: "resume")
    }

    static func train(_ config: String, output: URL, ranks: Int = 2, extra: [String] = [],
                      environment: [String: String] = [:]) throws -> CommandRunner.Result {
        try CommandRunner.mpirun(ranks: ranks, ["train", config, "output=\(output.path)", "--quiet"] + extra,
                                 timeout: 120, environment: environment)
    }

    static func loggedSteps(_ output: URL) -> Int {
        guard let text = try? String(contentsOf: output.appendingPathComponent("metrics.jsonl"), encoding: .utf8) else { return 0 }
        return text.split(separator: "\n").filter { $0.contains("\"kind\":\"step\"") }.count
    }

    @Test("SIGKILL of one rank at a random step, then relaunch: byte-identical final weights")
    func killAndResume() throws {
        let (directory, config) = try Self.setUp()
        defer { try? FileManager.default.removeItem(at: directory) }
        let reference = directory.appendingPathComponent("uninterrupted")
        let clean = try Self.train(config, output: reference)
        #expect(clean.status == 0, "\(clean.combined)")
        let expected = try Data(contentsOf: reference.appendingPathComponent("final.safetensors"))
        var generator = SystemRandomNumberGenerator()
        for attempt in 0..<3 {
            let output = directory.appendingPathComponent("killed-\(attempt)")
            let killStep = Int.random(in: 20...220, using: &generator)
            // A slow run (5 ms per step) in the background; kill rank 1 once it logged killStep.
            let process = try CommandRunner.startTraining(config, output: output, fault: "slow-steps@5")
            let ranks = CommandRunner.killOneRank(of: process, output: output, timeout: 60) {
                Self.loggedSteps(output) >= killStep
            }
            #expect(ranks.count == 2, "attempt \(attempt): found rank processes \(ranks)")
            #expect(process.terminationStatus != 0, "the killed job must fail")
            #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent("DONE").path))
            let resumed = try Self.train(config, output: output)  // the same command again
            #expect(resumed.status == 0, "\(resumed.combined)")
            #expect(resumed.output.contains("resuming from"), "\(resumed.output)")
            #expect(resumed.output.contains("samples logged after it are replayed"))
            let final = try Data(contentsOf: output.appendingPathComponent("final.safetensors"))
            #expect(final == expected, "attempt \(attempt) (killed near step \(killStep)): weights differ")
            // The metrics read as one run: every step once, in order.
            let steps = try MetricsLog.read(output.appendingPathComponent("metrics.jsonl"))
                .filter { $0.kind == .step }.compactMap { $0["step"] }.map { Int($0) }
            #expect(steps == Array(1...256))
        }
    }

    @Test("a checkpoint written on 2 ranks resumes on 1 rank (same B) to the same parameters")
    func resumeOnFewerRanks() throws {
        let (directory, config) = try Self.setUp()
        defer { try? FileManager.default.removeItem(at: directory) }
        let reference = directory.appendingPathComponent("two-ranks")
        #expect(try Self.train(config, output: reference).status == 0)
        let output = directory.appendingPathComponent("switched")
        // Stop the 2-rank run after 100 steps (max_steps may change; it is a train.* key), keep its checkpoints.
        #expect(try Self.train(config, output: output, extra: ["train.max_steps=100"]).status == 0)
        try? FileManager.default.removeItem(at: output.appendingPathComponent("DONE"))
        let resumed = try Self.train(config, output: output, ranks: 1)
        #expect(resumed.status == 0, "\(resumed.combined)")
        #expect(resumed.output.contains("written by 2 ranks, resuming on 1"))
        let a = try SafeTensors.read(from: reference.appendingPathComponent("final.safetensors")).tensors.flatMap(\.values)
        let b = try SafeTensors.read(from: output.appendingPathComponent("final.safetensors")).tensors.flatMap(\.values)
        let scale = a.map { abs($0) }.max() ?? 1
        let difference = zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
        #expect(a.count == b.count && difference / scale <= 1e-4, "relative difference \(difference / scale)")
    }

    @Test("a truncated or damaged newest checkpoint is reported and the previous one is used")
    func damagedCheckpoints() throws {
        let (directory, config) = try Self.setUp()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("run")
        #expect(try Self.train(config, output: output, extra: ["train.max_steps=100"]).status == 0)
        let files = RunDirectory.checkpointFiles(in: output)
        #expect(files.count == 3)
        // Newest: truncated. Second newest: one flipped byte in the payload.
        let newest = try Data(contentsOf: files[2])
        try newest.prefix(newest.count / 2).write(to: files[2])
        var second = try Data(contentsOf: files[1])
        second[second.count - 100] ^= 0x40
        try second.write(to: files[1])
        try FileManager.default.removeItem(at: output.appendingPathComponent("DONE"))
        let resumed = try Self.train(config, output: output, extra: ["--resume"])
        #expect(resumed.status == 0, "\(resumed.combined)")
        #expect(resumed.output.contains("\(files[2].lastPathComponent) is not valid"))
        #expect(resumed.output.contains("\(files[1].lastPathComponent) is not valid: checksum mismatch"))
        #expect(resumed.output.contains("resuming from \(files[0].path)"))
    }

    @Test("killed after N bytes of a checkpoint write: the partial file is never loaded and the rerun ends byte-identical")
    func killDuringCheckpointWrite() throws {
        let (directory, config) = try Self.setUp()
        defer { try? FileManager.default.removeItem(at: directory) }
        let reference = directory.appendingPathComponent("uninterrupted")
        #expect(try Self.train(config, output: reference).status == 0)
        let expected = try Data(contentsOf: reference.appendingPathComponent("final.safetensors"))
        let complete = try #require(RunDirectory.checkpointFiles(in: reference).last)
        let size = try Data(contentsOf: complete).count
        let cut = size / 2
        // Rank 0 dies by SIGKILL with half of step 40's checkpoint written (checkpoints every 8 steps, keep 3).
        let output = directory.appendingPathComponent("run")
        let killed = try Self.train(config, output: output, environment: ["DPTRAIN_FAULT": "kill-in-checkpoint@40:\(cut)"])
        #expect(killed.status != 0 && !killed.timedOut, "\(killed.combined)")
        let checkpoints = output.appendingPathComponent("checkpoints")
        let partial = checkpoints.appendingPathComponent("step-000000040.ckpt.tmp")
        let partialBytes = try Data(contentsOf: partial)
        #expect(partialBytes.count == cut, "the write must stop after \(cut) of \(size) bytes")
        let files = RunDirectory.checkpointFiles(in: output)
        #expect(files.map(\.lastPathComponent) == ["step-000000024.ckpt", "step-000000032.ckpt"]
                || files.map(\.lastPathComponent) == ["step-000000016.ckpt", "step-000000024.ckpt", "step-000000032.ckpt"],
                "\(files)")
        for file in files {
            #expect(throws: Never.self) { try Checkpoint.read(from: file) }
        }
        #expect(throws: (any Error).self) { try Checkpoint.parse(partialBytes, file: partial.path) }
        // Even under a checkpoint's name the partial bytes are refused (and kept as *.damaged).
        let disguised = checkpoints.appendingPathComponent("step-000000041.ckpt")
        try partialBytes.write(to: disguised)
        let resumed = try Self.train(config, output: output)  // the same command again
        #expect(resumed.status == 0, "\(resumed.combined)")
        #expect(resumed.output.contains("skipping checkpoint \(disguised.path)") || resumed.output.contains("step-000000041.ckpt is not valid"),
                "\(resumed.output)")
        #expect(resumed.output.contains("resuming from \(checkpoints.path)/step-000000032.ckpt"), "\(resumed.output)")
        #expect(try Data(contentsOf: checkpoints.appendingPathComponent("step-000000041.ckpt.damaged")) == partialBytes)
        #expect(try Data(contentsOf: output.appendingPathComponent("final.safetensors")) == expected)
        let steps = try MetricsLog.read(output.appendingPathComponent("metrics.jsonl"))
            .filter { $0.kind == .step }.compactMap { $0["step"] }.map { Int($0) }
        #expect(steps == Array(1...256))
    }

    /// Checkpoints fall every 8 steps (a quarter epoch); steps 30–33 are NaN and skipped, so the
    /// checkpoint at step 32 still holds the parameters of step 29 and is the last good one.
    @Test("a diverging run stops on every rank with the step, LR and last checkpoint")
    func divergence() throws {
        let (directory, config) = try Self.setUp()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("run")
        let result = try Self.train(config, output: output, extra: ["train.max_bad_steps=4"],
                                    environment: ["DPTRAIN_FAULT": "nan-from@30"])
        #expect(!result.timedOut)
        #expect(result.status != 0)
        let lines = result.error.split(separator: "\n").filter { $0.hasPrefix("error") }
        #expect(lines.count == 1, "\(result.error)")
        #expect(lines.first?.contains("4 non-finite gradients in a row, the last at step 33 with learning rate") == true)
        #expect(lines.first?.contains("Last good checkpoint: checkpoints/step-000000032.ckpt") == true, "\(lines)")
    }

    @Test("one isolated non-finite step is skipped by every rank, counted, and training continues")
    func isolatedNonFiniteStep() throws {
        let (directory, config) = try Self.setUp()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("run")
        let result = try Self.train(config, output: output, environment: ["DPTRAIN_FAULT": "nan@40:1"])
        #expect(result.status == 0, "\(result.combined)")
        let steps = try MetricsLog.read(output.appendingPathComponent("metrics.jsonl")).filter { $0.kind == .step }
        #expect(steps.first { $0["step"] == 39 }?["skipped_steps"] == 0)
        #expect(steps.first { $0["step"] == 40 }?["skipped_steps"] == 1)
        #expect(steps.last?["skipped_steps"] == 1 && steps.count == 256)
    }

    @Test("a rank started with a different config aborts the job at start, naming the key")
    func configMismatch() throws {
        let (directory, config) = try Self.setUp()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("run").path
        let result = try CommandRunner.run("/usr/bin/mpirun", [
            "-n", "1", CommandRunner.dptrainPath, "train", config, "output=\(output)", "--quiet", ":",
            "-n", "1", CommandRunner.dptrainPath, "train", config, "output=\(output)", "optimizer.lr=0.2", "--quiet",
        ], timeout: 60)
        #expect(!result.timedOut && result.status != 0)
        #expect(result.error.contains("rank 1 was started with a different config than rank 0: optimizer.lr is 0.2 here but 0.1 on rank 0"))
    }

    @Test("a stalled rank is ended by the watchdog within its timeout")
    func watchdog() throws {
        let (directory, config) = try Self.setUp()
        defer { try? FileManager.default.removeItem(at: directory) }
        let start = Date()
        let result = try Self.train(config, output: directory.appendingPathComponent("run"),
                                    extra: ["train.stall_timeout=3"], environment: ["DPTRAIN_FAULT": "stall@20:1"])
        #expect(!result.timedOut && result.status != 0)
        #expect(Date().timeIntervalSince(start) < 30)
        #expect(result.error.contains("no training step completed in 3 s (train.stall_timeout)"))
    }

    @Test("a checkpoint of another model or optimizer is refused naming the first mismatch")
    func mismatchedCheckpoint() throws {
        let small = try RunBuilder(config: TrainingTestSupport.config(Self.config), communicator: LocalCommunicator())
        let checkpoint = try small.makeTrainer(writeRunDirectory: false).makeCheckpoint()
        let wider = try RunBuilder(config: TrainingTestSupport.config(Self.config, ["model.layers.0.dense=48"]),
                                   communicator: LocalCommunicator())
        #expect(throws: CheckpointError.mismatch(file: "c.ckpt", field: "shape of dense.0.weight",
                                                 expected: "[48, 2]", found: "[32, 2]")) {
            try checkpoint.validate(against: wider.model.store, optimizer: wider.optimizer, file: "c.ckpt")
        }
        let adam = try RunBuilder(config: TrainingTestSupport.config(Self.config, ["optimizer={name: adam}"]),
                                  communicator: LocalCommunicator())
        #expect(throws: CheckpointError.mismatch(file: "c.ckpt", field: "optimizer", expected: "adam", found: "sgd")) {
            try checkpoint.validate(against: adam.model.store, optimizer: adam.optimizer, file: "c.ckpt")
        }
    }
}
