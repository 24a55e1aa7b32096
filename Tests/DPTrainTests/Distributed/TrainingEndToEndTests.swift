import Foundation
import Testing
import DPTrain

/// Data-parallel training through the built binary under `mpirun` (DESIGN §3).
@Suite("Training end to end", .serialized)
struct TrainingEndToEndTests {
    /// A small Fashion-MNIST MLP with dropout and augmentation (both per-sample seeded),
    /// B = 64, m = 16: W×K = 1×4, 2×2 and 4×1 are the same global batches.
    static let invarianceConfig = """
        name: invariance
        seed: 7
        data: {dataset: fashion-mnist, augment: {shift: 1}}
        model:
          input: [1, 28, 28]
          layers: [{flatten: {}}, {dense: 64, activation: relu}, {dropout: 0.2}, {dense: 10}]
        optimizer: {name: sgd, lr: 0.05, momentum: 0.9}
        batch: {global: 64, micro: 16}
        train: {epochs: 1, max_steps: 50, eval_every: 0, log_every: 1, noise_every: 0, checkpoint: {every: 0}}
        """

    static func write(_ text: String, in directory: URL, name: String = "config.yaml") throws -> String {
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    static func stepLosses(_ runDirectory: URL) throws -> [Double] {
        try MetricsLog.read(runDirectory.appendingPathComponent("metrics.jsonl"))
            .filter { $0.kind == .step }.compactMap { $0["train_loss"] }
    }

    static func parameters(_ runDirectory: URL) throws -> [Float] {
        try SafeTensors.read(from: runDirectory.appendingPathComponent("final.safetensors")).tensors.flatMap(\.values)
    }

    /// The same network with synchronized batch norm: statistics over the global batch, so
    /// the decompositions agree too (ghost batch norm would not: its statistics are per
    /// micro-batch of m samples).
    static let syncBatchNormConfig = invarianceConfig.replacingOccurrences(
        of: "{dense: 64, activation: relu}, {dropout: 0.2}",
        with: "{dense: 64}, {batchnorm: {sync: true}}, {activation: relu}, {dropout: 0.2}")

    @Test("W×K = 1×4, 2×2, 4×1 give the same losses at every step and the same parameters",
          arguments: ["dropout", "sync batch norm"])
    func worldSizeInvariance(network: String) throws {
        let directory = try CommandRunner.temporaryDirectory("invariance")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = try Self.write(network == "dropout" ? Self.invarianceConfig : Self.syncBatchNormConfig, in: directory)
        var losses: [[Double]] = []
        var parameters: [[Float]] = []
        for world in [1, 2, 4] {
            let output = directory.appendingPathComponent("w\(world)")
            let result = try CommandRunner.mpirun(ranks: world, ["train", config, "output=\(output.path)", "--quiet"], timeout: 300)
            #expect(result.status == 0, "W=\(world): \(result.combined)")
            #expect(result.output.contains("done: 50 steps"))
            let records = try MetricsLog.read(output.appendingPathComponent("metrics.jsonl")).filter { $0.kind == .step }
            #expect(records.first?["world"] == Double(world))
            #expect(records.first?["accumulation"] == Double(4 / world))
            losses.append(try Self.stepLosses(output))
            parameters.append(try Self.parameters(output))
        }
        #expect(losses[0].count == 50)
        for world in 1...2 {
            #expect(losses[world].count == 50)
            for (step, (a, b)) in zip(losses[0], losses[world]).enumerated() {
                #expect(abs(a - b) <= 1e-4 * abs(a), "step \(step + 1): \(a) vs \(b) (W=\([1, 2, 4][world]))")
            }
            let scale = parameters[0].map { abs($0) }.max() ?? 1
            let difference = zip(parameters[0], parameters[world]).map { abs($0 - $1) }.max() ?? 0
            #expect(difference / scale <= 1e-4, "parameters differ by \(difference / scale) relative")
        }
    }

    @Test("the same config, W and K run twice give byte-identical weights and identical losses")
    func determinism() throws {
        let directory = try CommandRunner.temporaryDirectory("determinism")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = try Self.write(Self.invarianceConfig, in: directory)
        var files: [Data] = []
        var losses: [[Double]] = []
        // The same command twice (same output too: the resolved config, saved in the file's
        // metadata, includes it).
        for _ in 0..<2 {
            let output = directory.appendingPathComponent("run")
            let result = try CommandRunner.mpirun(ranks: 2, ["train", config, "output=\(output.path)", "--quiet"], timeout: 300)
            #expect(result.status == 0, "\(result.combined)")
            files.append(try Data(contentsOf: output.appendingPathComponent("final.safetensors")))
            losses.append(try Self.stepLosses(output))
        }
        #expect(files[0] == files[1])
        #expect(losses[0] == losses[1] && losses[0].count == 50)
    }

    @Test("evaluation counts every test sample once: W = 1, 2, 3 agree exactly")
    func exactEvaluation() throws {
        let directory = try CommandRunner.temporaryDirectory("evaluation")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = try Self.write(Self.invarianceConfig, in: directory)
        let output = directory.appendingPathComponent("run")
        let train = try CommandRunner.mpirun(ranks: 2, ["train", config, "output=\(output.path)", "--quiet"], timeout: 300)
        #expect(train.status == 0, "\(train.combined)")
        let weights = output.appendingPathComponent("final.safetensors").path
        var results: [[String: Double]] = []
        for world in [1, 2, 3] {
            let result = try CommandRunner.mpirun(ranks: world, ["eval", config, "--weights", weights, "--json"], timeout: 300)
            #expect(result.status == 0, "W=\(world): \(result.combined)")
            let line = result.output.split(separator: "\n").last.map(String.init) ?? ""
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Double] ?? [:]
            results.append(object)
        }
        #expect(results[0]["test_count"] == 10000)
        for world in 1...2 {
            #expect(results[world]["test_count"] == 10000)
            #expect(results[world]["test_correct"] == results[0]["test_correct"])
            let a = results[0]["test_loss"] ?? 0, b = results[world]["test_loss"] ?? 1
            #expect(abs(a - b) <= 1e-6 * abs(a), "test loss \(a) vs \(b)")
            #expect(results[world]["world"] == Double([1, 2, 3][world]))
        }
    }

