import Foundation
import Yams

/// A configuration as a tree: maps keep their key order, scalars keep their YAML text
/// (typed when read), and every node remembers the line it came from for error messages.
public indirect enum ConfigValue: Equatable, Sendable {
    case map([(key: String, value: ConfigValue)], line: Int?)
    case list([ConfigValue], line: Int?)
    case scalar(String, line: Int?)
    case null(line: Int?)

    public static func == (lhs: ConfigValue, rhs: ConfigValue) -> Bool {
        switch (lhs, rhs) {
        case let (.map(a, _), .map(b, _)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case let (.list(a, _), .list(b, _)): return a == b
        case let (.scalar(a, _), .scalar(b, _)): return a == b
        case (.null, .null): return true
        default: return false
        }
    }

    /// Line in the source file (1-based), when known.
    public var line: Int? {
        switch self {
        case let .map(_, line), let .list(_, line), let .scalar(_, line), let .null(line): return line
        }
    }

    /// A short name of the node's kind for type errors ("a map", "a list", "'abc'").
    public var kindDescription: String {
        switch self {
        case .map: return "a map"
        case .list: return "a list"
        case let .scalar(text, _): return "'\(text)'"
        case .null: return "nothing (null)"
        }
    }

    /// Yams' multi-line error ("4:3: error: parser: while parsing … in line 3, column 11\n did not
    /// find expected ',' or ']':\n <the line>\n ^") as one line with the position first and a fix:
    /// `line 4, column 3: did not find expected ',' or ']' (while parsing …); check …`.
    static func oneLine(yamlError text: String) -> String {
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let head = lines.first else { return text }
        let fields = head.split(separator: ":", maxSplits: 4).map { $0.trimmingCharacters(in: .whitespaces) }
        guard fields.count == 5, let line = Int(fields[0]), let column = Int(fields[1]) else {
            return lines.joined(separator: " ")
        }
        let problem = lines.count > 1 ? String(lines[1].trimmingCharacters(in: CharacterSet(charactersIn: ":"))) : fields[4]
        let context = lines.count > 1 ? " (\(fields[4]))" : ""
        return "line \(line), column \(column): \(problem)\(context); check the brackets, quotes and indentation there"
    }

    /// Parses YAML text. `file` names the source in errors. The text is first held to
    /// ``YAMLInputLimits`` (size, no anchors or aliases, nesting depth), so hostile text is
    /// refused before Yams builds or expands anything.
    public static func parse(yaml text: String, file: String) throws -> ConfigValue {
        try YAMLInputLimits.check(text, file: file)
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw ConfigError.yaml(file: file, message: ConfigValue.oneLine(yamlError: "\(error)"))
        } catch {
            throw ConfigError.yaml(file: file, message: "\(error)")
        }
        guard let node else { return .map([], line: 1) }
        return try convert(node, file: file)
    }

    private static func convert(_ node: Node, file: String) throws -> ConfigValue {
        let line = node.mark.map { $0.line }
        // Anchored nodes never get here (YAMLInputLimits refuses them); refusing them again
        // keeps this recursion linear in the text even if that check is bypassed.
        if node.anchor != nil { throw ConfigError.anchorsNotSupported(file: file, line: line ?? 0) }
        switch node {
        case let .scalar(scalar):
            if scalar.style == .plain, ["null", "~", ""].contains(scalar.string) { return .null(line: line) }
            return .scalar(scalar.string, line: line)
        case let .sequence(sequence):
            return .list(try sequence.map { try convert($0, file: file) }, line: line)
        case let .mapping(mapping):
            var entries: [(key: String, value: ConfigValue)] = []
            for (keyNode, valueNode) in mapping {
                guard let key = keyNode.scalar?.string else {
                    throw ConfigError.yaml(file: file, message: "line \(line ?? 0): map keys must be plain words")
                }
                if entries.contains(where: { $0.key == key }) {
                    throw ConfigError.yaml(file: file,
                                           message: "line \(keyNode.mark?.line ?? 0): key '\(key)' appears twice")
                }
                entries.append((key, try convert(valueNode, file: file)))
            }
            return .map(entries, line: line)
        case .alias:
            throw ConfigError.anchorsNotSupported(file: file, line: line ?? 0)
        }
    }

    /// Returns a copy with `value` stored at the dotted `path` (list elements by index),
    /// creating maps on the way: the `key.path=value` override of the command line.
    public func setting(_ value: ConfigValue, at path: [String], fullPath: String) throws -> ConfigValue {
        guard let head = path.first else { return value }
        let rest = Array(path.dropFirst())
        switch self {
        case let .map(entries, line):
            var entries = entries
            if let index = entries.firstIndex(where: { $0.key == head }) {
                entries[index].value = try entries[index].value.setting(value, at: rest, fullPath: fullPath)
            } else {
                entries.append((head, try ConfigValue.map([], line: nil).setting(value, at: rest, fullPath: fullPath)))
            }
            return .map(entries, line: line)
        case let .list(items, line):
            guard let index = Int(head), items.indices.contains(index) else {
                throw ConfigError.invalidOverride(
                    text: fullPath, reason: "'\(head)' is not an index of the list (0 ..< \(items.count))")
            }
            var items = items
            items[index] = try items[index].setting(value, at: rest, fullPath: fullPath)
            return .list(items, line: line)
        case .null:
            return try ConfigValue.map([], line: nil).setting(value, at: path, fullPath: fullPath)
        case .scalar:
            throw ConfigError.invalidOverride(
                text: fullPath, reason: "'\(head)' goes inside a value that is not a map")
        }
    }

    /// Applies `key.path=value` overrides in order; each value is parsed as YAML
    /// (so `lr=0.1`, `milestones=[10,20]`, `augment={shift: 2}` all work).
    public func applying(overrides: [String]) throws -> ConfigValue {
        var result = self
        for text in overrides {
            guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
                throw ConfigError.invalidOverride(text: text, reason: "expected key.path=value")
            }
            let path = text[..<equals].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard !path.contains(where: \.isEmpty) else {
                throw ConfigError.invalidOverride(text: text, reason: "empty key in the path")
            }
            let valueText = String(text[text.index(after: equals)...])
            let value = try ConfigValue.parse(yaml: valueText.isEmpty ? "''" : valueText, file: "override '\(text)'")
            result = try result.setting(value.withoutLines, at: path, fullPath: text)
        }
        return result
    }

    /// The same tree with line numbers removed (for values that came from the command line).
    public var withoutLines: ConfigValue {
        switch self {
        case let .map(entries, _): return .map(entries.map { ($0.key, $0.value.withoutLines) }, line: nil)
        case let .list(items, _): return .list(items.map(\.withoutLines), line: nil)
        case let .scalar(text, _): return .scalar(text, line: nil)
        case .null: return .null(line: nil)
        }
    }

    /// YAML text of the tree (block style, keys in order).
    public func yaml(indent: Int = 0) -> String {
        let pad = String(repeating: "  ", count: indent)
        switch self {
        case let .map(entries, _):
            if entries.isEmpty { return "{}\n" }
            var out = ""
            for (key, value) in entries {
                switch value {
                case let .map(inner, _) where !inner.isEmpty:
                    out += "\(pad)\(key):\n" + value.yaml(indent: indent + 1)
                case let .list(items, _) where !items.isEmpty && items.contains(where: { if case .map = $0 { return true } else { return false } }):
                    out += "\(pad)\(key):\n" + value.yaml(indent: indent + 1)
                default:
                    out += "\(pad)\(key): \(value.inline)\n"
                }
            }
            return out
        case let .list(items, _):
            var out = ""
            for item in items {
                if case let .map(entries, _) = item, !entries.isEmpty {
                    out += "\(pad)- \(item.inline)\n"
                } else {
                    out += "\(pad)- \(item.inline)\n"
                }
            }
            return out
        default:
            return inline + "\n"
        }
    }

    /// Flow-style YAML of the node on one line.
    public var inline: String {
        switch self {
        case let .map(entries, _):
            return "{" + entries.map { "\($0.key): \($0.value.inline)" }.joined(separator: ", ") + "}"
        case let .list(items, _):
            return "[" + items.map(\.inline).joined(separator: ", ") + "]"
        case let .scalar(text, _):
            return ConfigValue.quotedIfNeeded(text)
        case .null:
            return "null"
        }
    }

    static func quotedIfNeeded(_ text: String) -> String {
        let plain = !text.isEmpty && text.allSatisfy { $0.isLetter || $0.isNumber || "._-/+".contains($0) }
        if plain { return text }
        return "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }
}

