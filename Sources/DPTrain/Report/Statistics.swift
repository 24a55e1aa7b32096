import Foundation

/// Small statistics for study reports.
public enum Statistics {
    /// Arithmetic mean (nil for no values).
    public static func mean(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }

    /// Sample standard deviation √(Σ(x − x̄)²/(n − 1)) (nil for fewer than two values).
    public static func standardDeviation(_ values: [Double]) -> Double? {
        guard values.count >= 2, let mean = mean(values) else { return nil }
        let sum = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        return (sum / Double(values.count - 1)).squareRoot()
    }

    /// Median (mean of the middle two for an even count).
    public static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// Least-squares line y = intercept + slope·x.
    public struct LineFit: Equatable, Sendable {
        public var intercept: Double
        public var slope: Double
        /// Coefficient of determination R² (1 for a perfect fit; nil when y is constant).
        public var rSquared: Double?
        public var count: Int
    }

    /// Ordinary least squares of y on x (nil for fewer than two distinct x).
    public static func fitLine(x: [Double], y: [Double]) -> LineFit? {
        precondition(x.count == y.count, "fitLine: x and y differ in length")
        guard x.count >= 2, let mx = mean(x), let my = mean(y) else { return nil }
        var sxx = 0.0, sxy = 0.0, syy = 0.0
        for (a, b) in zip(x, y) {
            sxx += (a - mx) * (a - mx)
            sxy += (a - mx) * (b - my)
            syy += (b - my) * (b - my)
        }
        guard sxx > 0 else { return nil }
        let slope = sxy / sxx
        let intercept = my - slope * mx
        var residual = 0.0
        for (a, b) in zip(x, y) { residual += (b - intercept - slope * a) * (b - intercept - slope * a) }
        return LineFit(intercept: intercept, slope: slope, rSquared: syy > 0 ? 1 - residual / syy : nil, count: x.count)
    }

    /// Power law y = c·x^k fitted by least squares on logarithms (log y = log c + k·log x);
    /// returns (k, c). k = 1 is the linear scaling rule, k = 0.5 the square-root rule.
    public static func fitPowerLaw(x: [Double], y: [Double]) -> (exponent: Double, coefficient: Double, fit: LineFit)? {
        let pairs = zip(x, y).filter { $0.0 > 0 && $0.1 > 0 }
        guard let fit = fitLine(x: pairs.map { log($0.0) }, y: pairs.map { log($0.1) }) else { return nil }
        return (fit.slope, exp(fit.intercept), fit)
    }

    /// McCandlish et al. (2018): steps to a target S = S_min·(1 + B_noise/B), fitted as a
    /// line in 1/B: S = S_min + (S_min·B_noise)·(1/B). Nil without two batch sizes, or when
    /// the fit gives S_min ≤ 0 (then B_noise is undefined).
    public static func fitStepsToTarget(batch: [Double], steps: [Double]) -> (minimumSteps: Double, noiseScale: Double, fit: LineFit)? {
        guard let fit = fitLine(x: batch.map { 1 / $0 }, y: steps), fit.intercept > 0 else { return nil }
        return (fit.intercept, fit.slope / fit.intercept, fit)
    }
}
