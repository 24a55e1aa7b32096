/// A linear scan of JSON bytes for how deeply arrays and objects nest, run before Foundation's
/// recursive JSON parsers see a header from a file (a `[[[[…]]]]` 100,000 levels deep must be
/// refused with a message, not overflow the stack).
///
/// Brackets inside strings (with `\"` escapes) do not count; the scan does not validate the
/// JSON otherwise (the decoder after it does).
public enum JSONNestingScan {
    /// The byte offset of the first bracket that opens level `limit + 1`, or nil when the
    /// bytes never nest deeper than `limit`.
    public static func firstOffset(deeperThan limit: Int, in bytes: UnsafeRawBufferPointer) -> Int? {
        var depth = 0
        var inString = false
        var escaped = false
        for (offset, byte) in bytes.enumerated() {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true }
                else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > limit { return offset }
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
        return nil
    }
}
