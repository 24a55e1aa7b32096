import DPTrain
import Foundation
import Testing

/// `dptrain prepare` and the store as the binary uses it: concurrent preparation by several
/// processes yields one store, written once; damaged stores are rebuilt or, for
/// `data.dataset: store`, reported.
@Suite("dptrain prepare")
struct PrepareCommandTests {
    private func csvConfig(_ directory: URL) throws -> String {
        let train = directory.appendingPathComponent("train.csv")
        try "a,b,y\n0,10,0\n2,10,1\n4,10,1\n6,10,0\n1,11,1\n3,9,0\n".write(to: train, atomically: true, encoding: .utf8)
        let config = directory.appendingPathComponent("csv.yaml")
        try """
            name: csv
            output: \(directory.path)/run
            data: {dataset: csv, train: \(train.path), label_column: y, cache: \(directory.path)/cache}
            model: {input: [2], layers: [{dense: 2}]}
            batch: {global: 2, micro: 2}
            """.write(to: config, atomically: true, encoding: .utf8)
        return config.path
    }

    @Test("three processes preparing at once: one writes the store, the others wait and verify it")
    func concurrentPreparation() throws {
        let directory = try CommandRunner.temporaryDirectory("prepare")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = try csvConfig(directory)
        let result = try CommandRunner.mpirun(ranks: 3, ["prepare", config])
        #expect(result.status == 0, "\(result.combined)")
        let lines = result.output.split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("prepared ") }.count == 1, "\(result.output)")
        #expect(lines.filter { $0.hasPrefix("verified ") }.count == 2, "\(result.output)")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path + "/cache")
        #expect(names.filter { $0.hasSuffix(".dpstore") }.count == 1 && !names.contains { $0.contains(".tmp-") })
        let again = try CommandRunner.dptrain(["prepare", config])
        #expect(again.status == 0 && again.output.contains("reused (sources unchanged)"), "\(again.combined)")
    }

    @Test("a damaged store is rebuilt by prepare (saying why) and refused as data.dataset: store")
    func damagedStore() throws {
        let directory = try CommandRunner.temporaryDirectory("prepare-damaged")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = try csvConfig(directory)
        #expect(try CommandRunner.dptrain(["prepare", config]).status == 0)
        let cache = directory.path + "/cache"
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: cache).first { $0.hasSuffix(".dpstore") })
        let path = cache + "/" + name
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[4100] ^= 0x40
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let rebuilt = try CommandRunner.dptrain(["prepare", config])
        #expect(rebuilt.status == 0 && rebuilt.output.contains("prepared ") && rebuilt.combined.contains("checksum"),
                "\(rebuilt.combined)")
        // A store used directly has nothing to rebuild from: the damage is an error.
        let good = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        try Data(good.dropLast(7)).write(to: URL(fileURLWithPath: path))
        let direct = directory.appendingPathComponent("direct.yaml")
        try """
            name: direct
            output: \(directory.path)/direct
            data: {dataset: store, path: \(path)}
            model: {input: [2], layers: [{dense: 2}]}
            batch: {global: 2, micro: 2}
            """.write(to: direct, atomically: true, encoding: .utf8)
        let refused = try CommandRunner.dptrain(["train", direct.path, "--quiet"])
        #expect(refused.status != 0 && refused.combined.contains(path) && refused.combined.contains("truncated"),
                "\(refused.combined)")
    }
}
