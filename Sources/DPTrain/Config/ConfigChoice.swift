/// A config word from a fixed list, read once into a type (STYLE: "Choices are types, not
/// strings"). The raw value is the YAML spelling, and printing a choice shows that spelling,
/// so banners and messages read as before.
///
/// The order of `allCases` is the order in which ``ConfigReader/choice(_:default:)`` lists
/// the valid words in errors.
public protocol ConfigChoice: RawRepresentable, CaseIterable, CustomStringConvertible, Sendable
    where RawValue == String {}

extension ConfigChoice {
    /// The YAML spelling.
    public var description: String { rawValue }

    /// Every YAML spelling, in declaration order.
    public static var spellings: [String] { allCases.map(\.rawValue) }
}

extension ConfigReader {
    /// The choice spelled under `key` (or `defaultValue` when absent); errors list every
    /// spelling and suggest the nearest, exactly as ``string(_:default:choices:)`` does.
    func choice<Choice: ConfigChoice>(_ key: String, default defaultValue: Choice) throws -> Choice {
        let word = try string(key, default: defaultValue.rawValue, choices: Choice.spellings)
        return Choice(rawValue: word)!  // `string` accepted only spellings of Choice.
    }
}
