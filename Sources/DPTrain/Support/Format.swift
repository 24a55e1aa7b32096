import Foundation

/// Number formatting for progress lines and reports.
public enum Format {
    /// `value` with `digits` decimals.
    public static func fixed(_ value: Double, _ digits: Int) -> String {
        String(format: "%.\(digits)f", value)
    }

    /// `value` as a percentage with two decimals ("91.23%").
    public static func percent(_ fraction: Double) -> String {
        String(format: "%.2f%%", fraction * 100)
    }

    /// Four significant digits.
    public static func significant(_ value: Double) -> String {
        String(format: "%.4g", value)
    }

    /// A whole number with thousands separators ("26,104"). Values no `Int` can hold (a count
    /// a damaged file declares, ∞, NaN) are written with four significant digits instead.
    public static func grouped(_ value: Double) -> String {
        guard value.isFinite, abs(value) < 9.0e18 else { return significant(value) }
        let whole = Int(value.rounded())
        let digits = String(abs(whole))
        var out = ""
        for (index, character) in digits.reversed().enumerated() {
            if index > 0, index % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return (whole < 0 ? "-" : "") + String(out.reversed())
    }
}
