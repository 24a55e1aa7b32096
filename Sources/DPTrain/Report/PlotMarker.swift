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
