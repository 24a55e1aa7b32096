import Foundation
import Testing
import DPTrain

/// Bad input on 2 ranks: one clear message, a non-zero exit, never a hang.
@Suite("Bad inputs end to end", .serialized)
struct BadInputTests {
    static let base = """
        name: bad
        data: {dataset: spirals, samples: 256, test_samples: 64}
        model: {input: [2], layers: [{dense: 8, activation: relu}, {dense: 2}]}
        batch: {global: 64, micro: 16}
        train: {epochs: 1}
        """

    /// An IDX pair in `directory`: 4 images of 2×2 and their labels.
    static func writeIDX(in directory: URL, labels: [UInt8], truncateImages: Bool = false) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var images: [UInt8] = [0, 0, 0x08, 3, 0, 0, 0, UInt8(labels.count), 0, 0, 0, 2, 0, 0, 0, 2]
        images += [UInt8](repeating: 7, count: labels.count * 4 - (truncateImages ? 3 : 0))
        let labelBytes: [UInt8] = [0, 0, 0x08, 1, 0, 0, 0, UInt8(labels.count)] + labels
        for prefix in ["train", "t10k"] {
            try Data(Gzip.compress(images)).write(to: directory.appendingPathComponent("\(prefix)-images-idx3-ubyte.gz"))
            try Data(Gzip.compress(labelBytes)).write(to: directory.appendingPathComponent("\(prefix)-labels-idx1-ubyte.gz"))
        }
    }

    struct Case: CustomStringConvertible, Sendable {
        var name: String
        var overrides: [String]
        var expected: String
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "non-divisible batch", overrides: ["batch.global=100"],
             expected: "global batch 100 does not split into 2 ranks × micro-batch 16"),
        Case(name: "unknown key", overrides: ["optimizer.learning_rate=0.1"],
             expected: "unknown config key 'optimizer.learning_rate'"),
        Case(name: "wrong type", overrides: ["batch.global=many"],
             expected: "config key 'batch.global' must be a whole number"),
        Case(name: "missing data directory", overrides: ["data={dataset: fashion-mnist, path: /nonexistent/fmnist}",
                                                         "model.input=[1,28,28]"],
             expected: "/nonexistent/fmnist"),
        Case(name: "corrupt IDX", overrides: ["data={dataset: idx, path: CORRUPT}", "model.input=[1,2,2]"],
             expected: "truncated"),
        Case(name: "label out of range", overrides: ["data={dataset: fashion-mnist, path: BADLABEL}", "model.input=[1,2,2]"],
             expected: "12"),
    ]

    @Test("fails with one message on every rank", arguments: cases)
    func badInput(_ c: Case) throws {
        let directory = try CommandRunner.temporaryDirectory("bad-input")
        defer { try? FileManager.default.removeItem(at: directory) }
        try Self.writeIDX(in: directory.appendingPathComponent("corrupt"), labels: [1, 2, 3, 4], truncateImages: true)
        try Self.writeIDX(in: directory.appendingPathComponent("badlabel"), labels: [1, 12, 3, 4])
        let config = directory.appendingPathComponent("bad.yaml")
        try Self.base.write(to: config, atomically: true, encoding: .utf8)
        let overrides = c.overrides.map {
            $0.replacingOccurrences(of: "CORRUPT", with: directory.appendingPathComponent("corrupt").path)
              .replacingOccurrences(of: "BADLABEL", with: directory.appendingPathComponent("badlabel").path)
        }
        let output = directory.appendingPathComponent("run").path
        let result = try CommandRunner.mpirun(ranks: 2, ["train", config.path, "output=\(output)"] + overrides, timeout: 60)
        #expect(!result.timedOut, "\(c.name): the job hung")
        #expect(result.status != 0, "\(c.name): exit status 0")
        let errorLines = result.error.split(separator: "\n").filter { $0.hasPrefix("error") }
        #expect(errorLines.count == 1, "\(c.name): expected one error line:\n\(result.error)")
        #expect(errorLines.first?.contains(c.expected) == true, "\(c.name): \(errorLines)")
        #expect(!FileManager.default.fileExists(atPath: output + "/DONE"))
    }
}
