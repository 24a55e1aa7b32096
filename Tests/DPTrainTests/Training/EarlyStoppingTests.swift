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
