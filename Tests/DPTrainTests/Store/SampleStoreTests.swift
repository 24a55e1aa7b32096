import DPTrain
import Foundation
import Testing

/// A store of `count` image samples [1, 4, 5] with pixel values 0…255 (uint8) or fractional
/// values (float32), labels `i % classes`, written to `dir`.
private func imageSets(count: Int, testCount: Int, fractional: Bool = false) -> (Dataset, Dataset) {
    func make(_ n: Int, _ salt: Int) -> Dataset {
        var generator = SplitMix64(keys: UInt64(salt), 7)
        let features = (0..<(n * 20)).map { _ in
            fractional ? Float(generator.nextNormal()) * 3 + 1 : Float(generator.nextInt(below: 256))
        }
        return Dataset(sampleShape: [1, 4, 5], features: features, labels: (0..<n).map { Int32($0 % 3) }, classCount: 3)
    }
    return (make(count, 1), make(testCount, 2))
}

private func rowsOf(_ dataset: Dataset) -> [[UInt32]] {
    let scratch = UnsafeMutablePointer<Float>.allocate(capacity: dataset.featureCount)
    defer { scratch.deallocate() }
    return (0..<dataset.count).map { index in
        dataset.readRow(index, into: scratch)
        return (0..<dataset.featureCount).map { scratch[$0].bitPattern }
    }
}

@Suite("Sample store")
struct SampleStoreTests {
    @Test(arguments: [false, true])
    func storedSamplesReadBackAsWritten(fractional: Bool) throws {
        let dir = DataTemporaryDirectory()
        let (train, test) = imageSets(count: 237, testCount: 11, fractional: fractional)
        let path = dir.file("s.dpstore")
        try StoreWriter.write(train: train, test: test, to: path, origin: "test", sources: [])
        let store = try SampleStore.open(path: path)
        #expect(store.header.elementType == (fractional ? .float32 : .uint8))
        #expect(store.header.splits.map(\.count) == [237, 11])
        let storedTrain = try #require(store.dataset("train")), storedTest = try #require(store.dataset("test"))
        #expect(rowsOf(storedTrain) == rowsOf(train) && rowsOf(storedTest) == rowsOf(test))
        #expect((0..<237).map(storedTrain.label) == train.labels)
        #expect(storedTrain.classHistogram() == train.classHistogram())
        // The train samples' section: 237 × 20 values of 1 (uint8) or 4 bytes, up to a page boundary.
        let split = store.header.splits[0]
        #expect(split.labelsOffset - split.samplesOffset == (fractional ? 5 : 2) * 4096)
    }

    /// The fused read-and-normalise of a store gives the same bits as normalising a dataset in
    /// memory, for every method, with a validation split, for image (global) and tabular
    /// (per-feature) statistics.
    @Test(arguments: [Normalizer.Method.standardize, .minmax, .none])
    func normalisedOnReadEqualsNormalisedInMemory(method: Normalizer.Method) throws {
        let dir = DataTemporaryDirectory()
        for tabular in [false, true] {
            var (train, test) = imageSets(count: 50, testCount: 9)
            if tabular {
                let t = Dataset(sampleShape: [20], features: Array(train.features), labels: train.labels, classCount: 3)
                let u = Dataset(sampleShape: [20], features: Array(test.features), labels: test.labels, classCount: 3)
                (train, test) = (t, u)
            }
            let path = dir.file("n\(tabular).dpstore")
            try StoreWriter.write(train: train, test: test, to: path, origin: "test", sources: [])
            let store = try SampleStore.open(path: path)
            let stored = try DataSource.prepare(train: store.dataset("train")!, test: store.dataset("test"), validationCount: 7,
                                                seed: 3, normalization: method)
            let memory = try DataSource.prepare(train: train, test: test, validationCount: 7, seed: 3, normalization: method)
            #expect(stored.normalizer == memory.normalizer)
            #expect(stored.train.stored != nil && stored.train.features.isEmpty)
            #expect(rowsOf(stored.train) == rowsOf(memory.train))
            #expect(rowsOf(stored.validation!) == rowsOf(memory.validation!))
            #expect(rowsOf(stored.test!) == rowsOf(memory.test!))
            #expect((0..<7).map(stored.validation!.label) == memory.validation!.labels)
        }
    }

