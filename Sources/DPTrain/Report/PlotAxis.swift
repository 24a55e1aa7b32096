import Foundation

/// A plot axis: domain and tick positions, linear or log₁₀.
struct PlotAxis {
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
