/// Reads one map of a configuration with types, defaults and ranges, and fails on keys it
/// was never asked for (with the nearest valid key as a suggestion).
///
/// Every value read — given or defaulted — is recorded, so ``resolved`` is the complete
/// configuration the run used (saved as `config.resolved.yaml`).
public final class ConfigReader {
    /// Dotted path of this map ("" for the root).
    public let path: String
    private let entries: [(key: String, value: ConfigValue)]
    private let line: Int?
    private var known: [String] = []
    private var resolvedEntries: [(key: String, value: Resolved)] = []

    private enum Resolved {
        case value(ConfigValue)
        case reader(ConfigReader)
    }

    /// A reader of `value`, which must be a map (or null, read as an empty map).
    public init(_ value: ConfigValue, path: String = "") throws {
        self.path = path
        switch value {
        case let .map(entries, line):
            self.entries = entries
            self.line = line
        case let .null(line):
            self.entries = []
            self.line = line
        default:
            throw ConfigError.wrongType(path: path.isEmpty ? "(top level)" : path, line: value.line,
                                        expected: "a map of keys", found: value.kindDescription)
        }
    }

    private func fullPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The raw value under `key`, marking the key as known.
    public func raw(_ key: String) -> ConfigValue? {
        if !known.contains(key) { known.append(key) }
        guard let value = entries.first(where: { $0.key == key })?.value else { return nil }
        if case .null = value { return nil }
        return value
    }

    /// True when the map holds `key` (does not mark it as known).
    public func contains(_ key: String) -> Bool { entries.contains { $0.key == key } }

    /// The keys present in the map, in file order.
    public var keys: [String] { entries.map(\.key) }

    private func record(_ key: String, _ value: ConfigValue) {
        resolvedEntries.removeAll { $0.key == key }
        resolvedEntries.append((key, .value(value)))
    }

    /// Records a value in the resolved configuration without reading it from the file.
    public func recordResolved(_ key: String, _ value: ConfigValue) { record(key, value) }

    private func scalarText(_ key: String) throws -> (String, Int?)? {
        guard let value = raw(key) else { return nil }
        guard case let .scalar(text, line) = value else {
            throw ConfigError.wrongType(path: fullPath(key), line: value.line,
                                        expected: "a single value", found: value.kindDescription)
        }
        return (text, line)
    }

    /// A number. `range` is checked and described in errors as `allowed`.
    public func double(_ key: String, default defaultValue: Double? = nil,
                       allowed: String = "a number", where valid: (Double) -> Bool = { $0.isFinite }) throws -> Double {
        guard let (text, line) = try scalarText(key) else {
            guard let defaultValue else {
                throw ConfigError.missing(path: fullPath(key), hint: "give \(allowed)")
            }
            record(key, .scalar(ConfigReader.format(defaultValue), line: nil))
            return defaultValue
        }
        guard let value = Double(text.replacingOccurrences(of: "_", with: "")) else {
            let expected = allowed == "a number" ? allowed : "a number (\(allowed))"
            throw ConfigError.wrongType(path: fullPath(key), line: line, expected: expected, found: "'\(text)'")
        }
        guard valid(value) else {
            throw ConfigError.outOfRange(path: fullPath(key), line: line, value: text, allowed: allowed)
        }
        record(key, .scalar(ConfigReader.format(value), line: nil))
        return value
    }

    /// An optional number: nil when absent.
    public func optionalDouble(_ key: String, allowed: String = "a number",
                               where valid: (Double) -> Bool = { $0.isFinite }) throws -> Double? {
        guard contains(key), raw(key) != nil else { _ = raw(key); return nil }
        return try double(key, allowed: allowed, where: valid)
    }

    /// A whole number.
    public func int(_ key: String, default defaultValue: Int? = nil,
                    allowed: String = "a whole number", where valid: (Int) -> Bool = { _ in true }) throws -> Int {
        guard let (text, line) = try scalarText(key) else {
            guard let defaultValue else {
                throw ConfigError.missing(path: fullPath(key), hint: "give \(allowed)")
            }
            record(key, .scalar(String(defaultValue), line: nil))
            return defaultValue
        }
        guard let value = Int(text.replacingOccurrences(of: "_", with: "")) else {
            let expected = allowed == "a whole number" ? allowed : "a whole number (\(allowed))"
            throw ConfigError.wrongType(path: fullPath(key), line: line, expected: expected, found: "'\(text)'")
        }
        guard valid(value) else {
            throw ConfigError.outOfRange(path: fullPath(key), line: line, value: text, allowed: allowed)
        }
        record(key, .scalar(String(value), line: nil))
        return value
    }

    /// true / false (also yes/no, on/off).
    public func bool(_ key: String, default defaultValue: Bool) throws -> Bool {
        guard let (text, line) = try scalarText(key) else {
            record(key, .scalar(String(defaultValue), line: nil))
            return defaultValue
        }
        let value: Bool
        switch text.lowercased() {
        case "true", "yes", "on": value = true
        case "false", "no", "off": value = false
        default:
            throw ConfigError.wrongType(path: fullPath(key), line: line, expected: "true or false", found: "'\(text)'")
        }
        record(key, .scalar(String(value), line: nil))
        return value
    }

