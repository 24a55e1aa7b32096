/// `lr_schedule:` — the learning rate as a function of progress, its warmup and its
/// scaling with the batch size (DESIGN §3.5–3.6):
///
///     η(t) = η_base · s(B) · φ(t)
///
/// with φ the schedule ``kind`` (after an optional linear ``warmup``) and s the ``scaleRule``.
public struct ScheduleConfig: Equatable, Sendable {
    /// `name` and that schedule's options (default `constant`).
    public var kind: ScheduleKind
    /// `unit`: the unit of every progress value of the schedule and its warmup (default `epochs`).
    public var unit: ScheduleUnit
    /// `warmup.epochs`: linear warmup length T_w ≥ 0 in ``unit`` (default 0 = none; Goyal et al. 2017).
    public var warmup: Double
    /// `warmup.start_factor` in [0, 1]: φ at t = 0 of the warmup (nil: the unscaled base LR,
    /// see ``ScalingRule/warmupStartFactor(forBatch:baseBatch:)``).
    public var warmupStartFactor: Double?
    /// `scale.rule`: s(B) (default `none`).
    public var scaleRule: ScalingRule
    /// `scale.base_batch` ≥ 1: B_base, the batch `optimizer.lr` is given for (default 256).
    public var baseBatch: Int

    /// The YAML spelling of the schedule (`lr_schedule.name`), for banners.
    public var name: String { kind.description }

    init(_ reader: ConfigReader) throws {
        let name = try reader.string("name", default: "constant", choices: ScheduleFactory.names)
        unit = try reader.choice("unit", default: .epochs)
        kind = try ScheduleFactory.kind(named: name, options: reader)
        let warmupReader = try reader.section("warmup")
        warmup = try warmupReader.double("epochs", default: 0, allowed: "a length ≥ 0", where: { $0 >= 0 })
        warmupStartFactor = try warmupReader.optionalDouble("start_factor", allowed: "a factor in [0, 1]",
                                                             where: { $0 >= 0 && $0 <= 1 })
        let scale = try reader.section("scale")
        scaleRule = try scale.choice("rule", default: .none)
        baseBatch = try scale.int("base_batch", default: 256, allowed: "a batch size ≥ 1", where: { $0 >= 1 })
    }
}
