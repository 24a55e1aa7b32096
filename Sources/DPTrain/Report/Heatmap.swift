import Foundation

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
