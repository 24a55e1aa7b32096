import DPTrain
import Foundation
import Testing

/// Every config shipped in configs/ loads (no unknown key, every value in range) and builds its
/// model, so a README command never starts with a config error.
@Suite("Shipped configs")
struct ShippedConfigTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("configs")

    static let files: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted()
    }()

    @Test("configs/ holds the README's configs")
    func listed() {
        for name in ["smoke.yaml", "fashion-mnist-mlp.yaml", "fashion-mnist-mlp-fast.yaml", "fashion-mnist-cnn.yaml",
                     "bench-mlp.yaml"] {
            #expect(ShippedConfigTests.files.contains(name), "configs/\(name) is missing")
        }
    }

    @Test("loads and builds its model", arguments: files)
    func loadsAndBuilds(name: String) throws {
        let config = try TrainingConfig.load(file: ShippedConfigTests.directory.appendingPathComponent(name).path)
        let model = try ModelBuilder.build(layers: config.layers, inputShape: config.inputShape)
        #expect(model.parameterCount > 0)
    }
}
