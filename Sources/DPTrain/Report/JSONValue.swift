/// A JSON value written with its keys in a fixed order, so a file such as `report.json` diffs
/// cleanly. Numbers are written as in metrics.jsonl (``MetricRecord/jsonNumber(_:)``: integers
/// without a fraction, the shortest text that reads back as the same double, null when
/// missing or not finite).
indirect enum JSONValue {
    case number(Double?)
    case string(String)
    case bool(Bool)
    case array([JSONValue])
    case object([(String, JSONValue)])
    case null

    /// An optional number, or null.
    static func optional(_ value: Double?) -> JSONValue { .number(value) }

    /// The text, indented by two spaces per level (arrays of numbers on one line).
    func text(indent: Int = 0) -> String {
        let pad = String(repeating: "  ", count: indent + 1), closing = String(repeating: "  ", count: indent)
        switch self {
        case let .number(value): return MetricRecord.jsonNumber(value)
        case let .string(text): return JSONValue.quoted(text)
        case let .bool(flag): return flag ? "true" : "false"
        case .null: return "null"
        case let .array(items):
            guard !items.isEmpty else { return "[]" }
            if items.allSatisfy({ if case .number = $0 { return true } else { return false } }) {
                return "[" + items.map { $0.text() }.joined(separator: ", ") + "]"
            }
            return "[\n" + items.map { pad + $0.text(indent: indent + 1) }.joined(separator: ",\n") + "\n\(closing)]"
        case let .object(entries):
            guard !entries.isEmpty else { return "{}" }
            return "{\n" + entries.map { pad + JSONValue.quoted($0.0) + ": " + $0.1.text(indent: indent + 1) }
                .joined(separator: ",\n") + "\n\(closing)}"
        }
    }

    /// `text` as a JSON string literal.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 {
                    out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                        + String(scalar.value, radix: 16)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
