/// `batch:` — global batch B, micro-batch m and the batch-size schedule (DESIGN §3.1, §3.6).
public struct BatchConfig: Equatable, Sendable {
    /// Global batch B at the start: samples per optimizer update, over all ranks and micro-steps.
    public var global: Int
    /// Micro-batch m: samples one rank computes in one forward/backward (its memory limit).
    public var micro: Int
    /// Milestones (in epochs of progress) at which B is multiplied by `factor` (K grows).
    public var schedule: [Milestone]
    /// Whether the LR is rescaled by `lr_schedule.scale.rule` when B changes at a milestone
    /// (default false: Smith et al. 2017 keep the LR and grow B instead of decaying it).
    public var rescaleLearningRate: Bool
    /// `adaptive:` — B follows the measured noise scale (nil when the block is absent).
    public var adaptive: AdaptiveBatchConfig?

    /// One batch-size milestone.
    public struct Milestone: Equatable, Sendable {
        public var epoch: Double
        public var factor: Double
    }

    init(_ reader: ConfigReader) throws {
        global = try reader.int("global", default: 256, allowed: "a batch size ≥ 1", where: { $0 >= 1 })
        micro = try reader.int("micro", default: min(global, 128), allowed: "a micro-batch size ≥ 1", where: { $0 >= 1 })
        rescaleLearningRate = try reader.bool("rescale_lr", default: false)
        var milestones: [Milestone] = []
        let items = try reader.list("schedule")
        for (index, item) in items.enumerated() {
            let entry = try reader.element(of: "schedule", index: index, item)
            let epoch = try entry.double("epoch", allowed: "progress in epochs ≥ 0", where: { $0 >= 0 })
            let factor = try entry.double("factor", allowed: "a factor > 0", where: { $0 > 0 })
            try entry.finish()
            if let last = milestones.last, epoch <= last.epoch {
                throw ConfigError.outOfRange(path: "batch.schedule.\(index).epoch", line: item.line, value: "\(epoch)",
                                             allowed: "greater than the previous milestone (\(last.epoch))")
            }
            milestones.append(Milestone(epoch: epoch, factor: factor))
        }
        schedule = milestones
        adaptive = reader.raw("adaptive") == nil ? nil : try AdaptiveBatchConfig(try reader.section("adaptive"), global: global)
        if adaptive != nil, !schedule.isEmpty {
            throw ConfigError.inconsistent(message: "batch.schedule and batch.adaptive both change the batch size: "
                + "use one of them (remove batch.schedule, or remove batch.adaptive)")
        }
        if adaptive != nil, rescaleLearningRate {
            throw ConfigError.inconsistent(message: "batch.rescale_lr applies to batch.schedule; with batch.adaptive "
                + "the learning rate follows batch.adaptive.lr (none, linear, sqrt or adascale): remove batch.rescale_lr")
        }
        if adaptive != nil, global < 2 * micro {
            throw ConfigError.inconsistent(message: "batch.adaptive needs the noise-scale estimate, which compares "
                + "micro-batches with the global batch: set batch.global ≥ 2 × batch.micro (now \(global) and \(micro))")
        }
    }

    /// B at each phase of the schedule: B₀, B₀·f₁, B₀·f₁·f₂, … (rounded to whole samples).
    public var phaseBatches: [Int] {
        var batches = [global]
        var value = Double(global)
        for milestone in schedule {
            value *= milestone.factor
            batches.append(Int(value.rounded()))
        }
        return batches
    }
}
