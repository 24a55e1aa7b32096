import DPTrain
import Testing

@Suite("Data source and preparation")
struct DataSourceTests {
    @Test func csvFilesThroughTheConfigEntryPoint() throws {
        let dir = DataTemporaryDirectory()
        let train = dir.write("train.csv", text: "a,b,y\n0,10,0\n2,10,1\n4,10,1\n6,10,0\n")
        let test = dir.write("test.csv", text: "a,b,y\n8,12,1\n")
        let sets = try DataSource.load(.csv(train: train, test: test, labelColumn: "y"), seed: 1)
        #expect(sets.train.count == 4 && sets.test?.count == 1 && sets.test?.classCount == 2)
        let prepared = try DataSource.prepare(train: sets.train, test: sets.test, validationCount: 0, seed: 1,
                                              normalization: .standardize, noise: 0.1)
        #expect(prepared.validation == nil)
        // Column a: mean 3, std √5; column b: constant 10, divisor 1.
        let t = Array(prepared.test!.features)
        #expect(abs(Double(t[0]) - 5 / 5.0.squareRoot()) < 1e-5 && t[1] == 2)
        // Fill value: the normalised 0 of column a, (0 − 3)/√5.
        #expect(prepared.augmentation?.noise == 0.1 && prepared.augmentation?.shift == 0)
        #expect(abs(Double(prepared.augmentation?.fillValue ?? 0) + 3 / 5.0.squareRoot()) < 1e-6)
    }

    @Test func validationStatisticsComeFromTheTrainingPartOnly() throws {
        // Samples 0…9 with feature value = index; hold out 4.
        let data = Dataset(sampleShape: [1], features: (0..<10).map(Float.init), labels: [Int32](repeating: 0, count: 10),
                           classCount: 1)
        let split = ValidationSplit.indices(count: 10, validationCount: 4, seed: 2)
        let prepared = try DataSource.prepare(train: data, test: nil, validationCount: 4, seed: 2, normalization: .minmax)
        let low = Double(split.train.min()!), high = Double(split.train.max()!)
        #expect(prepared.normalizer.shift == [low])
        #expect(prepared.normalizer.scale == [high - low])
        #expect(prepared.validation?.count == 4 && prepared.train.count == 6)
    }

    @Test func configurationErrors() throws {
        // The dataset kind and its files are checked where the config is read.
        let unknown = #expect(throws: ConfigError.self) {
            _ = try TrainingTestSupport.config("data: {dataset: mnist}\nmodel: {layers: [{dense: 10}]}")
        }
        #expect(unknown.map { "\($0)".contains("'mnist'") && "\($0)".contains("fashion-mnist, idx, npy, csv") } == true)
        let noTrainFile = #expect(throws: ConfigError.self) {
            _ = try TrainingTestSupport.config("data: {dataset: npy}\nmodel: {layers: [{dense: 10}]}")
        }
        #expect(noTrainFile.map { "\($0)".contains("data.train") } == true)
        let tabular = Dataset(sampleShape: [3], features: [1, 2, 3], labels: [0], classCount: 1)
        expectDataError(.configuration, mentioning: ["shift", "[3]"]) {
            _ = try DataSource.prepare(train: tabular, test: nil, validationCount: 0, seed: 1, normalization: .none, shift: 1)
        }
    }
}
