import DPTrain
import Testing

@Suite("Normalizer")
struct NormalizerTests {
    func close(_ a: [Float], _ b: [Float], _ tolerance: Float = 1e-5) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance * max(1, abs($1)) }
    }

    @Test func tabularStandardizeIsPerFeatureWithFloor() {
        // Column 0: 1, 2, 3, 4 → mean 2.5, population std √1.25 = 1.118033988749895.
        // Column 1: constant 5 → std 0 < 1e-6, divisor 1.
        let train = Dataset(sampleShape: [2], features: [1, 5, 2, 5, 3, 5, 4, 5], labels: [0, 0, 0, 0], classCount: 1)
        let test = Dataset(sampleShape: [2], features: [6, 7], labels: [0], classCount: 1)
        let normalizer = Normalizer(method: .standardize, fittingTo: train)
        #expect(normalizer.scope == .perFeature)
        #expect(normalizer.shift == [2.5, 5])
        #expect(abs(normalizer.scale[0] - 1.118033988749895) < 1e-12 && normalizer.scale[1] == 1)
        normalizer.apply(to: train)
        normalizer.apply(to: test)
        // (6 − 2.5)/1.118033988749895 = 3.1304951684997055; (7 − 5)/1 = 2.
        #expect(close(Array(test.features), [3.1304951684997055, 2]))
        #expect(close(Array(train.features), [-1.3416407865, 0, -0.4472135955, 0, 0.4472135955, 0, 1.3416407865, 0]))
    }

    @Test func imagesUseOneGlobalStatistic() {
        // Pixels 0, 2, 4, 6 → mean 3, variance (9+1+1+9)/4 = 5, std √5 = 2.2360679775.
        let train = Dataset(sampleShape: [1, 1, 2], features: [0, 2, 4, 6], labels: [0, 1], classCount: 2)
        let test = Dataset(sampleShape: [1, 1, 2], features: [8, 3], labels: [1], classCount: 2)
        let normalizer = Normalizer(method: .standardize, fittingTo: train)
        #expect(normalizer.scope == .global)
        #expect(normalizer.shift == [3])
        #expect(abs(normalizer.scale[0] - 5.0.squareRoot()) < 1e-12)
        normalizer.apply(to: test)
        #expect(close(Array(test.features), [2.2360679775, 0]))   // (8 − 3)/√5, (3 − 3)/√5
        #expect(abs(normalizer.normalizedValue(of: 0) - (-1.3416407865)) < 1e-6)  // −3/√5
    }

    @Test func minmaxUsesTrainingRange() {
        let train = Dataset(sampleShape: [1, 1, 2], features: [0, 2, 4, 6], labels: [0, 1], classCount: 2)
        let test = Dataset(sampleShape: [1, 1, 2], features: [8, 3], labels: [1], classCount: 2)
        let normalizer = Normalizer(method: .minmax, fittingTo: train)
        normalizer.apply(to: train)
        normalizer.apply(to: test)
        #expect(close(Array(train.features), [0, 1.0 / 3, 2.0 / 3, 1]))
        #expect(close(Array(test.features), [8.0 / 6, 0.5]))  // test values outside [0, 1] stay outside
    }

    @Test func noneLeavesValues() {
        let train = Dataset(sampleShape: [2], features: [1, 2], labels: [0], classCount: 1)
        let normalizer = Normalizer(method: .none, fittingTo: train)
        normalizer.apply(to: train)
        #expect(Array(train.features) == [1, 2])
        #expect(normalizer.normalizedValue(of: 0) == 0)
    }

    @Test func fashionMNISTStatistics() throws {
        // Mean 72.94035223214286 and population std 90.02118235130526 of all training pixels,
        // computed with numpy (float64) on the same files.
        let sets = try FashionMNIST.load()
        let normalizer = Normalizer(method: .standardize, fittingTo: sets.train)
        #expect(abs(normalizer.shift[0] - 72.94035223214286) < 1e-9)
        #expect(abs(normalizer.scale[0] - 90.02118235130526) < 1e-9)
    }
}
