import Foundation

/// Standard JSON (RFC 8259) text for the `--json` outputs of `eval` and `bench`.
///
/// JSON has no NaN or infinity, so every non-finite `Double` (a diverged loss, a throughput
/// that could not be measured) becomes `null`; the text is then produced by Foundation's
/// `JSONSerialization`, keys sorted, so any JSON reader accepts it.
///
/// Example: `JSONOutput.text(["loss": Double.nan, "count": 3])` is `{"count":3,"loss":null}`.
enum JSONOutput {
    /// One line of JSON for `object` (values: numbers, strings, arrays, dictionaries, nil).
    static func text(_ object: [String: Any?]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: sanitized(object),
                                                options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// `value` with every non-finite number and every nil replaced by `NSNull`.
    static func sanitized(_ value: Any?) -> Any {
        switch value {
        case nil: return NSNull()
        case let number as Double: return number.isFinite ? number : NSNull()
        case let number as Float: return number.isFinite ? Double(number) : NSNull()
        case let dictionary as [String: Any?]: return dictionary.mapValues { sanitized($0) }
        case let dictionary as [String: Any]: return dictionary.mapValues { sanitized($0) }
        case let array as [Any?]: return array.map { sanitized($0) }
        case let array as [Any]: return array.map { sanitized($0) }
        case let .some(other): return other
        }
    }
}
