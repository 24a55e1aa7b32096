import Foundation

/// SVG text helpers.
enum SVG {
    /// Escapes text for XML content and attributes.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// A coordinate with one decimal.
    static func n(_ value: Double) -> String { String(format: "%.1f", value) }

    /// A tick label: up to four significant digits, thousands as "8k".
    static func tick(_ value: Double) -> String {
        if value != 0, abs(value) >= 10_000, abs(value) < 1e9, value == value.rounded(), Int(value) % 1000 == 0 {
            return "\(Int(value / 1000))k"
        }
        return String(format: "%.4g", value)
    }

    /// A colour of the viridis map at `fraction` in [0, 1] (linear between five anchors).
    static func color(fraction: Double) -> String {
        let anchors: [(Double, Double, Double)] = [(68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)]
        let t = min(max(fraction.isFinite ? fraction : 0, 0), 1) * Double(anchors.count - 1)
        let index = min(Int(t), anchors.count - 2)
        let f = t - Double(index)
        let a = anchors[index], b = anchors[index + 1]
        let r = Int((a.0 + (b.0 - a.0) * f).rounded()), g = Int((a.1 + (b.1 - a.1) * f).rounded()),
            bl = Int((a.2 + (b.2 - a.2) * f).rounded())
        return String(format: "#%02x%02x%02x", r, g, bl)
    }
}
