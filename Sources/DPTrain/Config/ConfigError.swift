/// A problem with a configuration: what is wrong, where (file, line, key path), and how to fix it.
public enum ConfigError: Error, CustomStringConvertible, Equatable {
    case yaml(file: String, message: String)
    case unknownKey(path: String, line: Int?, suggestion: String?, valid: [String])
    case wrongType(path: String, line: Int?, expected: String, found: String)
    case outOfRange(path: String, line: Int?, value: String, allowed: String)
    case missing(path: String, hint: String)
    case invalidOverride(text: String, reason: String)
    case inconsistent(message: String)
    case unreadable(file: String, reason: String)
    /// The YAML text is larger than ``YAMLInputLimits/maxBytes``.
    case tooLarge(file: String, bytes: Int, limit: Int)
    /// The YAML text uses an anchor or alias (refused before anything is expanded).
    case anchorsNotSupported(file: String, line: Int)
    /// Lists and maps nest deeper than ``YAMLInputLimits/maxDepth``.
    case nestedTooDeep(file: String, line: Int, limit: Int)

    public var description: String {
        switch self {
        case let .yaml(file, message):
            return "\(file): not valid YAML: \(message)"
        case let .unknownKey(path, line, suggestion, valid):
            let at = line.map { " (line \($0))" } ?? ""
            var text = "unknown config key '\(path)'\(at)"
            text += suggestion.map { "; did you mean '\($0)'?" } ?? "."
            if !valid.isEmpty { text += " Valid keys here: \(valid.joined(separator: ", "))." }
            return text
        case let .wrongType(path, line, expected, found):
            let at = line.map { " (line \($0))" } ?? ""
            return "config key '\(path)'\(at) must be \(expected), but is \(found)"
        case let .outOfRange(path, line, value, allowed):
            let at = line.map { " (line \($0))" } ?? ""
            return "config key '\(path)'\(at) is \(value), but must be \(allowed)"
        case let .missing(path, hint):
            return "config key '\(path)' is required: \(hint)"
        case let .invalidOverride(text, reason):
            return "override '\(text)': \(reason) (write overrides as key.path=value, e.g. optimizer.lr=0.05)"
        case let .inconsistent(message):
            return message
        case let .unreadable(file, reason):
            return "cannot read config file \(file): \(reason)"
        case let .tooLarge(file, bytes, limit):
            // A stream (pipe, device) is read up to one byte past the limit.
            let size = bytes == limit + 1 ? "larger than \(InputSizeText.describe(limit))" : InputSizeText.describe(bytes)
            return "\(file) is \(size); dptrain reads config and study files of at most "
                + "\(InputSizeText.describe(limit)) (a config is a few KB): check that this is the config you meant and not "
                + "a dataset or a checkpoint, and keep data in the files the config names"
        case let .anchorsNotSupported(file, line):
            return "\(file): line \(line): YAML anchors and aliases (&name / *name) are not supported in dptrain "
                + "configs; write the values out"
        case let .nestedTooDeep(file, line, limit):
            return "\(file): line \(line): lists and maps nest more than \(limit) levels deep; dptrain configs "
                + "nest a few levels (model.layers[0].dense): check the brackets, or flatten the structure"
        }
    }
}
