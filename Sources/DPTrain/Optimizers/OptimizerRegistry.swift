/// Every optimizer a config can name. Adding one: its file (the optimizer, its `Options` and
/// its ``OptimizerKind``), its tests, one line here and its row in the README's optimizer table.
public enum OptimizerRegistry {
    /// In the order error messages and the README list them.
    public static let kinds: [OptimizerKind] = [
        SGD.kind,
        AdaGrad.kind,
        RMSProp.kind,
        Adam.kind,
        Adam.adamWKind,
        LARS.kind,
        LAMB.kind,
    ]

    /// The values `optimizer.name` accepts.
    public static var names: [String] { kinds.map(\.name) }

    /// The kind called `name`, if any.
    public static func kind(named name: String) -> OptimizerKind? {
        kinds.first { $0.name == name }
    }
}
