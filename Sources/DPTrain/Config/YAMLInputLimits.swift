import CYaml
import Foundation

/// The limits every YAML text dptrain reads (config files, study files, `key=value`
/// overrides, the config saved in a checkpoint) is held to before Yams builds a tree of it.
///
/// Checked on libyaml's event stream, which needs memory proportional to the nesting depth and
/// time proportional to the text, so a hostile file is refused before anything is expanded:
/// - at most ``maxBytes`` of text (a dptrain config is a few KB);
/// - no anchors or aliases (`&name`, `*name`, `<<: *name`): configs have no need of them, and
///   aliases of aliases are how a 1 KB "billion laughs" file expands to gigabytes;
/// - at most ``maxDepth`` levels of nested lists and maps (dptrain configs use about five), so
///   the recursive tree builders never see a `[[[[…]]]]` that would exhaust the stack.
///
/// Text that is not valid YAML passes through unchanged: Yams then reports the syntax error.
public enum YAMLInputLimits {
    /// Largest YAML text accepted, in bytes (1 MiB).
    public static let maxBytes = 1 << 20
    /// Deepest nesting of lists and maps accepted.
    public static let maxDepth = 64

    /// Reads a config or study file as UTF-8, refusing one larger than ``maxBytes`` before
    /// reading it, and reading at most one byte more than that from anything else (a pipe,
    /// `/dev/zero`): ``ConfigError`` `.unreadable` or `.tooLarge`.
    public static func readFile(_ file: String) throws -> String {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: file, isDirectory: &isDirectory) else {
            throw ConfigError.unreadable(file: file, reason: "no such file")
        }
        if isDirectory.boolValue {
            throw ConfigError.unreadable(file: file, reason: "it is a directory; give a YAML config file "
                                         + "(a run directory's config is its config.resolved.yaml)")
        }
        if let size = (try? manager.attributesOfItem(atPath: file))?[.size] as? NSNumber, size.intValue > maxBytes {
            throw ConfigError.tooLarge(file: file, bytes: size.intValue, limit: maxBytes)
        }
        let data: Data
        do {
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: file))
            defer { try? handle.close() }
            data = try handle.read(upToCount: maxBytes + 1) ?? Data()
        } catch {
            throw ConfigError.unreadable(file: file, reason: FileReadProblem.describe(file, error: error))
        }
        guard data.count <= maxBytes else {
            throw ConfigError.tooLarge(file: file, bytes: data.count, limit: maxBytes)
        }
        if let kind = FileSignature.of(data), kind != .text {
            let inspect = kind == .checkpoint ? " (inspect it with dptrain inspect)" : ""
            throw ConfigError.unreadable(file: file, reason: "it is \(kind.rawValue)\(inspect), not a YAML config; give the "
                                         + "config file (a run directory's config is its config.resolved.yaml)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError.unreadable(file: file, reason: "it is not UTF-8 text, so not a YAML config; "
                                         + "give the config file (a run directory's config is its config.resolved.yaml)")
        }
        return text
    }

    /// Throws ``ConfigError`` `.tooLarge`, `.anchorsNotSupported` or `.nestedTooDeep` when
    /// `text` breaks a limit; `file` names the source in the error.
    public static func check(_ text: String, file: String) throws {
        let byteCount = text.utf8.count
        guard byteCount <= maxBytes else {
            throw ConfigError.tooLarge(file: file, bytes: byteCount, limit: maxBytes)
        }
        var bytes = Array(text.utf8)
        bytes.append(0)
        try bytes.withUnsafeBufferPointer { buffer in
            try scanEvents(buffer.baseAddress!, count: byteCount, file: file)
        }
    }

    /// Walks libyaml's events (no tree is built) and stops at the first broken limit.
    private static func scanEvents(_ input: UnsafePointer<UInt8>, count: Int, file: String) throws {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return }
        defer { yaml_parser_delete(&parser) }
        yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
        yaml_parser_set_input_string(&parser, input, count)
        var depth = 0
        while true {
            var event = yaml_event_t()
            guard yaml_parser_parse(&parser, &event) == 1 else {
                // libyaml's own nesting limit (1,000) can trip first: its scanner reads ahead.
                if let problem = parser.problem, String(cString: problem).hasPrefix("Maximum nesting level") {
                    throw ConfigError.nestedTooDeep(file: file, line: Int(parser.problem_mark.line) + 1, limit: maxDepth)
                }
                // Any other syntax error: leave it to Yams, which reports it with its context.
                return
            }
            defer { yaml_event_delete(&event) }
            let line = Int(event.start_mark.line) + 1
            switch event.type {
            case YAML_STREAM_END_EVENT:
                return
            case YAML_ALIAS_EVENT:
                throw ConfigError.anchorsNotSupported(file: file, line: line)
            case YAML_SCALAR_EVENT:
                if event.data.scalar.anchor != nil { throw ConfigError.anchorsNotSupported(file: file, line: line) }
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                let anchor = event.type == YAML_SEQUENCE_START_EVENT
                    ? event.data.sequence_start.anchor : event.data.mapping_start.anchor
                if anchor != nil { throw ConfigError.anchorsNotSupported(file: file, line: line) }
                depth += 1
                guard depth <= maxDepth else {
                    throw ConfigError.nestedTooDeep(file: file, line: line, limit: maxDepth)
                }
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                depth -= 1
            default:
                break
            }
        }
    }
}
