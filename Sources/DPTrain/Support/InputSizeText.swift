import Foundation

/// Byte counts as people read them in error messages about input limits: "1 MiB",
/// "3.2 MiB (3,355,443 bytes)", "812 bytes".
enum InputSizeText {
    /// `bytes` in the largest binary unit that keeps a number ≥ 1, with the exact count when rounded.
    static func describe(_ bytes: Int) -> String {
        let units = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        guard bytes >= 1024 else { return "\(bytes) bytes" }
        var value = Double(bytes) / 1024
        var unit = 0
        while value >= 1024, unit < units.count - 1 { value /= 1024; unit += 1 }
        let whole = value == value.rounded()
        let number = whole ? "\(Int(value))" : String(format: "%.1f", value)
        return whole ? "\(number) \(units[unit])" : "\(number) \(units[unit]) (\(grouped(bytes)) bytes)"
    }

    /// `value` with thousands separators ("3,355,443").
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return (value < 0 ? "-" : "") + out
    }
}
