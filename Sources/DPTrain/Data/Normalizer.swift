/// How inputs are rescaled before training (`data.normalize`).
///
/// Statistics come from the training split only (in Double) and are then applied in place to
/// the training, validation and test sets, so no information leaks from held-out data:
///
///  - `standardize`: x′ = (x − mean) / std, std the population standard deviation;
///  - `minmax`: x′ = (x − min) / (max − min), mapping the training range onto [0, 1];
///  - `none`: x′ = x.
///
/// **Scope.** Images (sample shape of rank ≥ 2, such as `[1, 28, 28]`) use *one global*
/// mean/std (or min/max) over all training pixels: pixels share units, and per-pixel statistics
/// would blow up the always-black border pixels of Fashion-MNIST (std ≈ 0). Tabular data
/// (sample shape `[d]`) uses *per-feature* (per-column) statistics, because columns have
/// different units. A per-feature std (or range) below 1e-6 is replaced by 1, so a constant
/// column becomes 0 instead of dividing by zero.
///
/// The statistics (``shift``, ``scale``) are public and `Codable` for run metadata.
public struct Normalizer: Codable, Equatable, Sendable {
    /// `data.normalize`: the rescaling formula (see the type); the raw value is the YAML spelling.
    public enum Method: String, Codable, ConfigChoice {
        /// x′ = (x − mean) / std (the default, except for `linear_regression`).
        case standardize
        /// x′ = (x − min) / (max − min).
        case minmax
        /// x′ = x.
        case none
    }

    /// Whether one statistic covers all features or each feature has its own.
    public enum Scope: String, Codable, Sendable {
        case global, perFeature = "per_feature"
    }

    /// Smallest std (or max − min) used as a divisor; below it the divisor is 1.
    public static let scaleFloor = 1e-6

    /// The rescaling formula.
    public let method: Method
    /// Global (images) or per-feature (tabular) statistics.
    public let scope: Scope
    /// Subtracted from each value: the mean (standardize) or minimum (minmax); one entry for
    /// global scope, `featureCount` entries for per-feature scope; `[0]` for `none`.
    public let shift: [Double]
    /// Divisor: std (standardize) or max − min (minmax); same length as ``shift``; `[1]` for `none`.
    public let scale: [Double]

    /// A normalizer with explicit statistics (for example read back from metadata).
    public init(method: Method, scope: Scope, shift: [Double], scale: [Double]) {
        precondition(shift.count == scale.count && !shift.isEmpty, "shift and scale must have the same, non-zero length")
        self.method = method
        self.scope = scope
        self.shift = shift
        self.scale = scale
    }

    /// Computes the statistics of `method` from `train` (global for images, per feature for
    /// tabular data, as described on the type).
    public init(method: Method, fittingTo train: Dataset) {
        let scope: Scope = train.sampleShape.count >= 2 ? .global : .perFeature
        let columns = scope == .global ? 1 : train.featureCount
        let n = train.count, d = train.featureCount
        /// Calls `body` with each training row in order (stored rows are read raw into a scratch row).
        func forEachRow(_ body: (UnsafePointer<Float>) -> Void) {
            if let stored = train.stored {
                let scratch = UnsafeMutablePointer<Float>.allocate(capacity: max(d, 1))
                defer { scratch.deallocate() }
                for i in 0..<n { stored.read(i, into: scratch); body(scratch) }
            } else {
                let base = train.features.baseAddress!
                for i in 0..<n { body(base + i * d) }
            }
        }
        switch method {
        case .none:
            self.init(method: .none, scope: .global, shift: [0], scale: [1])
        case .standardize:
            var sum = [Double](repeating: 0, count: columns)
            forEachRow { row in
                if scope == .global {
                    var s = 0.0
                    for j in 0..<d { s += Double(row[j]) }
                    sum[0] += s
                } else {
                    for j in 0..<d { sum[j] += Double(row[j]) }
                }
            }
            let perColumn = Double(scope == .global ? n * d : n)
            let mean = sum.map { perColumn > 0 ? $0 / perColumn : 0 }
            // Second pass for the variance: exact enough in Double, no cancellation.
            var squares = [Double](repeating: 0, count: columns)
            forEachRow { row in
                if scope == .global {
                    var s = 0.0
                    let m = mean[0]
                    for j in 0..<d { let e = Double(row[j]) - m; s += e * e }
                    squares[0] += s
                } else {
                    for j in 0..<d { let e = Double(row[j]) - mean[j]; squares[j] += e * e }
                }
            }
            let std = squares.map { perColumn > 0 ? ($0 / perColumn).squareRoot() : 0 }
            self.init(method: .standardize, scope: scope, shift: mean, scale: std.map(Normalizer.floored))
        case .minmax:
            var low = [Double](repeating: .infinity, count: columns)
            var high = [Double](repeating: -.infinity, count: columns)
            forEachRow { row in
                for j in 0..<d {
                    let c = scope == .global ? 0 : j
                    let v = Double(row[j])
                    if v < low[c] { low[c] = v }
                    if v > high[c] { high[c] = v }
                }
            }
            if n == 0 { low = low.map { _ in 0 }; high = high.map { _ in 1 } }
            self.init(method: .minmax, scope: scope, shift: low,
                      scale: zip(low, high).map { Normalizer.floored($1 - $0) })
        }
    }

