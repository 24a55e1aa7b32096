import Foundation
import Testing
import DPTrain

/// `batch.adaptive:` reading: defaults, strict keys with suggestions, and the combinations
/// that cannot work, each with a message that says how to fix it.
@Suite("Adaptive batch config")
struct AdaptiveBatchConfigTests {
    static func config(_ batch: String, extra: String = "") throws -> TrainingConfig {
        try TrainingTestSupport.config("model: {layers: [{dense: 10}]}\nbatch: \(batch)\n\(extra)")
    }

    static func message(_ batch: String, extra: String = "") -> String {
        do {
            _ = try config(batch, extra: extra)
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    @Test("defaults and the resolved config")
    func defaults() throws {
        let config = try Self.config("{global: 256, micro: 64, adaptive: {}}")
        let adaptive = try #require(config.batch.adaptive)
        #expect(adaptive.factor == 1 && adaptive.minimum == 256 && adaptive.maximum == nil && adaptive.every == 1)
        #expect(adaptive.multipleOf == 256 && adaptive.learningRate == .none)
        #expect(config.resolvedYAML.contains("adaptive:"))
        #expect(try Self.config("{global: 256, micro: 64}").batch.adaptive == nil)
        #expect(!(try Self.config("{global: 256, micro: 64}").resolvedYAML.contains("adaptive")))
        let full = try Self.config("{global: 256, micro: 64, adaptive: {factor: 2, min: 512, max: 4096, every: 0.5, "
                                   + "multiple_of: 512, lr: adascale}}")
        let given = try #require(full.batch.adaptive)
        #expect(given.factor == 2 && given.minimum == 512 && given.maximum == 4096 && given.every == 0.5)
        #expect(given.multipleOf == 512 && given.learningRate == .adascale)
    }

    @Test("unknown keys and words suggest the nearest valid one")
    func strictKeys() {
        let key = Self.message("{global: 256, micro: 64, adaptive: {factr: 2}}")
        #expect(key.contains("batch.adaptive.factr") && key.contains("did you mean 'factor'"), "\(key)")
        let word = Self.message("{global: 256, micro: 64, adaptive: {lr: adascal}}")
        #expect(word.contains("batch.adaptive.lr") && word.contains("did you mean 'adascale'"), "\(word)")
    }

    @Test("impossible combinations are errors that say what to change")
    func inconsistent() {
        let cases: [(batch: String, extra: String, expected: String)] = [
            ("{global: 256, micro: 64, adaptive: {factor: 0}}", "", "batch.adaptive.factor"),
            ("{global: 256, micro: 64, adaptive: {every: 0}}", "", "batch.adaptive.every"),
            ("{global: 256, micro: 64, adaptive: {multiple_of: 256, min: 300}}", "", "a multiple of batch.adaptive.multiple_of (256)"),
            ("{global: 256, micro: 64, adaptive: {multiple_of: 512}}", "", "set batch.adaptive.min to 512"),
            ("{global: 256, micro: 64, adaptive: {min: 512, max: 256}}", "", "≥ batch.adaptive.min (512)"),
            ("{global: 256, micro: 64, schedule: [{epoch: 2, factor: 2}], adaptive: {}}", "", "use one of them"),
            ("{global: 256, micro: 64, rescale_lr: true, adaptive: {}}", "", "remove batch.rescale_lr"),
            ("{global: 64, micro: 64, adaptive: {}}", "", "batch.global ≥ 2 × batch.micro"),
            ("{global: 256, micro: 64, adaptive: {}}", "train: {noise_every: 0}", "set train.noise_every ≥ 1"),
            ("{global: 256, micro: 64, adaptive: {lr: adascale}}", "lr_schedule: {unit: updates}", "lr_schedule.unit: epochs"),
        ]
        for (batch, extra, expected) in cases {
            let message = Self.message(batch, extra: extra)
            #expect(message.contains(expected), "\(batch) \(extra): \(message)")
        }
    }
}
