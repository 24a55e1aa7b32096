import DPTrain
import Foundation
import Testing

/// Opt-in: generates a store larger than a rank should hold in memory, for the check that
/// training on it keeps each rank's anonymous memory small (README "How data is held").
///
///     DPTRAIN_LARGE_STORE=/big/disk/large.dpstore DPTRAIN_LARGE_STORE_SAMPLES=5500000 \
///         swift test -c release --filter LargeStoreTests
///
/// writes `samples` (default 5,500,000: 4.3 GB) Fashion-MNIST-shaped uint8 samples in 10
/// classes (class c brightens rows 2c…2c+2 of random noise) plus 10,000 test samples, streaming
/// 8,192 samples at a time, and verifies the result. The file is left for the training run;
/// delete it afterwards.
@Suite("Large sample store (opt-in)")
struct LargeStoreTests {
    static let path = ProcessInfo.processInfo.environment["DPTRAIN_LARGE_STORE"]

    @Test(.enabled(if: LargeStoreTests.path != nil))
    func generateAndVerify() throws {
        let path = try #require(LargeStoreTests.path)
        let samples = Int(ProcessInfo.processInfo.environment["DPTRAIN_LARGE_STORE_SAMPLES"] ?? "") ?? 5_500_000
        let counts = [samples, 10_000]
        let writer = try StoreWriter(path: path, origin: "generated: \(samples) striped-noise images", sampleShape: [1, 28, 28],
                                     elementType: .uint8, classCount: 10, targetWidth: 0,
                                     splits: [("train", counts[0]), ("test", counts[1])], sources: [])
        let chunk = 8192
        var pixels = [UInt8](repeating: 0, count: chunk * 784)
        var labels = [Int32](repeating: 0, count: chunk)
        for (split, count) in counts.enumerated() {
            var generator = SplitMix64(keys: 42, UInt64(split))
            var first = 0
            while first < count {
                let rows = min(chunk, count - first)
                for row in 0..<rows {
                    let label = generator.nextInt(below: 10)
                    labels[row] = Int32(label)
                    pixels.withUnsafeMutableBytes { raw in
                        let sample = raw.baseAddress! + row * 784
                        for word in 0..<98 { sample.storeBytes(of: generator.next() & 0x3F3F_3F3F_3F3F_3F3F, toByteOffset: word * 8, as: UInt64.self) }
                        for y in (2 * label)..<(2 * label + 3) {
                            for x in 4..<24 { raw[row * 784 + y * 28 + x] |= 0xC0 }
                        }
                    }
                }
                try pixels.withUnsafeBytes {
                    try writer.writeSamples(split: split, first: first, bytes: UnsafeRawBufferPointer(rebasing: $0[0..<(rows * 784)]))
                }
                try labels.withUnsafeBufferPointer {
                    try writer.writeLabels(split: split, first: first, labels: UnsafeBufferPointer(rebasing: $0[0..<rows]))
                }
                first += rows
            }
        }
        try writer.finish()
        let store = try SampleStore.open(path: path)
        #expect(store.header.splits.map(\.count) == counts && store.fileSize >= samples * 788)
    }
}
