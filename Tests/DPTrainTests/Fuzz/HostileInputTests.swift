import DPTrain
import Foundation
import Testing

/// Hostile inputs end quickly with one clear error, inside a memory budget (issue: "every file
/// dptrain reads is bounded in memory and time before it is trusted").
///
/// Each input goes through the real command-line path (`train --dry-run`, `study --dry-run`,
/// `inspect`) in a child process limited to 2 GB of address space: an allocation from an
/// unchecked header then fails inside the child instead of taking the machine, and
/// ``LimitedProcess`` reports a crash (signal), a hang (timeout) and the peak resident set.
@Suite("Hostile inputs", .serialized)
struct HostileInputTests {
    static let addressSpace = 2 << 30
    static let memoryBudget = 500 << 20

    static func directory(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("dpt-hostile-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Runs `dptrain arguments` under the limits and checks the contract: no crash, no hang,
    /// a non-zero exit within `seconds`, peak RSS under the budget, and one `error:` line that
    /// names `file`.
    @discardableResult
    static func expectRefused(_ arguments: [String], naming file: String, within seconds: Double = 5,
                              in directory: URL, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let result = try LimitedProcess.run(CommandRunner.dptrainPath, arguments, addressSpace: addressSpace,
                                            timeout: 60, directory: directory)
        let errors = result.error.split(separator: "\n").filter { $0.hasPrefix("error") }
        #expect(result.signal == nil, "crashed with signal \(result.signal ?? 0): \(result.error)", sourceLocation: sourceLocation)
        #expect(!result.timedOut && result.seconds < seconds,
                "took \(result.seconds) s (limit \(seconds) s): \(result.error)", sourceLocation: sourceLocation)
        #expect(result.status != 0, "accepted: \(result.output)", sourceLocation: sourceLocation)
        #expect(result.peakResidentBytes < memoryBudget,
                "peak RSS \(result.peakResidentBytes >> 20) MB ≥ \(memoryBudget >> 20) MB", sourceLocation: sourceLocation)
        #expect(errors.count == 1 && errors[0].contains(file), "expected one error naming \(file): \(result.error)",
                sourceLocation: sourceLocation)
        #expect(!result.error.contains("Fatal error"), "\(result.error)", sourceLocation: sourceLocation)
        return result.error
    }

    @Test("a YAML alias bomb as a config or a study file is refused at once")
    func aliasBomb() throws {
        let directory = try Self.directory("yaml")
        let bomb = directory.appendingPathComponent("bomb.yaml")
        let text = StructuredInputGenerators.billionLaughs(prefix: ["name: bomb"])
        #expect(text.utf8.count < 1024)
        try text.write(to: bomb, atomically: true, encoding: .utf8)
        try Self.expectRefused(["train", bomb.path, "--dry-run"], naming: "bomb.yaml", in: directory)
        try Self.expectRefused(["study", bomb.path, "--dry-run"], naming: "bomb.yaml", in: directory)
    }

    @Test("a gzip'd IDX file declaring 10 million images is refused before allocating")
    func idxBomb() throws {
        let directory = try Self.directory("idx")
        let data = try HostileInputs.idxBombDirectory(in: directory)
        let config = directory.appendingPathComponent("idx.yaml")
        try HostileInputs.config(data: "{dataset: idx, path: \(data.path)}", input: "[1, 28, 28]")
            .write(to: config, atomically: true, encoding: .utf8)
        let message = try Self.expectRefused(["train", config.path, "--dry-run"], naming: "train-images-idx3-ubyte.gz",
                                             in: directory)
        #expect(message.contains("10,000,000") || message.contains("10000000"), "\(message)")
    }

    @Test("an .npz member declaring 8 GB over 2 GB of compressed zeros is refused without inflating it")
    func npzBomb() throws {
        let directory = try Self.directory("npz")
        let bomb = directory.appendingPathComponent("bomb.npz")
        try Data(HostileDataTests.npzBomb()).write(to: bomb)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: bomb.path)[.size] as? Int)
        #expect(size < 16 << 20, "the bomb is small on disk (\(size) bytes)")
        let config = directory.appendingPathComponent("npz.yaml")
        try HostileInputs.config(data: "{dataset: npy, train: \(bomb.path)}", input: "[1]")
            .write(to: config, atomically: true, encoding: .utf8)
        try Self.expectRefused(["train", config.path, "--dry-run"], naming: "bomb.npz", in: directory)
    }
}