    /// `dataset` normalised: a dataset in memory is rescaled in place (``apply(to:)``) and
    /// returned; a stored one is returned as a new dataset over the same map that rescales on
    /// read with the same Float operations (``StoredSamples``).
    public func normalizing(_ dataset: Dataset) -> Dataset {
        guard let stored = dataset.stored else {
            apply(to: dataset)
            return dataset
        }
        guard method != .none else { return dataset }
        let normalized = stored.normalized(shift: shift.map(Float.init), factor: scale.map { Float(1 / $0) })
        return Dataset(stored: normalized, sampleShape: dataset.sampleShape, classCount: dataset.classCount,
                       source: dataset.source)
    }

    /// Rescales every feature of `dataset` in place (x′ = (x − shift) / scale, in Float; a
    /// dataset in memory only — see ``normalizing(_:)``).
    public func apply(to dataset: Dataset) {
        precondition(dataset.stored == nil, "a stored dataset is normalised on read: use normalizing(_:)")
        guard method != .none else { return }
        let d = dataset.featureCount
        precondition(shift.count == 1 || shift.count == d, "normalizer has \(shift.count) features, dataset \(d)")
        let base = dataset.features.baseAddress!
        if shift.count == 1 {
            let s = Float(shift[0]), f = Float(1 / scale[0])
            for i in 0..<dataset.features.count { base[i] = (base[i] - s) * f }
        } else {
            let s = shift.map(Float.init), f = scale.map { Float(1 / $0) }
            for i in 0..<dataset.count {
                let row = base + i * d
                for j in 0..<d { row[j] = (row[j] - s[j]) * f[j] }
            }
        }
    }

    /// The normalised value of raw value `raw` in feature `feature` — for example the value of
    /// a black (0) pixel, which ``Augmentation`` uses as the fill of shifted-in borders.
    public func normalizedValue(of raw: Float, feature: Int = 0) -> Float {
        guard method != .none else { return raw }
        let c = shift.count == 1 ? 0 : feature
        return (raw - Float(shift[c])) * Float(1 / scale[c])
    }

    /// One line for banners and metadata, e.g. `standardize (global): mean 72.94, std 90.02`.
    public var summary: String {
        switch method {
        case .none: return "none"
        case .standardize, .minmax:
            let names = method == .standardize ? ("mean", "std") : ("min", "range")
            if shift.count == 1 {
                return "\(method.rawValue) (\(scope.rawValue)): \(names.0) \(format(shift[0])), \(names.1) \(format(scale[0]))"
            }
            return "\(method.rawValue) (\(scope.rawValue), \(shift.count) features)"
        }
    }

    private func format(_ x: Double) -> String { String(Double((x * 10000).rounded()) / 10000) }

    private static func floored(_ s: Double) -> Double { s < scaleFloor ? 1 : s }
}
