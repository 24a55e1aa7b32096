import Foundation
import Testing
import DPTrain

/// The (lr, B, K) plan as a function of progress (DESIGN §3.1, §3.5, §3.6).
@Suite("Training plan")
struct TrainingPlanTests {
    static func batch(_ yaml: String) throws -> BatchConfig {
        try TrainingTestSupport.config("model: {layers: [{dense: 10}]}\nbatch: \(yaml)").batch
    }

    static func plan(batch: String, schedule: String = "{name: constant}", lr: Double = 0.1,
                     world: Int = 1, samples: Int = 60000) throws -> TrainingPlan {
        let config = try TrainingTestSupport.config("""
            model: {layers: [{dense: 10}]}
            optimizer: {name: sgd, lr: \(lr)}
            batch: \(batch)
            lr_schedule: \(schedule)
            train: {epochs: 30}
            """)
        let (phi, _) = ScheduleFactory.make(config.schedule, length: 30,
                                            warmupStart: config.schedule.warmupStartFactor ?? (config.schedule.scaleRule == .none ? 0
                                                : 1 / (config.schedule.scaleRule == .linear ? Double(config.batch.global) / 256
                                                       : (Double(config.batch.global) / 256).squareRoot())))
        return try TrainingPlan(sampleCount: samples, worldSize: world, batch: config.batch,
                                baseLearningRate: config.optimizer.learningRate, scaleRule: config.schedule.scaleRule,
                                baseBatch: config.schedule.baseBatch, schedule: phi, scheduleInUpdates: false)
    }

    @Test func accumulationIsDerived() throws {
        let decomposition = try BatchDecomposition(global: 2048, worldSize: 2, micro: 128)
        #expect(decomposition.accumulation == 8)
        #expect(decomposition.description == "B = 2048 = W 2 × K 8 × m 128")
    }

    /// B/W = 125 has divisors 1, 5, 25, 125; the three nearest 64 are 25 (39 away), 5 (59), 125 (61).
    @Test("a batch that does not split names B, W, m and valid choices")
    func nonDivisibleBatch() throws {
        #expect(throws: BatchError.notDivisible(global: 250, worldSize: 2, micro: 64,
                                                suggestions: "batch.micro in {5, 25, 125}, or batch.global = 128 or 256")) {
            try BatchDecomposition(global: 250, worldSize: 2, micro: 64)
        }
        // B below W·m: one global batch to suggest, not the same one twice.
        #expect(throws: BatchError.notDivisible(global: 256, worldSize: 4, micro: 128,
                                                suggestions: "batch.micro in {16, 32, 64}, or batch.global = 512")) {
            try BatchDecomposition(global: 256, worldSize: 4, micro: 128)
        }
        let text = "\(BatchError.notDivisible(global: 250, worldSize: 2, micro: 64, suggestions: "x"))"
        #expect(text.contains("global batch 250") && text.contains("2 ranks") && text.contains("micro-batch 64"))
    }

    @Test("B = 1 (pure SGD) and B = N (full batch) are valid")
    func extremeBatches() throws {
        #expect(try BatchDecomposition(global: 1, worldSize: 1, micro: 1).accumulation == 1)
        let plan = try Self.plan(batch: "{global: 60000, micro: 500}", world: 2)
        #expect(plan.phases[0].accumulation == 60)
        #expect(throws: BatchError.globalExceedsDataset(global: 60000, samples: 1000)) {
            try Self.plan(batch: "{global: 60000, micro: 500}", samples: 1000)
        }
    }

    @Test("linear and square-root scaling against the base batch")
    func scalingRules() throws {
        let linear = try Self.plan(batch: "{global: 1024, micro: 128}", schedule: "{name: constant, scale: {rule: linear}}")
        #expect(abs(linear.learningRate(progress: 3, updates: 0) - 0.4) < 1e-12)  // 0.1 · 1024/256
        let sqrt = try Self.plan(batch: "{global: 1024, micro: 128}", schedule: "{name: constant, scale: {rule: sqrt}}")
        #expect(abs(sqrt.learningRate(progress: 3, updates: 0) - 0.2) < 1e-12)    // 0.1 · √4
        let none = try Self.plan(batch: "{global: 1024, micro: 128}")
        #expect(none.learningRate(progress: 3, updates: 0) == 0.1)
    }

    @Test("Goyal warmup: from the unscaled LR to the scaled one over 5 epochs")
    func goyalWarmup() throws {
        let plan = try Self.plan(batch: "{global: 8192, micro: 128}",
                                 schedule: "{name: constant, warmup: {epochs: 5}, scale: {rule: linear}}")
        // Target 0.1 · 8192/256 = 3.2; start = 0.1 (the base LR); linear in between.
        #expect(abs(plan.learningRate(progress: 0, updates: 0) - 0.1) < 1e-12)
        #expect(abs(plan.learningRate(progress: 2.5, updates: 0) - 1.65) < 1e-12)
        #expect(abs(plan.learningRate(progress: 5, updates: 0) - 3.2) < 1e-12)
        #expect(abs(plan.learningRate(progress: 20, updates: 0) - 3.2) < 1e-12)
    }

    @Test("batch-size milestones multiply B by growing K and keep the LR")
    func batchSchedule() throws {
        let plan = try Self.plan(batch: "{global: 256, micro: 64, schedule: [{epoch: 10, factor: 5}, {epoch: 20, factor: 2}]}",
                                 schedule: "{name: constant, scale: {rule: linear}}", world: 2)
        #expect(plan.decomposition(at: 0).global == 256)
        #expect(plan.decomposition(at: 9.99).accumulation == 2)
        #expect(plan.decomposition(at: 10).global == 1280)
        #expect(plan.decomposition(at: 10).accumulation == 10)
        #expect(plan.decomposition(at: 25).global == 2560)
        #expect(plan.decomposition(at: 25).accumulation == 20)
        // The LR stays at its value for B₀ (Smith et al. 2017): 0.1 · 256/256.
        #expect(plan.learningRate(progress: 25, updates: 0) == 0.1)
    }

    @Test("with rescale_lr the scaling rule follows the current B")
    func rescaledBatchSchedule() throws {
        let plan = try Self.plan(batch: "{global: 256, micro: 64, rescale_lr: true, schedule: [{epoch: 10, factor: 4}]}",
                                 schedule: "{name: constant, scale: {rule: linear}}")
        #expect(abs(plan.learningRate(progress: 11, updates: 0) - 0.4) < 1e-12)
    }

    @Test("every phase of a batch schedule must split over the ranks")
    func everyPhaseIsChecked() throws {
        #expect(throws: BatchError.self) {
            try Self.plan(batch: "{global: 256, micro: 128, schedule: [{epoch: 5, factor: 1.5}]}", world: 2)
        }
    }

    @Test("multistep decay is a function of epochs of progress")
    func multistep() throws {
        let plan = try Self.plan(batch: "{global: 256, micro: 128}",
                                 schedule: "{name: multistep, milestones: [10, 20], gamma: 0.2}")
        #expect(plan.learningRate(progress: 9.99, updates: 0) == 0.1)
        #expect(abs(plan.learningRate(progress: 10, updates: 0) - 0.02) < 1e-12)
        #expect(abs(plan.learningRate(progress: 25, updates: 0) - 0.004) < 1e-12)
    }
}
