import DPTrain
import Foundation
import Testing

/// Every study shipped in configs/studies/ loads, every run's resolved config is valid
/// (including that it produces the metric its target watches), and its batch plan splits on
/// 1 and 2 ranks: a broken shipped study fails here rather than minutes into a study.
@Suite struct ShippedStudyTests {
    /// configs/studies/ of this checkout.
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("configs/studies")

    /// The training samples a run of `config` has (its training set less the validation
    /// split), without reading the data; nil for file datasets.
    static func trainingSamples(_ config: TrainingConfig) -> Int? {
        let total: Int
        switch config.data.dataset {
        case .fashionMNIST: total = 60_000  // Fashion-MNIST's training images
        case let .spirals(samples, _, _): total = samples
        case let .linearRegression(samples, _, _, _): total = samples
        default: return nil
        }
        return total - config.data.validation
    }

    @Test func everyShippedStudyLoadsAndEveryRunPlansOnOneAndTwoRanks() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: ShippedStudyTests.directory.path)
            .filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(files.count >= 4, "found \(files)")
        for file in files {
            let path = ShippedStudyTests.directory.appendingPathComponent(file).path
            let study = try Study.load(file: path)
            try study.validateRuns()
            #expect(!study.runs.isEmpty, "\(file)")
            for run in study.runs {
                let config = try study.config(for: run)
                let samples = try #require(ShippedStudyTests.trainingSamples(config), "\(file): \(run.name): dataset")
                for worldSize in [1, 2] {
                    do {
                        _ = try RunBuilder.makePlan(config: config, sampleCount: samples, worldSize: worldSize)
                    } catch {
                        Issue.record("\(file): run \(run.name) on \(worldSize) rank(s): \(error)")
                    }
                }
            }
        }
    }
}
