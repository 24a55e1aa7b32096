import DPTrain
import Foundation
import Testing

/// The cache prepares a store once, reuses it while the sources are unchanged, and rebuilds it
/// (saying why) when a source changed or the store is damaged — never using a bad store.
@Suite("Sample store cache")
struct StoreCacheTests {
    private func csvKind(_ dir: DataTemporaryDirectory) -> DatasetKind {
        let train = dir.write("train.csv", text: "a,b,y\n0,10,0\n2,10,1\n4,10,1\n6,10,0\n")
        let test = dir.write("test.csv", text: "a,b,y\n8,12,1\n")
        return .csv(train: train, test: test, labelColumn: "y")
    }

    @Test func preparedOnceThenReused() throws {
        let dir = DataTemporaryDirectory()
        let kind = csvKind(dir)
        let cache = dir.file("cache")
        let first = try #require(try StoreCache.open(kind, directory: cache, budget: MemoryBudget.host()))
        #expect(first.built && first.reason == nil && first.store.header.sources.count == 2)
        #expect(first.store.header.elementType == .uint8 && first.store.header.splits.map(\.count) == [4, 1])
        let second = try #require(try StoreCache.open(kind, directory: cache, budget: MemoryBudget.host()))
        #expect(!second.built && second.store.path == first.store.path)
        // The store holds what the reader reads.
        let memory = try DataSource.load(kind, seed: 1)
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 2)
        defer { scratch.deallocate() }
        second.store.dataset("train")!.readRow(2, into: scratch)
        #expect([scratch[0], scratch[1]] == rowValues(memory.train, 2))
    }

    @Test func changedSourceMakesTheStoreStale() throws {
        let dir = DataTemporaryDirectory()
        let kind = csvKind(dir)
        let cache = dir.file("cache")
        _ = try StoreCache.open(kind, directory: cache, budget: MemoryBudget.host())
        // Same size, new content and modification time: the label of row 1 changes.
        dir.write("train.csv", text: "a,b,y\n0,10,0\n2,10,0\n4,10,1\n6,10,0\n")
        let later = Date().addingTimeInterval(5)
        try FileManager.default.setAttributes([.modificationDate: later], ofItemAtPath: dir.file("train.csv"))
        let rebuilt = try #require(try StoreCache.open(kind, directory: cache, budget: MemoryBudget.host()))
        #expect(rebuilt.built && rebuilt.reason?.contains("train.csv was modified") == true)
        #expect(rebuilt.store.dataset("train")!.label(1) == 0)
        // A different size is reported as such.
        dir.write("train.csv", text: "a,b,y\n0,10,0\n2,10,0\n4,10,1\n6,10,0\n8,10,1\n")
        let grown = try #require(try StoreCache.open(kind, directory: cache, budget: MemoryBudget.host()))
        #expect(grown.built && grown.reason?.contains("changed size") == true && grown.store.header.splits[0].count == 5)
    }

    @Test func damagedStoreIsRebuiltNotUsed() throws {
        let dir = DataTemporaryDirectory()
        let kind = csvKind(dir)
        let cache = dir.file("cache")
        let first = try #require(try StoreCache.open(kind, directory: cache, budget: MemoryBudget.host()))
        let path = first.store.path
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[4096] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let rebuilt = try #require(try StoreCache.open(kind, directory: cache, budget: MemoryBudget.host()))
        #expect(rebuilt.built && rebuilt.reason?.contains("checksum") == true)
        try Data(bytes.prefix(5000)).write(to: URL(fileURLWithPath: path))
        let again = try #require(try StoreCache.open(kind, directory: cache, budget: MemoryBudget.host()))
        #expect(again.built && again.reason?.contains("truncated") == true)
        // The rebuilt store verifies and has no leftover temporary files.
        _ = try SampleStore.open(path: path)
        let names = try FileManager.default.contentsOfDirectory(atPath: cache)
        #expect(names.filter { $0.contains(".tmp-") }.isEmpty)
    }

    @Test func missingSourceIsTheReadersError() throws {
        let dir = DataTemporaryDirectory()
        let kind = DatasetKind.csv(train: dir.file("absent.csv"), test: nil, labelColumn: "y")
        #expect(try StoreCache.open(kind, directory: dir.file("cache"), budget: MemoryBudget.host()) == nil)
        let config = try TrainingTestSupport.config(
            "data: {dataset: csv, train: \(dir.file("absent.csv")), label_column: y}\nmodel: {layers: [{dense: 2}]}")
        #expect(config.data.dataset == kind)
        expectDataError(.missingFile, mentioning: ["absent.csv"]) {
            _ = try DataPreparation.load(config.data, seed: 1, cacheDirectory: dir.file("cache"))
        }
    }

    @Test func cacheDirectoryDefaultsNextToTheRun() throws {
        let config = try TrainingTestSupport.config("output: /tmp/somewhere/runs/x\nmodel: {layers: [{dense: 10}]}")
        #expect(StoreCache.directory(data: config.data, output: config.output) == "/tmp/somewhere/runs/data-cache")
        let set = try TrainingTestSupport.config("output: runs/x\ndata: {cache: /var/cache/d}\nmodel: {layers: [{dense: 10}]}")
        #expect(StoreCache.directory(data: set.data, output: set.output) == "/var/cache/d")
    }
}
