import Foundation

/// One line (or set of markers) of a plot.
public struct PlotSeries: Sendable {
    public var name: String
    public var points: [(x: Double, y: Double)]
    public var color: String
    public var dashed: Bool
    /// Draw a marker at every point (otherwise only the line).
    public var markers: Bool
    /// Draw the connecting line.
    public var line: Bool
    /// Stroke width of the line (pixels).
    public var lineWidth = 1.8

    public init(name: String, points: [(x: Double, y: Double)], color: String, dashed: Bool = false,
                markers: Bool = false, line: Bool = true) {
        self.name = name
        self.points = points
        self.color = color
        self.dashed = dashed
        self.markers = markers
        self.line = line
    }
}

/// A vertical reference line with a label (for example the measured B_simple).
public struct PlotMarker: Sendable {
    public var x: Double
    public var label: String
    public var color: String
    public init(x: Double, label: String, color: String = "#444") {
        self.x = x
        self.label = label
        self.color = color
    }
}

/// An x–y line plot rendered as standalone inline SVG (no scripts, no external resources):
/// titled axes, linear or log₁₀ scales, a legend on the right.
public struct LinePlot: Sendable {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var xLog: Bool
    public var yLog: Bool
    public var series: [PlotSeries]
    public var markers: [PlotMarker]
    public var width = 570.0
    public var height = 360.0

