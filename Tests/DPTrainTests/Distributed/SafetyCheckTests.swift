import DPTrain
import Foundation
import Testing

/// The run's own safety checks, on 2 ranks through the built binary: the replica check
/// (`train.check_replicas_every`, DESIGN §3.4) and a real divergence (DESIGN §3.8).
@Suite("Replica check and divergence", .serialized)
struct SafetyCheckTests {
    /// Spirals, 32 steps per epoch, a checkpoint every quarter epoch (8 steps).
    static let config = """
        name: safety
        seed: 7
        data: {dataset: spirals, samples: 2048, test_samples: 256}
        model: {input: [2], layers: [{dense: 32, activation: relu}, {dense: 2}]}
        optimizer: {name: sgd, lr: 0.1, momentum: 0.9}
        batch: {global: 64, micro: 16}
        train: {epochs: 2, eval_every: 1, log_every: 8, checkpoint: {every: 0.25, keep: 3}}
        """

    static func setUp(_ name: String, extra: String = "") throws -> (directory: URL, config: String) {
        try CommandRunner.configFile(config + "\n" + extra, name: name)
    }

    static func errorLines(_ result: CommandRunner.Result) -> [Substring] {
        result.error.split(separator: "\n").filter { $0.hasPrefix("error") }
    }

    @Test("identical replicas pass a check after every step; the run finishes")
    func replicaCheckPasses() throws {
        let (directory, config) = try Self.setUp("replicas-same")
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("run")
        let result = try CommandRunner.mpirun(ranks: 2, ["train", config, "output=\(output.path)", "--quiet",
                                                         "train.check_replicas_every=1"], timeout: 120)
        #expect(result.status == 0, "\(result.combined)")
        #expect(RunDirectory.isDone(output))
    }

    /// Rank 1's reduced gradient changes by 0.001 in one element at step 12 (`drift@12:1`): no
    /// NaN, nothing else notices; the check every 5 steps must stop the job at step 15. The
    /// update is unsharded here: a sharded one re-gathers every parameter from its owner each
    /// step, so a replica cannot drift through its gradient.
    @Test("a replica that drifted is detected at the next check and the job stops with one message")
    func replicaDriftIsDetected() throws {
        let (directory, config) = try Self.setUp("replicas-drift")
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("run")
        let result = try CommandRunner.mpirun(ranks: 2, ["train", config, "output=\(output.path)", "--quiet",
                                                         "train.check_replicas_every=5", "train.shard_optimizer=false"],
                                              timeout: 120, environment: ["DPTRAIN_FAULT": "drift@12:1"])
        #expect(!result.timedOut)
        #expect(result.status != 0)
        let lines = Self.errorLines(result)
        #expect(lines.count == 1, "\(result.error)")
        #expect(lines.first?.contains("replicas differ: parameter checksums range from") == true, "\(lines)")
        #expect(lines.first?.hasSuffix("at step 15") == true, "\(lines)")
        #expect(!RunDirectory.isDone(output))

        // Without the check the same fault goes unnoticed: the run finishes.
        let unchecked = directory.appendingPathComponent("unchecked")
        let silent = try CommandRunner.mpirun(ranks: 2, ["train", config, "output=\(unchecked.path)", "--quiet",
                                                          "train.shard_optimizer=false"],
                                              timeout: 120, environment: ["DPTRAIN_FAULT": "drift@12:1"])
        #expect(silent.status == 0, "\(silent.combined)")
    }

    /// The LR is multiplied by 10^30 at epoch 1 (a multistep schedule): the update of step 33
    /// blows the weights up and the following gradients overflow to NaN — no injected fault.
    @Test("a real divergence stops with the documented message and keeps the checkpoints written before it")
    func realDivergence() throws {
        let (directory, config) = try Self.setUp("diverge", extra: "lr_schedule: {name: multistep, milestones: [1], gamma: 1e30}")
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("run")
        let result = try CommandRunner.mpirun(ranks: 2, ["train", config, "output=\(output.path)", "--quiet"], timeout: 120)
        #expect(!result.timedOut)
        #expect(result.status != 0)
        let lines = Self.errorLines(result)
        #expect(lines.count == 1, "\(result.error)")
        let line = String(lines.first ?? "")
        #expect(line.contains("training diverged: 5 non-finite gradients in a row, the last at step "), "\(line)")
        #expect(line.contains("Lower optimizer.lr, add warmup (lr_schedule.warmup.epochs) or gradient clipping (train.clip_norm)."))
        // The checkpoint it names exists and loads; those of the first epoch are all kept.
        let named = try #require(line.range(of: "Last good checkpoint: ").map { String(line[$0.upperBound...].dropLast()) },
                                 "no checkpoint named: \(line)")
        _ = try Checkpoint.read(from: output.appendingPathComponent(named))
        let files = RunDirectory.checkpointFiles(in: output).map(\.lastPathComponent)
        #expect(files.contains("step-000000032.ckpt") && files.contains("step-000000024.ckpt"), "\(files)")
        for file in RunDirectory.checkpointFiles(in: output) { _ = try Checkpoint.read(from: file) }
        #expect(!RunDirectory.isDone(output))
        let steps = try MetricsLog.read(output.appendingPathComponent("metrics.jsonl")).filter { $0.kind == .step }
        #expect(steps.contains { $0["step"] == 32 && ($0["train_loss"] ?? .nan).isFinite }, "healthy before the milestone")
    }
}
