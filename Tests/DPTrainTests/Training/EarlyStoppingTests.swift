import Foundation
import Testing
import DPTrain

@Suite("Early stopping")
struct EarlyStoppingTests {
    @Test("patience counts evaluations without improvement")
    func patience() {
        var stopping = EarlyStopping(criterion: .patience(patience: 2, minDelta: 0))
        #expect(stopping.observe(loss: 1.0, step: 1) == .init(improved: true, stop: false, reason: nil))
        #expect(stopping.observe(loss: 0.8, step: 2).improved)
        #expect(!stopping.observe(loss: 0.9, step: 3).stop)
        let decision = stopping.observe(loss: 0.85, step: 4)
        #expect(decision.stop && !decision.improved)
        #expect(stopping.bestStep == 2 && stopping.bestLoss == 0.8)
    }

    @Test("Prechelt's GL stops when 100·(E/E_opt − 1) exceeds alpha")
    func generalisationLoss() {
        var stopping = EarlyStopping(criterion: .gl(alpha: 5))
        _ = stopping.observe(loss: 1.0, step: 1)
        #expect(!stopping.observe(loss: 1.04, step: 2).stop)   // GL = 4
        #expect(stopping.observe(loss: 1.06, step: 3).stop)    // GL = 6
    }

    /// An over-parameterised regression (100 training samples, 64 features, noisy targets)
    /// fits the noise: validation loss falls, then rises. The run stops and final.safetensors
    /// holds the weights of the best validation loss.
    @Test("a run whose validation loss rises stops and keeps the best weights")
    func stopsAndKeepsBest() throws {
        let directory = try CommandRunner.temporaryDirectory("early-stopping")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = try TrainingTestSupport.config("""
            name: overfit
            output: \(directory.path)
            data: {dataset: linear_regression, samples: 600, test_samples: 200, features: 64, noise: 2.0, validation: 500}
            model: {input: [64], layers: [{dense: 1, bias: false}]}
            loss: mse
            optimizer: {name: sgd, lr: 0.02, momentum: 0.9}
            batch: {global: 20, micro: 20}
            train: {epochs: 300, eval_every: 1, log_every: 1000, early_stopping: {criterion: patience, patience: 5}}
            """)
        let builder = try RunBuilder(config: config, communicator: LocalCommunicator())
        let trainer = try builder.makeTrainer(writeRunDirectory: true)
        let summary = try trainer.run()
        #expect(summary.stopReason != nil)
        #expect(summary.epochs < 300)
        let records = try MetricsLog.read(directory.appendingPathComponent("metrics.jsonl"))
        let validation = records.filter { $0.kind == .eval }.compactMap { $0["val_loss"] }
        let best = try #require(validation.min())
        #expect(validation.last! > best)  // it really got worse before stopping
        // The saved weights reproduce the best validation loss.
        let file = try SafeTensors.read(from: directory.appendingPathComponent("final.safetensors"))
        try file.load(into: trainer.model.store, file: "final.safetensors")
        let reloaded = try trainer.evaluate(try #require(builder.data.validation))
        #expect(abs(reloaded.loss - best) <= 1e-9 * best)
    }
}

/// A run that stops early (early stopping here; a study target the same way) and is killed after
/// its last checkpoint but before `DONE` must, run again, end exactly as the uninterrupted run:
/// no checkpoint may hold the stopped state (restored best weights, a spent stop), or the rerun
/// would train on past the stop from it.
@Suite("Early stop, killed before DONE", .serialized)
struct EarlyStopRerunTests {
    static let config = """
        name: overfit-rerun
        seed: 3
        data: {dataset: linear_regression, samples: 600, test_samples: 200, features: 64, noise: 2.0, validation: 500}
        model: {input: [64], layers: [{dense: 1, bias: false}]}
        loss: mse
        optimizer: {name: sgd, lr: 0.02, momentum: 0.9}
        batch: {global: 20, micro: 20}
        train: {epochs: 300, eval_every: 1, log_every: 5, early_stopping: {criterion: patience, patience: 5},
                checkpoint: {every: 2, keep: 1000}}
        """

