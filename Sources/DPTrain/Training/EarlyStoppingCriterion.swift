/// `train.early_stopping:` — when the validation loss says to stop, with exactly the options
/// of that criterion. Printing a criterion shows its YAML spelling (`none`, `patience`, `gl`).
///
/// Reference: Prechelt, "Early Stopping — But When?", in Neural Networks: Tricks of the Trade,
/// 1998, https://doi.org/10.1007/3-540-49430-8_3
public enum EarlyStoppingCriterion: Equatable, Sendable, CustomStringConvertible {
    /// Never stop early (the default).
    case none
    /// Stop when the validation loss has not improved by more than `minDelta` for `patience`
    /// evaluations in a row. YAML `patience` (default 5, ≥ 1) and `min_delta` (default 0, ≥ 0).
    case patience(patience: Int, minDelta: Double)
    /// Stop when the generalisation loss GL(t) = 100·(E_va(t)/E_opt(t) − 1) exceeds α, E_opt
    /// the lowest validation loss so far. YAML `alpha` (default 5, a percentage > 0).
    case gl(alpha: Double)

    /// The YAML spellings of `criterion`, in the order errors list them.
    static let spellings = ["none", "patience", "gl"]

    /// The YAML spelling of `criterion`.
    public var description: String {
        switch self {
        case .none: return "none"
        case .patience: return "patience"
        case .gl: return "gl"
        }
    }

    /// Reads `criterion` and that criterion's options from `train.early_stopping:`.
    init(_ reader: ConfigReader) throws {
        switch try reader.string("criterion", default: "none", choices: EarlyStoppingCriterion.spellings) {
        case "patience":
            self = .patience(
                patience: try reader.int("patience", default: 5, allowed: "evaluations ≥ 1", where: { $0 >= 1 }),
                minDelta: try reader.double("min_delta", default: 0, allowed: "a loss difference ≥ 0", where: { $0 >= 0 }))
        case "gl":
            self = .gl(alpha: try reader.double("alpha", default: 5, allowed: "a percentage > 0", where: { $0 > 0 }))
        default:
            self = .none
        }
    }
}