    public init(title: String, xLabel: String, yLabel: String, xLog: Bool = false, yLog: Bool = false,
                series: [PlotSeries], markers: [PlotMarker] = []) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.xLog = xLog
        self.yLog = yLog
        self.series = series
        self.markers = markers
    }

    /// The eight colours series cycle through (Tableau 10).
    public static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
                                 "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]

    /// Points that can be drawn on these scales (finite, and positive on a log axis).
    private func usable(_ point: (x: Double, y: Double)) -> Bool {
        point.x.isFinite && point.y.isFinite && (!xLog || point.x > 0) && (!yLog || point.y > 0)
    }

    /// The SVG element.
    public func svg() -> String {
        let left = 70.0, right = 150.0, top = 34.0, bottom = 50.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let drawn = series.map { item in (item, item.points.filter(usable)) }
        let all = drawn.flatMap(\.1)
        var out = "<svg class=\"plot\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
            + "viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"sans-serif\" font-size=\"12\">\n"
        out += "<title>\(SVG.escape(title))</title>\n"
        out += "<rect x=\"0\" y=\"0\" width=\"\(Int(width))\" height=\"\(Int(height))\" fill=\"white\"/>\n"
        out += "<text x=\"\(SVG.n(left + plotWidth / 2))\" y=\"20\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">\(SVG.escape(title))</text>\n"
        guard !all.isEmpty else {
            out += "<text x=\"\(SVG.n(left + plotWidth / 2))\" y=\"\(SVG.n(top + plotHeight / 2))\" text-anchor=\"middle\" fill=\"#888\">no data</text>\n</svg>"
            return out
        }
        let xAxis = Axis(values: all.map(\.x) + markers.map(\.x).filter { !xLog || $0 > 0 }, log: xLog, pad: false)
        // On a log y axis, keep the view within 100× above and 10⁴× below the median value, so a
        // diverging run (loss 1e20) or an LR decayed to ~0 does not flatten every other curve.
        var yValues = all.map(\.y)
        var clipped = false
        if yLog, let median = Statistics.median(yValues) {
            let kept = yValues.filter { $0 <= median * 100 && $0 >= median * 1e-4 }
            clipped = kept.count < yValues.count
            if !kept.isEmpty { yValues = kept }
        }
        let yAxis = Axis(values: yValues, log: yLog, pad: true)
        let px = { (x: Double) in left + min(max(xAxis.fraction(x), 0), 1) * plotWidth }
        let py = { (y: Double) in top + (1 - min(max(yAxis.fraction(y), 0), 1)) * plotHeight }
        if clipped {
            out += "<text x=\"\(SVG.n(left + plotWidth - 4))\" y=\"\(SVG.n(top + plotHeight - 5))\" text-anchor=\"end\" font-size=\"9\" fill=\"#888\">values far outside the range are drawn at its edge</text>\n"
        }

        // Grid and ticks.
        out += "<g stroke=\"#e4e4e4\" stroke-width=\"1\">\n"
        for tick in xAxis.ticks { out += "<line x1=\"\(SVG.n(px(tick)))\" y1=\"\(SVG.n(top))\" x2=\"\(SVG.n(px(tick)))\" y2=\"\(SVG.n(top + plotHeight))\"/>\n" }
        for tick in yAxis.ticks { out += "<line x1=\"\(SVG.n(left))\" y1=\"\(SVG.n(py(tick)))\" x2=\"\(SVG.n(left + plotWidth))\" y2=\"\(SVG.n(py(tick)))\"/>\n" }
        out += "</g>\n"
        out += "<rect x=\"\(SVG.n(left))\" y=\"\(SVG.n(top))\" width=\"\(SVG.n(plotWidth))\" height=\"\(SVG.n(plotHeight))\" fill=\"none\" stroke=\"#333\"/>\n"
        for tick in xAxis.ticks {
            out += "<text x=\"\(SVG.n(px(tick)))\" y=\"\(SVG.n(top + plotHeight + 16))\" text-anchor=\"middle\">\(SVG.tick(tick))</text>\n"
        }
        for tick in yAxis.ticks {
            out += "<text x=\"\(SVG.n(left - 6))\" y=\"\(SVG.n(py(tick) + 4))\" text-anchor=\"end\">\(SVG.tick(tick))</text>\n"
        }
        let xTitle = xLabel + (xLog ? " (log scale)" : "")
        let yTitle = yLabel + (yLog ? " (log scale)" : "")
        out += "<text x=\"\(SVG.n(left + plotWidth / 2))\" y=\"\(SVG.n(height - 12))\" text-anchor=\"middle\">\(SVG.escape(xTitle))</text>\n"
        out += "<text transform=\"translate(16 \(SVG.n(top + plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\">\(SVG.escape(yTitle))</text>\n"

        // Reference lines.
        for (index, marker) in markers.enumerated() where !xLog || marker.x > 0 {
            let x = px(marker.x)
            out += "<line x1=\"\(SVG.n(x))\" y1=\"\(SVG.n(top))\" x2=\"\(SVG.n(x))\" y2=\"\(SVG.n(top + plotHeight))\" stroke=\"\(marker.color)\" stroke-width=\"1.5\" stroke-dasharray=\"2 3\"/>\n"
            // Labels stacked one per line, on the side of the line with more room.
            let onLeft = x > left + plotWidth * 0.55
            out += "<text x=\"\(SVG.n(onLeft ? x - 4 : x + 4))\" y=\"\(SVG.n(top + 14 + 14 * Double(index)))\" text-anchor=\"\(onLeft ? "end" : "start")\" font-size=\"11\" fill=\"\(marker.color)\">\(SVG.escape(marker.label))</text>\n"
        }

        // Data, clipped to the plot area.
        out += "<g>\n"
        for (item, points) in drawn where !points.isEmpty {
            if item.line, points.count > 1 {
                let path = points.map { "\(SVG.n(px($0.x))),\(SVG.n(py($0.y)))" }.joined(separator: " ")
                out += "<polyline fill=\"none\" stroke=\"\(item.color)\" stroke-width=\"\(SVG.n(item.lineWidth))\" stroke-opacity=\"0.9\"\(item.dashed ? " stroke-dasharray=\"6 4\"" : "") points=\"\(path)\"/>\n"
            }
            if item.markers || points.count == 1 {
                for point in points {
                    out += "<circle cx=\"\(SVG.n(px(point.x)))\" cy=\"\(SVG.n(py(point.y)))\" r=\"3.5\" fill=\"\(item.color)\"/>\n"
                }
            }
        }
        out += "</g>\n"

        // Legend.
        var legendY = top + 6
        for (item, _) in drawn {
            let x = left + plotWidth + 12
            if item.line {
                out += "<line x1=\"\(SVG.n(x))\" y1=\"\(SVG.n(legendY))\" x2=\"\(SVG.n(x + 22))\" y2=\"\(SVG.n(legendY))\" stroke=\"\(item.color)\" stroke-width=\"2\"\(item.dashed ? " stroke-dasharray=\"6 4\"" : "")/>\n"
            }
            if item.markers || !item.line {
                out += "<circle cx=\"\(SVG.n(x + 11))\" cy=\"\(SVG.n(legendY))\" r=\"3.5\" fill=\"\(item.color)\"/>\n"
            }
            out += "<text x=\"\(SVG.n(x + 28))\" y=\"\(SVG.n(legendY + 4))\" font-size=\"11\">\(SVG.escape(item.name))</text>\n"
            legendY += 16
            if legendY > height - 10 { break }
        }
        out += "</svg>"
        return out
    }
}