    /// Every line of metrics.jsonl without its clock-dependent fields (wall seconds, samples/s).
    static func lines(_ run: URL) throws -> [String] {
        try MetricsLog.read(run.appendingPathComponent("metrics.jsonl")).map { record in
            record.kind.rawValue + ":" + record.fields.filter { !$0.key.contains("wall") && $0.key != "samples_per_second" }
                .map { "\($0.key)=\($0.value.map { String($0) } ?? "null")" }.joined(separator: ",")
        }
    }

    @Test("rerun after a kill between the last checkpoint and DONE: same weights, same lines, one summary")
    func rerunEndsLikeTheUninterruptedRun() throws {
        let (directory, config) = try CommandRunner.configFile(Self.config, name: "early-stop-rerun")
        defer { try? FileManager.default.removeItem(at: directory) }
        let reference = directory.appendingPathComponent("reference")
        let first = try CommandRunner.dptrain(["train", config, "output=\(reference.path)", "--quiet"])
        #expect(first.status == 0, "\(first.combined)")
        let stopped = try MetricsLog.read(reference.appendingPathComponent("metrics.jsonl")).filter { $0.kind == .summary }
        #expect(stopped.count == 1 && (stopped.first?["epoch"] ?? 300) < 300, "the run should stop early")
        // The state a kill just before DONE leaves: every file but DONE.
        let run = directory.appendingPathComponent("run")
        try FileManager.default.copyItem(at: reference, to: run)
        try FileManager.default.removeItem(at: run.appendingPathComponent("DONE"))
        let rerun = try CommandRunner.dptrain(["train", config, "output=\(run.path)", "--quiet"])
        #expect(rerun.status == 0, "\(rerun.combined)")
        #expect(try Data(contentsOf: run.appendingPathComponent("final.safetensors"))
                == Data(contentsOf: reference.appendingPathComponent("final.safetensors")))
        #expect(try Self.lines(run) == Self.lines(reference))
    }
}

/// Checkpoints store ``EarlyStopping`` as JSON; its keys and values must not change, so that
/// checkpoints written before the criterion became a type still resume (and vice versa).
@Suite("Early stopping in checkpoints")
struct EarlyStoppingCheckpointTests {
    static func json(_ stopping: EarlyStopping) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try encoder.encode(stopping), as: UTF8.self)
    }

    @Test("the JSON form keeps the string criterion and the defaults of unused options")
    func jsonForm() throws {
        #expect(try Self.json(EarlyStopping(criterion: .none))
                == #"{"alpha":5,"bestLoss":"inf","bestStep":-1,"criterion":"none","evaluationsWithoutImprovement":0,"minDelta":0,"patience":5}"#)
        var patience = EarlyStopping(criterion: .patience(patience: 3, minDelta: 0.25))
        _ = patience.observe(loss: 2, step: 7)
        _ = patience.observe(loss: 1.9, step: 8)
        #expect(try Self.json(patience)
                == #"{"alpha":5,"bestLoss":1.9,"bestStep":8,"criterion":"patience","evaluationsWithoutImprovement":1,"minDelta":0.25,"patience":3}"#)
        #expect(try Self.json(EarlyStopping(criterion: .gl(alpha: 2.5)))
                == #"{"alpha":2.5,"bestLoss":"inf","bestStep":-1,"criterion":"gl","evaluationsWithoutImprovement":0,"minDelta":0,"patience":5}"#)
    }

    @Test("decoding restores the criterion with its options and the progress")
    func roundTrip() throws {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        var patience = EarlyStopping(criterion: .patience(patience: 3, minDelta: 0.25))
        _ = patience.observe(loss: 2, step: 7)
        _ = patience.observe(loss: 1.9, step: 8)
        for stopping in [patience, EarlyStopping(criterion: .gl(alpha: 2.5)), EarlyStopping(criterion: .none)] {
            let decoded = try decoder.decode(EarlyStopping.self, from: Data(try Self.json(stopping).utf8))
            #expect(decoded == stopping)
        }
    }
}
