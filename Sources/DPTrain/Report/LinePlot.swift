import Foundation

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
        let xAxis = PlotAxis(values: all.map(\.x) + markers.map(\.x).filter { !xLog || $0 > 0 }, log: xLog, pad: false)
        // On a log y axis, keep the view within 100× above and 10⁴× below the median value, so a
        // diverging run (loss 1e20) or an LR decayed to ~0 does not flatten every other curve.
        var yValues = all.map(\.y)
        var clipped = false
        if yLog, let median = Statistics.median(yValues) {
            let kept = yValues.filter { $0 <= median * 100 && $0 >= median * 1e-4 }
            clipped = kept.count < yValues.count
            if !kept.isEmpty { yValues = kept }
        }
        let yAxis = PlotAxis(values: yValues, log: yLog, pad: true)
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
        for (item, _) in drawn where item.inLegend {
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