extension ConfigValue {
    /// The dotted path of the first place where two trees differ (nil when equal), ignoring
    /// paths for which `ignoring` returns true.
    public func firstDifference(from other: ConfigValue, path: String = "",
                                ignoring: (String) -> Bool = { _ in false }) -> String? {
        if !path.isEmpty, ignoring(path) { return nil }
        switch (self, other) {
        case let (.map(a, _), .map(b, _)):
            let keys = a.map(\.key) + b.map(\.key).filter { key in !a.contains { $0.key == key } }
            for key in keys {
                let child = path.isEmpty ? key : "\(path).\(key)"
                let left = a.first { $0.key == key }?.value ?? .null(line: nil)
                let right = b.first { $0.key == key }?.value ?? .null(line: nil)
                if let difference = left.firstDifference(from: right, path: child, ignoring: ignoring) {
                    return difference
                }
            }
            return nil
        case let (.list(a, _), .list(b, _)) where a.count == b.count:
            for (index, pair) in zip(a, b).enumerated() {
                if let difference = pair.0.firstDifference(from: pair.1, path: "\(path).\(index)", ignoring: ignoring) {
                    return difference
                }
            }
            return nil
        default:
            return self == other ? nil : (path.isEmpty ? "(top level)" : path)
        }
    }

    /// A copy without the map entry at the dotted `path` (itself when there is none).
    public func removing(_ path: String) -> ConfigValue {
        let keys = path.split(separator: ".").map(String.init)
        guard let head = keys.first, case let .map(entries, line) = self else { return self }
        if keys.count == 1 { return .map(entries.filter { $0.key != head }, line: line) }
        let rest = keys.dropFirst().joined(separator: ".")
        return .map(entries.map { $0.key == head ? ($0.key, $0.value.removing(rest)) : $0 }, line: line)
    }

    /// The value at a dotted path, if present.
    public func value(at path: String) -> ConfigValue? {
        var node = self
        for key in path.split(separator: ".").map(String.init) {
            switch node {
            case let .map(entries, _):
                guard let next = entries.first(where: { $0.key == key })?.value else { return nil }
                node = next
            case let .list(items, _):
                guard let index = Int(key), items.indices.contains(index) else { return nil }
                node = items[index]
            default:
                return nil
            }
        }
        return node
    }
}
