import DPTrain
import Testing

@Suite("Batch gather")
struct BatchGatherTests {
    /// 5 samples of 3 features; sample i holds 10i, 10i+1, 10i+2 and label 4 − i.
    func dataset() -> Dataset {
        Dataset(sampleShape: [3], features: (0..<5).flatMap { i in [0, 1, 2].map { Float(10 * i + $0) } },
                labels: (0..<5).map { Int32(4 - $0) }, classCount: 5)
    }

    @Test func copiesTheRequestedRows() {
        let data = dataset()
        let buffer = FloatBuffer(capacity: 12)
        let input = buffer.matrix(rows: 4, columns: 3)
        let labels = UnsafeMutablePointer<Int32>.allocate(capacity: 4)
        defer { labels.deallocate() }
        BatchGather.gather(dataset: data, indices: [3, 0, 3, 4], into: input, labels: labels)
        #expect(input.toArray() == [30, 31, 32, 0, 1, 2, 30, 31, 32, 40, 41, 42])
        #expect(Array(UnsafeBufferPointer(start: labels, count: 4)) == [1, 4, 1, 0])
        // A slice of a permutation works too.
        let order = [4, 2, 1, 0, 3]
        let two = buffer.matrix(rows: 2, columns: 3)
        BatchGather.gather(dataset: data, indices: order[1..<3], into: two, labels: labels)
        #expect(two.toArray() == [20, 21, 22, 10, 11, 12])
        #expect(labels[0] == 2 && labels[1] == 3)
    }

    @Test func augmentsWithPerRowKeys() {
        let data = Dataset(sampleShape: [1, 2, 2], features: (0..<12).map(Float.init), labels: [0, 1, 2], classCount: 3)
        let augmentation = Augmentation(flip: true, noise: 0.25)
        let buffer = FloatBuffer(capacity: 8)
        let input = buffer.matrix(rows: 2, columns: 4)
        let labels = UnsafeMutablePointer<Int32>.allocate(capacity: 2)
        defer { labels.deallocate() }
        let keys = [SampleKeys.key(seed: 5, epoch: 0, sampleIndex: 2), SampleKeys.key(seed: 5, epoch: 0, sampleIndex: 0)]
        keys.withUnsafeBufferPointer {
            BatchGather.gather(dataset: data, indices: [2, 0], into: input, labels: labels,
                               augmentation: augmentation, sampleKeys: $0.baseAddress!)
        }
        // Row 0 is sample 2 (8, 9, 10, 11) augmented with its own key, the same as alone.
        var alone: [Float] = [8, 9, 10, 11]
        alone.withUnsafeMutableBufferPointer { augmentation.apply(to: $0.baseAddress!, sampleShape: [1, 2, 2], key: keys[0]) }
        #expect(Array(input.toArray()[0..<4]) == alone)
        #expect(input.toArray() != [8, 9, 10, 11, 0, 1, 2, 3])
        // The dataset itself is untouched.
        #expect(Array(data.features) == (0..<12).map(Float.init))
        // Without augmentation the rows are plain copies.
        BatchGather.gather(dataset: data, indices: [2, 0], into: input, labels: labels, augmentation: nil, sampleKeys: nil)
        #expect(input.toArray() == [8, 9, 10, 11, 0, 1, 2, 3])
    }

    @Test func subsetCopies() {
        let data = dataset()
        let part = data.subset(indices: [4, 1])
        #expect(Array(part.features) == [40, 41, 42, 10, 11, 12])
        #expect(part.labels == [0, 3])
        part.row(0)[0] = -1
        #expect(data.row(4)[0] == 40)
    }
}
