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
    /// List the series in the legend (off for the second and later segments of a set drawn as
    /// one, such as interval bars).
    public var inLegend = true

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
