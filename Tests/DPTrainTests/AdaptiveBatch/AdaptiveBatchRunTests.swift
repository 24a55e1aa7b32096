import Foundation
import Testing
import DPTrain

/// Adaptive batch runs end to end: the logged decisions and LRs follow the rule, the run is
/// W × K invariant (1×4, 2×2, 4×1 under `mpirun`), and a SIGKILLed run rerun with the same
/// command ends with byte-identical weights.
@Suite("Adaptive batch runs", .serialized)
struct AdaptiveBatchRunTests {
    /// Spirals (N = 2048), B₀ = 64 = 4 micro-batches of 16 (W×K = 1×4, 2×2 and 4×1), B growing
    /// on the grid of 64 up to 1024 every 0.25 epochs, LR by AdaScale on a constant schedule.
    static let config = """
        name: adaptive
        seed: 5
        data: {dataset: spirals, samples: 2048, test_samples: 256, noise: 0.05}
        model:
          input: [2]
          layers: [{dense: 32, activation: relu}, {dropout: 0.1}, {dense: 32, activation: relu}, {dense: 2}]
        optimizer: {name: sgd, lr: 0.1, momentum: 0.9}
        batch: {global: 64, micro: 16, adaptive: {factor: 4, every: 0.25, multiple_of: 64, max: 1024, lr: adascale}}
        lr_schedule: {name: constant}
        train: {epochs: 3, eval_every: 1, log_every: 1, noise_every: 1, noise_window: 0.25, checkpoint: {every: 0.1}}
        """

    static func steps(_ output: URL) throws -> [MetricRecord] {
        try MetricsLog.read(output.appendingPathComponent("metrics.jsonl")).filter { $0.kind == .step }
    }

    /// Replays the rule on the run's own step lines: before each step, at the first step at or
    /// after each multiple of 0.25 epochs, B must become chooseBatch(B, the B_simple logged by the
    /// previous step) and stay otherwise; each step's LR is 0.1 × its logged gain (constant φ);
    /// the run ends once the scale-invariant clock reaches 3 epochs (after the last step, or when
    /// the epoch's dropped tail moves the clock there), having seen more than 3 epochs of data.
    @Test("logged B, gain and LR follow the rule; the run ends on the scale-invariant clock")
    func decisionsReplay() throws {
        let (directory, file) = try CommandRunner.configFile(Self.config, name: "adaptive-replay")
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("run")
        let config = try TrainingConfig.load(file: file, overrides: ["output=\(output.path)"])
        let builder = try RunBuilder(config: config, communicator: LocalCommunicator())
        let trainer = try builder.makeTrainer(writeRunDirectory: true)
        try trainer.run()
        let policy = try #require(try builder.makePlan().adaptive)
        let records = try Self.steps(output)
        var batch = 64, nextDecision = 0.25, changes = 0
        for (index, record) in records.enumerated() {
            let logged = try #require(record["batch"]), epoch = try #require(record["epoch"])
            let start = epoch - logged / 2048  // progress when the step began (a step stays in its epoch)
            if start + 1e-12 >= nextDecision {
                let previous = index > 0 ? records[index - 1]["b_simple"] : nil
                let chosen = policy.chooseBatch(current: batch, bSimple: previous)
                if chosen != batch { changes += 1 }
                batch = chosen
                while nextDecision <= start + 1e-12 { nextDecision += 0.25 }
            }
            #expect(Int(logged) == batch, "step \(index + 1) at t = \(start)")
            #expect(record["accumulation"] == logged / 16)
            let gain = try #require(record["adascale_gain"])
            #expect(gain >= 1 && gain <= logged / 64)
            // η = 0.1 · φ · r with φ = 1; the JSON read-back (Foundation's parser) may be 1 ulp off.
            let lr = try #require(record["lr"])
            #expect(abs(lr - 0.1 * gain) <= 1e-15 * lr, "step \(index + 1): lr \(lr), gain \(gain)")
            #expect(record["b_simple_grad_sq"] != nil && record["b_simple_trace"] != nil)
        }
        #expect(changes >= 2, "B changed \(changes) times: \(records.map { Int($0["batch"] ?? 0) })")
        let clock = records.compactMap { $0["schedule_epoch"] }
        #expect(clock.count == records.count)
        #expect(zip(clock, clock.dropFirst()).allSatisfy { $0 < $1 })
        #expect(clock.dropLast().allSatisfy { $0 < 3 - 1e-12 })
        let last = try #require(records.last), lastEpoch = try #require(last["epoch"])
        let tail = lastEpoch.rounded(.up) - lastEpoch  // what a dropped tail adds to t and τ
        #expect((clock.last ?? 0) >= 3 - 1e-12 || (clock.last ?? 0) + tail >= 3 - 1e-12, "τ \(clock), t \(lastEpoch)")
        #expect(lastEpoch > 3)
        #expect(zip(clock, records).allSatisfy { $0 <= ($1["epoch"] ?? 0) + 1e-12 })
    }