    /// Spirals (N = 2048), B₀ = 64 on 2 ranks with m = 16, linear scaling against base 32,
    /// 1 epoch of warmup from the unscaled LR, and B ×2 at epoch 2.
    @Test("logged LR, B and K follow the scaling rule, warmup and batch schedule")
    func loggedPlan() throws {
        let directory = try CommandRunner.temporaryDirectory("plan")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = try Self.write("""
            name: plan
            data: {dataset: spirals, samples: 2048, test_samples: 256}
            model: {input: [2], layers: [{dense: 16, activation: relu}, {dense: 2}]}
            optimizer: {name: sgd, lr: 0.05}
            batch: {global: 64, micro: 16, schedule: [{epoch: 2, factor: 2}]}
            lr_schedule: {name: constant, warmup: {epochs: 1}, scale: {rule: linear, base_batch: 32}}
            train: {epochs: 3, eval_every: 0, log_every: 1, noise_every: 0}
            """, in: directory)
        let output = directory.appendingPathComponent("run")
        let result = try CommandRunner.mpirun(ranks: 2, ["train", config, "output=\(output.path)", "--quiet"], timeout: 120)
        #expect(result.status == 0, "\(result.combined)")
        let steps = try MetricsLog.read(output.appendingPathComponent("metrics.jsonl")).filter { $0.kind == .step }
        #expect(steps.count == 32 + 32 + 16)
        for record in steps {
            let batch = try #require(record["batch"]), samples = try #require(record["samples"])
            let before = (samples - batch) / 2048  // progress when the step started
            // η = 0.05 · 64/32 · φ(t); warmup φ goes from 1/2 (the unscaled LR) to 1 over epoch 1.
            let phi = before < 1 ? 0.5 + 0.5 * before : 1
            #expect(abs(try #require(record["lr"]) - 0.1 * phi) < 1e-12, "lr at t = \(before)")
            let expectedBatch: Double = before < 2 ? 64 : 128
            #expect(batch == expectedBatch, "B at t = \(before)")
            #expect(record["accumulation"] == expectedBatch / 32)
            #expect(record["world"] == 2)
        }
    }
}