/// A heat map: one coloured cell per (column, row), its value printed in it.
public struct Heatmap: Sendable {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var columns: [String]
    public var rows: [String]
    /// `cells[row][column]`; nil cells are grey ("not run").
    public var cells: [[Double?]]
    /// Text shown in a cell.
    public var format: @Sendable (Double) -> String
    /// Outline the best value of each column.
    public var outlineColumnBest = true
    /// The best value is the smallest (for example updates to a target), not the largest.
    public var bestIsLow = false
    /// Values the colour scale spans (nil: the cells' range); values outside take the end colours.
    public var colorRange: ClosedRange<Double>?

    public init(title: String, xLabel: String, yLabel: String, columns: [String], rows: [String],
                cells: [[Double?]], format: @escaping @Sendable (Double) -> String) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.columns = columns
        self.rows = rows
        self.cells = cells
        self.format = format
    }

    public func svg() -> String {
        let cellWidth = 86.0, cellHeight = 34.0, left = 96.0, top = 40.0, bottom = 56.0, right = 120.0
        let width = left + cellWidth * Double(columns.count) + right
        let height = top + cellHeight * Double(rows.count) + bottom
        let values = cells.flatMap { $0.compactMap { $0 } }.filter(\.isFinite)
        let low = colorRange?.lowerBound ?? values.min() ?? 0, high = colorRange?.upperBound ?? values.max() ?? 1
        var out = "<svg class=\"plot\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
            + "viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"sans-serif\" font-size=\"12\">\n"
        out += "<title>\(SVG.escape(title))</title>\n<rect x=\"0\" y=\"0\" width=\"\(Int(width))\" height=\"\(Int(height))\" fill=\"white\"/>\n"
        out += "<text x=\"\(SVG.n(width / 2))\" y=\"20\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">\(SVG.escape(title))</text>\n"
        // Rows drawn top to bottom in reverse so the smallest row value is at the bottom.
        for (rowIndex, row) in rows.enumerated() {
            let y = top + Double(rows.count - 1 - rowIndex) * cellHeight
            out += "<text x=\"\(SVG.n(left - 8))\" y=\"\(SVG.n(y + cellHeight / 2 + 4))\" text-anchor=\"end\">\(SVG.escape(row))</text>\n"
            for (columnIndex, _) in columns.enumerated() {
                let x = left + Double(columnIndex) * cellWidth
                let value = cells[rowIndex][columnIndex]
                let fill = value.map { SVG.color(fraction: high > low ? ($0 - low) / (high - low) : 1) } ?? "#dddddd"
                out += "<rect x=\"\(SVG.n(x))\" y=\"\(SVG.n(y))\" width=\"\(SVG.n(cellWidth))\" height=\"\(SVG.n(cellHeight))\" fill=\"\(fill)\" stroke=\"white\"/>\n"
                let text = value.map(format) ?? "—"
                let dark = value.map { high > low ? ($0 - low) / (high - low) > 0.55 : true } ?? true  // text colour for contrast
                out += "<text x=\"\(SVG.n(x + cellWidth / 2))\" y=\"\(SVG.n(y + cellHeight / 2 + 4))\" text-anchor=\"middle\" fill=\"\(dark ? "#111" : "#fff")\">\(SVG.escape(text))</text>\n"
            }
        }
        if outlineColumnBest {
            for columnIndex in columns.indices {
                let column = rows.indices.compactMap { row in cells[row][columnIndex].map { (row, $0) } }
                guard let best = bestIsLow ? column.min(by: { $0.1 < $1.1 }) : column.max(by: { $0.1 < $1.1 }) else { continue }
                let x = left + Double(columnIndex) * cellWidth
                let y = top + Double(rows.count - 1 - best.0) * cellHeight
                out += "<rect x=\"\(SVG.n(x + 1.5))\" y=\"\(SVG.n(y + 1.5))\" width=\"\(SVG.n(cellWidth - 3))\" height=\"\(SVG.n(cellHeight - 3))\" fill=\"none\" stroke=\"#d62728\" stroke-width=\"3\"/>\n"
            }
        }
        for (columnIndex, column) in columns.enumerated() {
            let x = left + (Double(columnIndex) + 0.5) * cellWidth
            out += "<text x=\"\(SVG.n(x))\" y=\"\(SVG.n(top + Double(rows.count) * cellHeight + 16))\" text-anchor=\"middle\">\(SVG.escape(column))</text>\n"
        }
        let gridRight = left + Double(columns.count) * cellWidth
        out += "<text x=\"\(SVG.n((left + gridRight) / 2))\" y=\"\(SVG.n(height - 14))\" text-anchor=\"middle\">\(SVG.escape(xLabel))</text>\n"
        out += "<text transform=\"translate(16 \(SVG.n(top + Double(rows.count) * cellHeight / 2))) rotate(-90)\" text-anchor=\"middle\">\(SVG.escape(yLabel))</text>\n"
        // Colour scale.
        let scaleX = gridRight + 24
        for step in 0..<20 {
            let fraction = Double(step) / 19
            let y = top + (1 - fraction) * (Double(rows.count) * cellHeight - 8)
            out += "<rect x=\"\(SVG.n(scaleX))\" y=\"\(SVG.n(y))\" width=\"14\" height=\"\(SVG.n(Double(rows.count) * cellHeight / 20 + 1))\" fill=\"\(SVG.color(fraction: fraction))\"/>\n"
        }
        out += "<text x=\"\(SVG.n(scaleX + 18))\" y=\"\(SVG.n(top + 10))\">\(SVG.escape(format(high)))</text>\n"
        out += "<text x=\"\(SVG.n(scaleX + 18))\" y=\"\(SVG.n(top + Double(rows.count) * cellHeight))\">\(colorRange != nil && (values.min() ?? low) < low ? "≤ " : "")\(SVG.escape(format(low)))</text>\n"
        out += "</svg>"
        return out
    }
}