    /// Evaluation reads stored rows into its batch buffer: the same loss and accuracy as in memory.
    @Test func evaluatorOnAStoreEqualsInMemory() throws {
        let dir = DataTemporaryDirectory()
        let (train, test) = imageSets(count: 40, testCount: 13)
        let path = dir.file("e.dpstore")
        try StoreWriter.write(train: train, test: test, to: path, origin: "test", sources: [])
        let store = try SampleStore.open(path: path)
        let stored = try DataSource.prepare(train: store.dataset("train")!, test: store.dataset("test"), validationCount: 0,
                                            seed: 1, normalization: .standardize)
        let memory = try DataSource.prepare(train: train, test: test, validationCount: 0, seed: 1, normalization: .standardize)
        let model = Sequential(Flatten(name: "flatten.0", inputShape: [1, 4, 5]),
                               Dense(name: "dense.1", inputSize: 20, outputSize: 3))
        model.initializeParameters(seed: 5)
        let evaluator = Evaluator(model: model, loss: SoftmaxCrossEntropy(), communicator: LocalCommunicator(), batchSize: 4)
        let a = try evaluator.evaluate(stored.test!), b = try evaluator.evaluate(memory.test!)
        #expect(a.loss == b.loss && a.accuracy == b.accuracy && a.count == 13)
    }

    // MARK: - Damaged stores are reported, never used

    private func freshStore(_ dir: DataTemporaryDirectory) throws -> (path: String, bytes: [UInt8]) {
        let (train, test) = imageSets(count: 30, testCount: 5)
        let path = dir.file("d.dpstore")
        try StoreWriter.write(train: train, test: test, to: path, origin: "test", sources: [])
        return (path, Array(try Data(contentsOf: URL(fileURLWithPath: path))))
    }

    @Test func flippedPayloadBitIsAChecksumMismatch() throws {
        let dir = DataTemporaryDirectory()
        var (path, bytes) = try freshStore(dir)
        bytes[4096 + 17] ^= 0x10
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        expectDataError(.checksumMismatch, mentioning: [path, "byte 4096", "samples are damaged"]) {
            _ = try SampleStore.open(path: path)
        }
    }

    @Test func damagedHeaderIsAChecksumMismatch() throws {
        let dir = DataTemporaryDirectory()
        var (path, bytes) = try freshStore(dir)
        bytes[bytes.count - 5] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        expectDataError(.checksumMismatch, mentioning: [path, "header is damaged"]) { _ = try SampleStore.open(path: path) }
    }

    @Test func truncatedAndOverlongStores() throws {
        let dir = DataTemporaryDirectory()
        let (path, bytes) = try freshStore(dir)
        try Data(bytes.dropLast(100)).write(to: URL(fileURLWithPath: path))
        expectDataError(.truncated, mentioning: [path, "\(bytes.count) bytes", "\(bytes.count - 100) bytes"]) {
            _ = try SampleStore.open(path: path)
        }
        try Data(bytes[0..<1000]).write(to: URL(fileURLWithPath: path))
        expectDataError(.truncated, mentioning: [path, "at least 4096 bytes"]) { _ = try SampleStore.open(path: path) }
        try Data(bytes + [0, 0]).write(to: URL(fileURLWithPath: path))
        expectDataError(.trailingBytes, mentioning: [path, "bytes after its header"]) { _ = try SampleStore.open(path: path) }
    }

    @Test func notAStoreAndMissingStore() throws {
        let dir = DataTemporaryDirectory()
        var (path, bytes) = try freshStore(dir)
        bytes[0] = UInt8(ascii: "X")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        expectDataError(.badMagic, mentioning: [path, "byte 0", "not a dptrain sample store"]) { _ = try SampleStore.open(path: path) }
        expectDataError(.missingFile, mentioning: ["nothing.dpstore", "dptrain prepare"]) {
            _ = try SampleStore.open(path: dir.file("nothing.dpstore"))
        }
    }

    @Test func storeFromTheConfigEntryPoint() throws {
        let dir = DataTemporaryDirectory()
        let (path, _) = try freshStore(dir)
        let sets = try DataSource.load(.store(path: path), seed: 1)
        #expect(sets.train.count == 30 && sets.test?.count == 5 && sets.train.stored?.store.path == path)
    }
}
