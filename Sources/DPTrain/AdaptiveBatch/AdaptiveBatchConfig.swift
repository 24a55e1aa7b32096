/// `batch.adaptive:` — let the global batch follow the measured gradient noise scale
/// (McCandlish et al. 2018) instead of fixed milestones:
///
///     batch:
///       global: 256          # B₀: the batch at the start, and the one optimizer.lr/lr_schedule are written for
///       micro: 128
///       adaptive: {factor: 1, min: 256, max: 8192, every: 0.25, multiple_of: 256, lr: adascale}
///
/// Every `every` epochs B becomes the largest multiple of `multiple_of` ≤ `factor` × B_simple
/// (the smoothed online estimate), clamped to [`min`, `max`] and never smaller than the current
/// B (``AdaptiveBatchPolicy``); `lr` says how the learning rate follows (``AdaptiveLearningRate``).
///
/// `multiple_of` is the grid of allowed batches. Every batch must split into W ranks ×
/// K micro-steps × m, so `multiple_of` must be a multiple of W·m for each world size W the run
/// is started with; keeping it the same across W (rather than deriving it from W) is what
/// makes runs on 1×4, 2×2 and 4×1 choose the same batches (DESIGN §3.3).
///
/// References: McCandlish, Kaplan, Amodei et al., "An Empirical Model of Large-Batch
/// Training", 2018, https://arxiv.org/abs/1812.06162; Smith, Kindermans, Ying & Le, "Don't
/// Decay the Learning Rate, Increase the Batch Size", ICLR 2018.
public struct AdaptiveBatchConfig: Equatable, Sendable {
    /// `factor` > 0: the target batch is `factor` × B_simple (default 1).
    public var factor: Double
    /// `min` ≥ 1: the smallest batch a decision chooses (default `batch.global`).
    public var minimum: Int
    /// `max`: the largest batch (default: the largest multiple of `multiple_of` ≤ the training
    /// set size N, filled in when N is known).
    public var maximum: Int?
    /// `every` > 0: epochs of data progress between decisions (default 1); the first decision
    /// is at t = `every`.
    public var every: Double
    /// `multiple_of` ≥ 1: allowed batches are its multiples (default `batch.global`).
    public var multipleOf: Int
    /// `lr`: how the learning rate follows B (default `none`: keep it).
    public var learningRate: AdaptiveLearningRate

    /// The keys of the block, in the order the README documents them.
    public static let keys = ["factor", "min", "max", "every", "multiple_of", "lr"]

    init(_ reader: ConfigReader, global: Int) throws {
        factor = try reader.double("factor", default: 1, allowed: "a factor > 0", where: { $0 > 0 && $0.isFinite })
        multipleOf = try reader.int("multiple_of", default: global, allowed: "a batch size ≥ 1", where: { $0 >= 1 })
        let multiple = multipleOf
        let grid = "a multiple of batch.adaptive.multiple_of (\(multiple))"
        minimum = try reader.int("min", default: global, allowed: "a batch size ≥ 1 and \(grid)",
                                 where: { $0 >= 1 && $0 % multiple == 0 })
        let minimum = self.minimum
        maximum = reader.raw("max") == nil ? nil
            : try reader.int("max", allowed: "a batch size ≥ batch.adaptive.min (\(minimum)) and \(grid)",
                             where: { $0 >= minimum && $0 % multiple == 0 })
        every = try reader.double("every", default: 1, allowed: "epochs > 0", where: { $0 > 0 && $0.isFinite })
        learningRate = try reader.choice("lr", default: .none)
        if self.minimum % multiple != 0 {
            let below = self.minimum / multiple * multiple, above = below + multiple
            throw ConfigError.inconsistent(message:
                "batch.adaptive.min (\(self.minimum), by default batch.global) is not a multiple of batch.adaptive.multiple_of "
                + "(\(multiple)): set batch.adaptive.min to \(below > 0 ? "\(below) or " : "")\(above)")
        }
    }
}