/// A plot axis: domain and tick positions, linear or log₁₀.
struct Axis {
    var low: Double
    var high: Double
    let log: Bool
    var ticks: [Double] = []

    init(values: [Double], log: Bool, pad: Bool) {
        self.log = log
        var low = values.min()!, high = values.max()!
        if log {
            low = Foundation.log10(low)
            high = Foundation.log10(high)
            if high - low < 0.3 { let middle = (low + high) / 2; low = middle - 0.15; high = middle + 0.15 }
            if pad { let margin = (high - low) * 0.05; low -= margin; high += margin }
            self.low = low
            self.high = high
            var ticks: [Double] = []
            let span = high - low
            let multipliers: [Double] = span <= 1.2 ? [1, 1.5, 2, 3, 5, 7] : span <= 2.5 ? [1, 2, 5] : [1]
            var decade = Foundation.floor(low)
            while decade <= Foundation.ceil(high) {
                for multiplier in multipliers {
                    let value = multiplier * Foundation.pow(10, decade)
                    let exponent = Foundation.log10(value)
                    if exponent >= low - 1e-9, exponent <= high + 1e-9 { ticks.append(value) }
                }
                decade += 1
            }
            if ticks.count < 2 { ticks = [Foundation.pow(10, low), Foundation.pow(10, high)] }
            if ticks.count > 12 { ticks = ticks.enumerated().filter { $0.offset % 2 == 0 }.map(\.element) }
            self.ticks = ticks
        } else {
            if high - low < 1e-12 * max(1, abs(high)) {
                let spread = abs(high) > 0 ? abs(high) * 0.1 : 1
                low -= spread
                high += spread
            } else if pad {
                let margin = (high - low) * 0.05
                low -= margin
                high += margin
            }
            let rough = (high - low) / 6
            let magnitude = Foundation.pow(10, Foundation.floor(Foundation.log10(rough)))
            let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= rough } ?? 10 * magnitude
            var tick = Foundation.ceil(low / step - 1e-9) * step
            var ticks: [Double] = []
            while tick <= high + step * 1e-9 {
                ticks.append(abs(tick) < step * 1e-9 ? 0 : tick)
                tick += step
            }
            self.low = low
            self.high = high
            self.ticks = ticks
        }
    }

    /// Position of `value` in [0, 1] along the axis.
    func fraction(_ value: Double) -> Double {
        let v = log ? Foundation.log10(value) : value
        return high > low ? (v - low) / (high - low) : 0.5
    }
}

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
