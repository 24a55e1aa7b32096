import Foundation
import Testing
import DPTrain

/// The sharded optimizer update (reduce-scatter → update of this rank's block → all-gather)
/// against the whole update on every rank, through the built binary under `mpirun`.
@Suite("Sharded optimizer update", .serialized)
struct ShardedUpdateTests {
    /// A Fashion-MNIST MLP whose first weight matrix is split between ranks (P = 25,450; the
    /// blocks start at multiples of 16 inside it), clipping that binds on most steps and
    /// gradient noise, 200 updates with η rising over a warmup, then decaying.
    static func config(optimizer: String) -> String {
        """
        name: sharded
        seed: 5
        data: {dataset: fashion-mnist}
        model:
          input: [1, 28, 28]
          layers: [{flatten: {}}, {dense: 32, activation: relu}, {dense: 10}]
        optimizer: \(optimizer)
        batch: {global: 64, micro: 16}
        lr_schedule: {name: cosine, warmup: {epochs: 0.1}}
        train: {epochs: 1, max_steps: 200, eval_every: 0, log_every: 1, noise_every: 10, clip_norm: 0.5,
                gradient_noise: {eta: 0.0001}, checkpoint: {every: 0}}
        """
    }

    static let optimizers = [
        "{name: sgd, lr: 0.05, momentum: 0.9, weight_decay: 0.0001}",
        "{name: adam, lr: 0.001, weight_decay: 0.0001}",
        "{name: lamb, lr: 0.005, weight_decay: 0.01}",
        "{name: lars, lr: 0.5, momentum: 0.9, weight_decay: 0.0001}",
        // The velocity forms hold η in the state: the warmup and decay make η change every step.
        "{name: sgd, lr: 0.05, momentum: 0.9, weight_decay: 0.0001, momentum_correction: false}",
        "{name: lars, lr: 0.5, momentum: 0.9, weight_decay: 0.0001, momentum_correction: false}",
    ]

    /// Largest |a − b| relative to the largest |a|.
    static func relativeDifference(_ a: [Float], _ b: [Float]) -> Double {
        let scale = Double(a.map { abs($0) }.max() ?? 1)
        return Double(zip(a, b).map { abs($0 - $1) }.max() ?? .infinity) / scale
    }

    @Test("sharded and unsharded runs agree within 1e-5 over 200 steps (W = 2 and 4, clipping and noise on)",
          arguments: optimizers)
    func shardedMatchesUnsharded(optimizer: String) throws {
        let directory = try CommandRunner.temporaryDirectory("sharded")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = try TrainingEndToEndTests.write(Self.config(optimizer: optimizer), in: directory)
        for world in [2, 4] {
            var losses: [[Double]] = []
            var norms: [[Double]] = []
            var parameters: [[Float]] = []
            for shard in [false, true] {
                let output = directory.appendingPathComponent("w\(world)-\(shard)")
                let result = try CommandRunner.mpirun(
                    ranks: world, ["train", config, "output=\(output.path)", "train.shard_optimizer=\(shard)", "--quiet"],
                    timeout: 300)
                #expect(result.status == 0, "W=\(world) shard=\(shard): \(result.combined)")
                let records = try MetricsLog.read(output.appendingPathComponent("metrics.jsonl")).filter { $0.kind == .step }
                losses.append(records.compactMap { $0["train_loss"] })
                norms.append(records.compactMap { $0["grad_norm"] })
                parameters.append(try TrainingEndToEndTests.parameters(output))
            }
            #expect(losses[0].count == 200 && losses[1].count == 200, "W=\(world): \(losses.map(\.count)) step lines")
            // Clipping must bind for the comparison to cover it.
            #expect(norms[0].filter { $0 > 0.5 }.count > 20, "W=\(world): clip_norm 0.5 hardly binds")
            for (step, (a, b)) in zip(losses[0], losses[1]).enumerated() {
                #expect(abs(a - b) <= 1e-5 * abs(a), "W=\(world) step \(step + 1): loss \(a) vs \(b)")
            }
            let difference = Self.relativeDifference(parameters[0], parameters[1])
            #expect(parameters[0].count == parameters[1].count && difference <= 1e-5,
                    "W=\(world): final parameters differ by \(difference) relative")
        }
    }

    @Test("a sharded Adam checkpoint of 2 ranks resumes on 4 and on 2 ranks; same W is byte-identical")
    func shardedResumeUnderAnotherWorld() throws {
        let directory = try CommandRunner.temporaryDirectory("sharded-resume")
        defer { try? FileManager.default.removeItem(at: directory) }
        let text = Self.config(optimizer: Self.optimizers[1])
            .replacingOccurrences(of: "checkpoint: {every: 0}", with: "checkpoint: {every: 0.05, keep: 2}")
        let config = try TrainingEndToEndTests.write(text, in: directory)
        func train(_ output: URL, ranks: Int, _ extra: [String]) throws {
            let result = try CommandRunner.mpirun(ranks: ranks, ["train", config, "output=\(output.path)", "--quiet"] + extra,
                                                  timeout: 300)
            #expect(result.status == 0, "\(ranks) ranks \(extra): \(result.combined)")
        }
        let reference = directory.appendingPathComponent("reference")
        try train(reference, ranks: 2, [])
        let expected = try Data(contentsOf: reference.appendingPathComponent("final.safetensors"))
        for world in [2, 4] {
            let output = directory.appendingPathComponent("resumed-\(world)")
            try train(output, ranks: 2, ["train.max_steps=100"])
            try FileManager.default.removeItem(at: output.appendingPathComponent("DONE"))
            try train(output, ranks: world, ["--resume"])
            let found = try Data(contentsOf: output.appendingPathComponent("final.safetensors"))
            if world == 2 {
                #expect(found == expected, "2 → 2 ranks: final weights are not byte-identical")
            } else {
                let difference = Self.relativeDifference(try TrainingEndToEndTests.parameters(reference),
                                                         try TrainingEndToEndTests.parameters(output))
                #expect(difference <= 1e-4, "2 → 4 ranks: final parameters differ by \(difference) relative")
            }
        }
    }
}
