import DPTrain
import Testing

@Suite("Validation split")
struct ValidationSplitTests {
    /// 10 samples; feature i = 100 + i, label i % 3.
    func dataset() -> Dataset {
        Dataset(sampleShape: [1], features: (0..<10).map { Float(100 + $0) },
                labels: (0..<10).map { Int32($0 % 3) }, classCount: 3, source: "ten")
    }

    @Test func deterministicAndDisjoint() throws {
        let data = dataset()
        let a = try ValidationSplit.split(data, validationCount: 4, seed: 7)
        let b = try ValidationSplit.split(data, validationCount: 4, seed: 7)
        let trainValues = Array(a.train.features), validationValues = Array(a.validation!.features)
        #expect(a.train.count == 6 && a.validation?.count == 4)
        #expect(trainValues == Array(b.train.features))
        #expect(validationValues == Array(b.validation!.features))
        #expect(Set(trainValues).isDisjoint(with: validationValues))
        #expect(Set(trainValues + validationValues) == Set((0..<10).map { Float(100 + $0) }))
        // File order kept in both parts, labels follow their samples.
        #expect(trainValues == trainValues.sorted() && validationValues == validationValues.sorted())
        for i in 0..<a.train.count { #expect(Int(a.train.labels[i]) == (Int(trainValues[i]) - 100) % 3) }
        // Another seed gives another split (for this seed pair).
        let c = try ValidationSplit.split(data, validationCount: 4, seed: 8)
        #expect(Array(c.validation!.features) != validationValues)
    }

    @Test func followsTheDocumentedPermutation() {
        // Independent Fisher–Yates over SplitMix64(keys: seed, 5): the first N are validation.
        var order = Array(0..<50)
        var generator = SplitMix64(keys: 123, 5)
        for i in stride(from: 49, to: 0, by: -1) { order.swapAt(i, Int(generator.next(upperBound: UInt64(i + 1)))) }
        let split = ValidationSplit.indices(count: 50, validationCount: 12, seed: 123)
        #expect(split.validation == order.prefix(12).sorted())
        #expect(split.train == order.dropFirst(12).sorted())
    }

    @Test func zeroAndTooMany() throws {
        let data = dataset()
        let none = try ValidationSplit.split(data, validationCount: 0, seed: 1)
        #expect(none.validation == nil && none.train === data)
        expectDataError(.configuration, mentioning: ["ten", "validation", "found 10", "< 10"]) {
            _ = try ValidationSplit.split(data, validationCount: 10, seed: 1)
        }
        expectDataError(.configuration, mentioning: ["found -1"]) {
            _ = try ValidationSplit.split(data, validationCount: -1, seed: 1)
        }
    }
}
