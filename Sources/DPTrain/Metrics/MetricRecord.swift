import Foundation

/// One line of `metrics.jsonl` (DESIGN §4): an ordered set of named values.
///
/// `kind` is `step`, `eval`, `epoch`, `summary` or `target`; the other fields are numbers (or null
/// when not measured). Keys keep their insertion order so files diff cleanly.
public struct MetricRecord: Equatable, Sendable {
    /// What a line reports: a training interval, an evaluation, an epoch, the end of a run,
    /// or where a study run reached its target.
    public enum Kind: String, Sendable, CaseIterable {
        case step, eval, epoch, summary, target
    }

    /// The JSON key that holds ``kind``.
    public static let kindKey = "kind"

    /// What the line reports.
    public var kind: Kind
    /// The named values in insertion order (nil: written as null).
    public private(set) var fields: [(key: String, value: Double?)] = []

    /// An empty line of `kind`.
    public init(kind: Kind) { self.kind = kind }

    /// A line of `kind` with the given fields, in the order of ``MetricField/fields(of:)``.
    /// A field absent from `values` is left out of the line; one present with nil is written
    /// as null (not measured).
    public init(kind: Kind, values: [MetricField: Double?]) {
        self.kind = kind
        for field in MetricField.fields(of: kind) {
            if let value = values[field] { set(field.rawValue, value) }
        }
    }

    /// Same kind and the same fields in the same order.
    public static func == (lhs: MetricRecord, rhs: MetricRecord) -> Bool {
        lhs.kind == rhs.kind && lhs.fields.count == rhs.fields.count
            && zip(lhs.fields, rhs.fields).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }

    /// Sets `key` (replacing an earlier value).
    public mutating func set(_ key: String, _ value: Double?) {
        if let index = fields.firstIndex(where: { $0.key == key }) {
            fields[index].value = value
        } else {
            fields.append((key, value))
        }
    }

    /// Sets `key` to an integer value.
    public mutating func set(_ key: String, _ value: Int) { set(key, Double(value)) }

    /// The value of `key` (nil when absent or null).
    public subscript(key: String) -> Double? { fields.first { $0.key == key }?.value ?? nil }

    /// The record as one JSON object.
    public var json: String {
        var parts = ["\"\(MetricRecord.kindKey)\":\"\(kind.rawValue)\""]
        for (key, value) in fields {
            parts.append("\"\(key)\":\(MetricRecord.jsonNumber(value))")
        }
        return "{" + parts.joined(separator: ",") + "}"
    }

    /// JSON text of a number: integers without a fraction, non-finite and nil as null.
    public static func jsonNumber(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "null" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    /// Parses one line written by ``json`` (or any flat JSON object of numbers).
    public static func parse(jsonLine: String) throws -> MetricRecord {
        guard let object = try JSONSerialization.jsonObject(with: Data(jsonLine.utf8)) as? [String: Any],
              let kindName = object[MetricRecord.kindKey] as? String, let kind = Kind(rawValue: kindName)
        else { throw MetricsError.malformedLine(jsonLine) }
        var record = MetricRecord(kind: kind)
        for (key, value) in object.sorted(by: { $0.key < $1.key }) where key != MetricRecord.kindKey {
            record.set(key, (value as? NSNumber)?.doubleValue)
        }
        return record
    }
}

/// Problems reading a metrics file.
public enum MetricsError: Error, CustomStringConvertible {
    case malformedLine(String)
    public var description: String { "metrics.jsonl: malformed line: \(jsonLinePrefix)" }
    private var jsonLinePrefix: String {
        if case let .malformedLine(line) = self { return String(line.prefix(120)) }
        return ""
    }
}
