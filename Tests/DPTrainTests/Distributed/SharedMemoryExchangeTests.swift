import Foundation
import Testing
import DPTrain

/// The sharded update's exchange through node-shared memory (`train.shared_memory`, an MPI-3
/// shared window) against MPI messages, through the built binary under `mpirun`: the same
/// weights bit for bit, the path named in the banner, a fallback with its reason, and a
/// checkpoint written over one path resumed over the other.
@Suite("Shared-memory exchange", .serialized)
struct SharedMemoryExchangeTests {
    /// A Fashion-MNIST MLP whose first weight matrix is split between ranks, Adam with weight
    /// decay, clipping that binds and gradient noise: every reduced float reaches the weights.
    static let config = """
        name: shared-memory
        seed: 11
        data: {dataset: fashion-mnist}
        model:
          input: [1, 28, 28]
          layers: [{flatten: {}}, {dense: 48, activation: relu}, {dense: 10}]
        optimizer: {name: adam, lr: 0.002, weight_decay: 0.0001}
        batch: {global: 64, micro: 16}
        lr_schedule: {name: cosine, warmup: {epochs: 0.05}}
        train: {epochs: 1, max_steps: 120, eval_every: 0, log_every: 10, clip_norm: 0.5,
                gradient_noise: {eta: 0.0001}, checkpoint: {every: 0.05, keep: 2}}
        """

    /// The bit patterns of every tensor of a run's `final.safetensors`, in file order (the
    /// file's metadata holds the resolved config, which names the exchange, so whole files differ).
    static func weightBits(_ output: URL) throws -> [UInt32] {
        try TrainingEndToEndTests.parameters(output).map(\.bitPattern)
    }

    static func train(_ config: String, output: URL, ranks: Int, _ extra: [String],
                      environment: [String: String] = [:]) throws -> CommandRunner.Result {
        let result = try CommandRunner.mpirun(ranks: ranks, ["train", config, "output=\(output.path)"] + extra,
                                              timeout: 300, environment: environment)
        #expect(!result.timedOut && result.status == 0, "\(ranks) ranks \(extra): \(result.combined)")
        return result
    }

    @Test("W = 2 and 4: shared memory and MPI messages give byte-identical weights, and the banner names the path",
          arguments: [2, 4])
    func sharedMatchesMessages(world: Int) throws {
        let directory = try CommandRunner.temporaryDirectory("shared-memory")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = try TrainingEndToEndTests.write(Self.config, in: directory)
        let shared = directory.appendingPathComponent("shared")
        let messages = directory.appendingPathComponent("messages")
        let sharedRun = try Self.train(config, output: shared, ranks: world, [])
        let messagesRun = try Self.train(config, output: messages, ranks: world, ["train.shared_memory=false"])
        #expect(sharedRun.combined.contains("exchange: shared memory\n"), "\(sharedRun.output)")
        #expect(messagesRun.combined.contains("exchange: MPI messages (train.shared_memory: false)\n"), "\(messagesRun.output)")
        let a = try Self.weightBits(shared), b = try Self.weightBits(messages)
        #expect(a.count == 38_170 && a == b,
                "W=\(world): \(zip(a, b).filter { $0 != $1 }.count) of \(a.count) weights differ between the paths")
    }

    @Test("no room for the window (an unreadable shared-memory directory): MPI messages with the reason, same weights")
    func fallbackNamesItsReason() throws {
        let directory = try CommandRunner.temporaryDirectory("shared-memory-fallback")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = try TrainingEndToEndTests.write(Self.config, in: directory)
        let missing = directory.appendingPathComponent("no-such-directory").path
        let fallback = directory.appendingPathComponent("fallback")
        let shared = directory.appendingPathComponent("shared")
        let result = try Self.train(config, output: fallback, ranks: 2, ["train.max_steps=30"],
                                    environment: ["OMPI_MCA_osc_sm_backing_directory": missing])
        #expect(result.combined.contains(
            "exchange: MPI messages (cannot read the free space of \(missing) (the shared-memory directory))"),
            "\(result.output)")
        _ = try Self.train(config, output: shared, ranks: 2, ["train.max_steps=30"])
        #expect(try Self.weightBits(fallback) == Self.weightBits(shared))
    }

    @Test("a checkpoint written over MPI messages resumes over shared memory byte-identically to an uninterrupted run")
    func resumeAcrossPaths() throws {
        let directory = try CommandRunner.temporaryDirectory("shared-memory-resume")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = try TrainingEndToEndTests.write(Self.config, in: directory)
        let reference = directory.appendingPathComponent("reference")
        _ = try Self.train(config, output: reference, ranks: 2, ["--quiet"])
        let resumed = directory.appendingPathComponent("resumed")
        _ = try Self.train(config, output: resumed, ranks: 2, ["train.shared_memory=false", "train.max_steps=70", "--quiet"])
        try FileManager.default.removeItem(at: resumed.appendingPathComponent("DONE"))
        let second = try Self.train(config, output: resumed, ranks: 2, [])
        #expect(second.combined.contains("exchange: shared memory\n"), "\(second.output)")
        #expect(second.combined.contains("resuming from"), "\(second.output)")
        let expected = try Self.weightBits(reference), found = try Self.weightBits(resumed)
        #expect(expected.count == 38_170 && found == expected,
                "\(zip(expected, found).filter { $0 != $1 }.count) weights differ from the uninterrupted run")
    }
}