    /// A word from `choices` (or any text when `choices` is empty).
    public func string(_ key: String, default defaultValue: String? = nil, choices: [String] = []) throws -> String {
        guard let (text, line) = try scalarText(key) else {
            guard let defaultValue else {
                let hint = choices.isEmpty ? "give a value" : "one of \(choices.joined(separator: ", "))"
                throw ConfigError.missing(path: fullPath(key), hint: hint)
            }
            record(key, .scalar(defaultValue, line: nil))
            return defaultValue
        }
        if !choices.isEmpty, !choices.contains(text) {
            let suggestion = ConfigReader.nearest(to: text, in: choices)
            let allowed = "one of \(choices.joined(separator: ", "))" + (suggestion.map { " (did you mean '\($0)'?)" } ?? "")
            throw ConfigError.outOfRange(path: fullPath(key), line: line, value: "'\(text)'", allowed: allowed)
        }
        record(key, .scalar(text, line: nil))
        return text
    }

    /// A list of numbers (a single number is read as a list of one).
    public func doubles(_ key: String, default defaultValue: [Double] = [],
                        allowed: String = "a list of numbers", where valid: (Double) -> Bool = { $0.isFinite }) throws -> [Double] {
        guard let value = raw(key) else {
            record(key, .list(defaultValue.map { .scalar(ConfigReader.format($0), line: nil) }, line: nil))
            return defaultValue
        }
        let items: [ConfigValue]
        switch value {
        case let .list(list, _): items = list
        case .scalar: items = [value]
        default:
            throw ConfigError.wrongType(path: fullPath(key), line: value.line, expected: allowed, found: value.kindDescription)
        }
        let numbers = try items.enumerated().map { index, item -> Double in
            guard case let .scalar(text, line) = item, let number = Double(text) else {
                throw ConfigError.wrongType(path: "\(fullPath(key)).\(index)", line: item.line ?? value.line,
                                            expected: "a number", found: item.kindDescription)
            }
            guard valid(number) else {
                throw ConfigError.outOfRange(path: "\(fullPath(key)).\(index)", line: line, value: text, allowed: allowed)
            }
            return number
        }
        record(key, .list(numbers.map { .scalar(ConfigReader.format($0), line: nil) }, line: nil))
        return numbers
    }

    /// The map under `key` (an empty map when absent).
    public func section(_ key: String) throws -> ConfigReader {
        let value = raw(key) ?? .map([], line: nil)
        let reader = try ConfigReader(value, path: fullPath(key))
        resolvedEntries.removeAll { $0.key == key }
        resolvedEntries.append((key, .reader(reader)))
        return reader
    }

    /// The list under `key` (empty when absent); elements are recorded as given.
    public func list(_ key: String) throws -> [ConfigValue] {
        guard let value = raw(key) else { return [] }
        guard case let .list(items, _) = value else {
            throw ConfigError.wrongType(path: fullPath(key), line: value.line, expected: "a list", found: value.kindDescription)
        }
        record(key, value.withoutLines)
        return items
    }

    /// A reader for one element of a list of maps (path `key.index`); its resolved form
    /// replaces the raw element.
    public func element(of key: String, index: Int, _ value: ConfigValue) throws -> ConfigReader {
        try ConfigReader(value, path: "\(fullPath(key)).\(index)")
    }

    /// Throws for the first key of the map that nothing asked for.
    public func finish() throws {
        for entry in entries where !known.contains(entry.key) {
            if entry.key.contains(":") {
                throw ConfigError.yaml(file: path.isEmpty ? "config" : path,
                    message: "'\(entry.key)' is read as one key: YAML needs a space after ':' (write {name: adam}, not {name:adam})")
            }
            if case .null = entry.value { continue }  // `key: null` (or `key=null`) means "not set"
            throw ConfigError.unknownKey(path: fullPath(entry.key), line: entry.value.line,
                                         suggestion: ConfigReader.nearest(to: entry.key, in: known),
                                         valid: known)
        }
        for case let (_, .reader(child)) in resolvedEntries { try child.finish() }
    }

    /// Everything read, with defaults, as a tree.
    public var resolved: ConfigValue {
        .map(resolvedEntries.map { key, value in
            switch value {
            case let .value(configValue): return (key, configValue)
            case let .reader(reader): return (key, reader.resolved)
            }
        }, line: nil)
    }

    /// The element of `candidates` closest to `word` by edit distance, if reasonably close;
    /// otherwise a candidate that is one of the `_`-separated parts of `word` (`lr_rate` → `lr`)
    /// or a common long spelling of it (`learning_rate` → `lr`).
    public static func nearest(to word: String, in candidates: [String]) -> String? {
        let lower = word.lowercased()
        let scored = candidates.map { ($0, editDistance(lower, $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        if best.1 <= max(2, word.count / 3) { return best.0 }
        if let alias = longSpellings[lower], candidates.contains(alias) { return alias }
        let parts = lower.split(separator: "_").map(String.init)
        return candidates.first { parts.count > 1 && parts.contains($0.lowercased()) }
    }

    /// Long spellings of short config keys, for suggestions.
    static let longSpellings = ["learning_rate": "lr", "learningrate": "lr", "batch_size": "global",
                                "num_epochs": "epochs", "n_epochs": "epochs"]

    /// Levenshtein distance.
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }

    /// Shortest text that reads back as the same Double.
    public static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        return "\(value)"
    }
}