    @Test("W×K = 1×4, 2×2, 4×1 choose the same batches and agree within 1e-4")
    func worldSizeInvariance() throws {
        let (directory, config) = try CommandRunner.configFile(Self.config, name: "adaptive-invariance")
        defer { try? FileManager.default.removeItem(at: directory) }
        var batches: [[Double]] = []
        var losses: [[Double]] = []
        var parameters: [[Float]] = []
        for world in [1, 2, 4] {
            let output = directory.appendingPathComponent("w\(world)")
            let result = try CommandRunner.mpirun(ranks: world, ["train", config, "output=\(output.path)", "--quiet"],
                                                  timeout: 300)
            #expect(result.status == 0, "W=\(world): \(result.combined)")
            let records = try Self.steps(output)
            #expect(records.first?["world"] == Double(world))
            #expect(records.first?["accumulation"] == Double(4 / world))
            batches.append(records.compactMap { $0["batch"] })
            losses.append(records.compactMap { $0["train_loss"] })
            parameters.append(try TrainingEndToEndTests.parameters(output))
        }
        #expect(Set(batches[0]).count >= 3, "B must change at least twice: \(batches[0])")
        for world in 1...2 {
            #expect(batches[world] == batches[0], "W=\([1, 2, 4][world]) chose other batches")
            #expect(losses[world].count == losses[0].count)
            for (step, (a, b)) in zip(losses[0], losses[world]).enumerated() {
                #expect(abs(a - b) <= 1e-4 * abs(a), "step \(step + 1): \(a) vs \(b) (W=\([1, 2, 4][world]))")
            }
            let scale = parameters[0].map { abs($0) }.max() ?? 1
            let difference = zip(parameters[0], parameters[world]).map { abs($0 - $1) }.max() ?? 0
            #expect(difference / scale <= 1e-4, "parameters differ by \(difference / scale) relative")
        }
    }

    /// Killed (SIGKILL to a rank) once after the first batch change and once near the end, each
    /// time between two decision points, then the same command again: the final weights are the
    /// uninterrupted run's bytes and the step lines read as one run.
    @Test("SIGKILL mid-interval and rerun on the same W: byte-identical weights")
    func killAndRerun() throws {
        let (directory, config) = try CommandRunner.configFile(Self.config, name: "adaptive-kill")
        defer { try? FileManager.default.removeItem(at: directory) }
        let reference = directory.appendingPathComponent("uninterrupted")
        let clean = try CommandRunner.mpirun(ranks: 2, ["train", config, "output=\(reference.path)", "--quiet"], timeout: 300)
        #expect(clean.status == 0, "\(clean.combined)")
        let expected = try Data(contentsOf: reference.appendingPathComponent("final.safetensors"))
        let referenceSteps = try Self.steps(reference)
        let batches = referenceSteps.compactMap { $0["batch"] }
        let firstChange = try #require(batches.firstIndex { $0 != batches[0] }, "B never changed: \(batches)")
        let output = directory.appendingPathComponent("killed")
        for killAt in [firstChange + 3, (firstChange + referenceSteps.count) / 2 + 1] {
            let process = try CommandRunner.startTraining(config, output: output, fault: "slow-steps@20")
            let ranks = CommandRunner.killOneRank(of: process, output: output, timeout: 120) {
                ResumeTests.loggedSteps(output) >= killAt
            }
            #expect(ranks.count == 2, "kill at step \(killAt): found rank processes \(ranks)")
            #expect(process.terminationStatus != 0, "the killed job must fail")
            #expect(!RunDirectory.isDone(output), "the run finished before the kill at step \(killAt)")
        }
        let resumed = try CommandRunner.mpirun(ranks: 2, ["train", config, "output=\(output.path)", "--quiet"], timeout: 300)
        #expect(resumed.status == 0, "\(resumed.combined)")
        #expect(try Data(contentsOf: output.appendingPathComponent("final.safetensors")) == expected)
        let steps = try Self.steps(output)
        #expect(steps.compactMap { $0["step"] } == referenceSteps.compactMap { $0["step"] })
        #expect(steps.compactMap { $0["batch"] } == batches)
        #expect(steps.compactMap { $0["lr"] } == referenceSteps.compactMap { $0["lr"] })
    }
}
