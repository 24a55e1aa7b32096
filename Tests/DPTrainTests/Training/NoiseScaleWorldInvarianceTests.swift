import Foundation
import Testing
import DPTrain

/// DESIGN §3.7 with §3.3: a step's micro-batches are the same for every W×K split, so the
/// online noise measurement (all W·K micro-batch gradients against the step's) is too.
@Suite("Noise scale W×K invariance", .serialized)
struct NoiseScaleWorldInvarianceTests {
    /// The W×K invariance network (dropout and augmentation, per-sample seeded; B = 64,
    /// m = 16: M = 4 micro-batches per step whatever W) measuring every step, a window of one measurement.
    static let config = TrainingEndToEndTests.invarianceConfig
        .replacingOccurrences(of: "max_steps: 50", with: "max_steps: 12")
        .replacingOccurrences(of: "noise_every: 0", with: "noise_every: 1, noise_window: 0.000001")

    @Test("online B_simple: W×K = 1×4, 2×2, 4×1 log the same measurement at every step")
    func onlineEstimateIsWorldInvariant() throws {
        let directory = try CommandRunner.temporaryDirectory("noise-invariance")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = try TrainingEndToEndTests.write(Self.config, in: directory)
        var estimates: [[Double?]] = []
        for world in [1, 2, 4] {
            let output = directory.appendingPathComponent("w\(world)")
            let result = try CommandRunner.mpirun(ranks: world, ["train", config, "output=\(output.path)", "--quiet"], timeout: 300)
            #expect(result.status == 0, "W=\(world): \(result.combined)")
            let steps = try MetricsLog.read(output.appendingPathComponent("metrics.jsonl")).filter { $0.kind == .step }
            #expect(steps.first?["accumulation"] == Double(4 / world))
            estimates.append(steps.map { $0["b_simple"] })
        }
        // Early in training |G|² is large against the noise, so every step's estimate is defined.
        #expect(estimates[0].count == 12 && estimates[0].allSatisfy { $0 != nil })
        for world in 1...2 {
            for (step, (a, b)) in zip(estimates[0], estimates[world]).enumerated() {
                let a = try #require(a), b = try #require(b)
                #expect(abs(a - b) <= 1e-4 * abs(a), "step \(step + 1): B_simple \(a) (W=1) vs \(b) (W=\([1, 2, 4][world]))")
            }
        }
    }
}
