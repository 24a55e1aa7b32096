import DPTrain
import Foundation
import Testing

/// The ingredients of Goyal et al. (2017) that the goyal2017 study relies on, besides the
/// momentum correction (pinned in the optimizer reference tests): no weight decay on biases and
/// normalisation parameters, and a warmup from the unscaled base LR η to the scaled kη.
@Suite struct Goyal2017RecipeTests {
    static let study = ShippedStudyTests.directory.appendingPathComponent("goyal2017.yaml").path

    /// A step with zero gradients, λ = 0.1 and η = 1 moves only the weight tensors (θ ← θ − ηλθ),
    /// for SGD with and without momentum correction and for LARS (whose trust ratio is 1 at a
    /// zero gradient). Biases, BatchNorm/LayerNorm scale and shift and running statistics keep
    /// their values bit for bit.
    @Test("weight decay reaches weights only: biases and normalisation parameters are not decayed",
          arguments: ["sgd", "sgd-uncorrected", "lars"])
    func weightDecayReachesWeightsOnly(optimizerName: String) throws {
        let model = try TrainingTestSupport.model(layers: """
                - {flatten: {}}
                - {dense: 8}
                - {batchnorm: {}}
                - {dense: 6, activation: relu}
                - {layernorm: {}}
                - {dense: 10}
            """)
        let store = model.store
        for i in 0..<store.count { store.values[i] += 0.25 }  // BatchNorm's shift and the biases start at 0
        let before = Array(store.values)
        let optimizer: any Optimizer
        switch optimizerName {
        case "sgd": optimizer = SGD(parameterCount: store.count, momentum: 0.9, weightDecay: 0.1)
        case "sgd-uncorrected":
            optimizer = SGD(parameterCount: store.count, momentum: 0.9, weightDecay: 0.1, momentumCorrection: false)
        default: optimizer = LARS(parameterCount: store.count, weightDecay: 0.1)
        }
        store.zeroGradients()
        optimizer.step(store: store, learningRate: 1)
        let roles = Set(store.slices.map(\.role))
        #expect(roles == [.weight, .bias, .normScale, .normShift, .runningStatistic], "\(roles)")
        for slice in store.slices {
            let range = slice.offset..<(slice.offset + slice.count)
            let now = Array(store.values[range])
            if slice.role == .weight {
                #expect(slice.decays)
                for (theta, old) in zip(now, before[range]) {
                    #expect(abs(Double(theta) - 0.9 * Double(old)) <= 1e-6 * abs(Double(old)) + 1e-7,
                            "\(optimizerName): \(slice.name) \(old) → \(theta), expected θ(1 − 0.1)")
                }
            } else {
                #expect(!slice.decays, "\(slice.name)")
                #expect(now == Array(before[range]), "\(optimizerName): \(slice.name) (\(slice.role)) was decayed")
            }
        }
    }

    /// Goyal et al. warm up from the base-batch LR η to kη: with `scale.rule: linear` and no
    /// `warmup.start_factor`, every warmup run of goyal2017 starts at `optimizer.lr` itself
    /// (0.05, not 0 and not kη) and reaches the scaled rate (times the cosine decay) at the end of
    /// its warmup.
    @Test("goyal2017's warmup runs start at the unscaled base LR and end at the linearly scaled one")
    func warmupStartsAtTheBaseRate() throws {
        let study = try Study.load(file: Self.study)
        var warmups = 0
        for run in study.runs {
            let config = try study.config(for: run)
            guard config.schedule.warmup > 0 else { continue }
            warmups += 1
            #expect(config.schedule.warmupStartFactor == nil, "\(run.name): a start_factor overrides the base-LR start")
            #expect(config.schedule.scaleRule == .linear)
            let plan = try RunBuilder.makePlan(config: config, sampleCount: 55_000, worldSize: 2)
            let base = config.optimizer.learningRate
            let k = Double(config.batch.global) / Double(config.schedule.baseBatch)
            let warmup = config.schedule.warmup
            let cosine = 0.5 * (1 + cos(Double.pi * warmup / config.train.epochs))
            #expect(abs(plan.learningRate(progress: 0, updates: 0) - base) <= 1e-12 * base, "\(run.name)")
            #expect(abs(plan.learningRate(progress: warmup, updates: 0) - k * base * cosine) <= 1e-9 * k * base,
                    "\(run.name)")
            // Linear in between: halfway is the mean of the two ends.
            let halfway = plan.learningRate(progress: warmup / 2, updates: 0)
            let inner = k * base * 0.5 * (1 + cos(Double.pi * warmup / 2 / config.train.epochs))
            #expect(abs(halfway - (base + (inner - base) / 2)) <= 1e-9 * k * base, "\(run.name)")
        }
        #expect(warmups >= 3, "goyal2017 has \(warmups) warmup runs")
    }
}
