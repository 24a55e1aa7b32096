import Foundation
import Testing
import DPTrain

/// `dptrain noise-scale` through the built binary under `mpirun`: the same result on any
/// number of ranks, from either kind of weights file, and clear errors.
@Suite("Noise scale command", .serialized)
struct NoiseScaleCommandTests {
    static let config = NoiseScaleWorldInvarianceTests.config

    @Test("noise-scale: the same result on 1, 2 and 3 ranks, from final.safetensors or a checkpoint")
    func commandIsWorldInvariant() throws {
        let directory = try CommandRunner.temporaryDirectory("noise-command")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = try TrainingEndToEndTests.write(Self.config.replacingOccurrences(
            of: "checkpoint: {every: 0}", with: "checkpoint: {every: 0.01, keep: 1}"), in: directory)
        let output = directory.appendingPathComponent("run")
        let train = try CommandRunner.mpirun(ranks: 2, ["train", config, "output=\(output.path)", "--quiet"], timeout: 300)
        #expect(train.status == 0, "\(train.combined)")
        let final = output.appendingPathComponent("final.safetensors").path
        let checkpoints = try FileManager.default.contentsOfDirectory(atPath: output.appendingPathComponent("checkpoints").path)
        let checkpoint = output.appendingPathComponent("checkpoints").appendingPathComponent(
            try #require(checkpoints.filter { $0.hasSuffix(".ckpt") }.sorted().last)).path
        var results: [[String: Any]] = []
        for (world, weights) in [(1, final), (2, final), (3, final), (1, checkpoint)] {
            let result = try CommandRunner.mpirun(ranks: world, ["noise-scale", config, "--weights", weights, "--batch", "32",
                                                                 "--json", "data.validation=50000"], timeout: 300)
            #expect(result.status == 0, "W=\(world): \(result.combined)")
            let line = result.output.split(separator: "\n").last.map(String.init) ?? ""
            results.append(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:])
        }
        #expect(results[0]["batch"] as? Int == 32 && results[0]["batches"] as? Int == 312)
        #expect(results[0]["samples"] as? Int == 9984 && results[0]["training_samples"] as? Int == 10000)
        let reference = try #require(results[0]["b_simple"] as? Double)
        #expect(reference > 0)
        for result in results.dropFirst() {
            for key in ["b_simple", "trace", "gradient_squared", "gradient_squared_population"] {
                let a = try #require(results[0][key] as? Double), b = try #require(result[key] as? Double)
                #expect(abs(a - b) <= 1e-9 * abs(a), "\(key): \(a) vs \(b) (world \(result["world"] ?? "?"))")
            }
        }
        // B_simple = tr(Σ)/|G_N|², and tr(Σ)/(n·b) apart from the population estimate.
        let trace = try #require(results[0]["trace"] as? Double), full = try #require(results[0]["gradient_squared"] as? Double)
        #expect(abs(reference - trace / full) <= 1e-12 * reference)
        let population = try #require(results[0]["gradient_squared_population"] as? Double)
        #expect(abs(population - (full - trace / 9984)) <= 1e-12 * full)

        // Several weights: each one's figures, and B_simple = mean tr(Σ) / mean |G_N|² over them.
        let early = output.appendingPathComponent("early.safetensors").path
        let short = try CommandRunner.mpirun(ranks: 1, ["train", config, "output=\(directory.appendingPathComponent("short").path)",
                                                        "train.max_steps=2", "--quiet"], timeout: 300)
        #expect(short.status == 0, "\(short.combined)")
        try FileManager.default.copyItem(atPath: directory.appendingPathComponent("short/final.safetensors").path, toPath: early)
        let both = try CommandRunner.mpirun(ranks: 2, ["noise-scale", config, "--weights", final, "--weights", early,
                                                      "--batch", "32", "--json", "data.validation=50000"], timeout: 300)
        #expect(both.status == 0, "\(both.combined)")
        let line = both.output.split(separator: "\n").last.map(String.init) ?? ""
        let combined = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
        let each = try #require(combined["each"] as? [[String: Any]])
        #expect(combined["weights"] as? Int == 2 && each.count == 2 && each.map { $0["file"] as? String } == [final, early])
        #expect(abs(try #require(each[0]["b_simple"] as? Double) - reference) <= 1e-9 * reference)
        let traces = try each.map { try #require($0["trace"] as? Double) }
        let squares = try each.map { try #require($0["gradient_squared"] as? Double) }
        #expect(abs(squares[1] - squares[0]) > 0.01 * squares[0], "two different weights: \(squares)")
        let expected = (traces[0] + traces[1]) / (squares[0] + squares[1])
        #expect(abs(try #require(combined["b_simple"] as? Double) - expected) <= 1e-12 * expected)
    }

    @Test("noise-scale refuses a missing weights file and a batch of no whole micro-batches, saying what to do")
    func badInput() throws {
        let directory = try CommandRunner.temporaryDirectory("noise-bad")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = try TrainingEndToEndTests.write(Self.config, in: directory)
        let missing = directory.appendingPathComponent("nothing.safetensors").path
        let noFile = try CommandRunner.dptrain(["noise-scale", config, "--weights", missing])
        #expect(noFile.status != 0)
        #expect(noFile.error.contains(missing) && noFile.error.contains("no such file"), "\(noFile.error)")
        let output = directory.appendingPathComponent("run")
        let train = try CommandRunner.dptrain(["train", config, "output=\(output.path)", "train.max_steps=1", "--quiet"],
                                              timeout: 300)
        #expect(train.status == 0, "\(train.combined)")
        let weights = output.appendingPathComponent("final.safetensors").path
        let badBatch = try CommandRunner.dptrain(["noise-scale", config, "--weights", weights, "--batch", "40"])
        #expect(badBatch.status != 0)
        #expect(badBatch.error.contains("--batch 40 is not a multiple of the config's micro-batch 16")
                && badBatch.error.contains("32 or 48"), "\(badBatch.error)")
    }
}
