import Foundation

/// Datasets dptrain generates itself, for tests, smoke runs and the noise-scale check.
public enum SyntheticData {
    /// Two interleaved spirals in the plane, 2 classes, `count` points (half per class).
    ///
    /// Point i of class c at radius r = i/(count/2) · 1 and angle θ = 3π·r + c·π, plus
    /// Gaussian noise of standard deviation `noise` on each coordinate; the order of points is
    /// shuffled by the generator. Drawn from (seed, `stream`) so train and test differ.
    public static func spirals(count: Int, noise: Double, seed: UInt64, stream: UInt64) -> Dataset {
        var generator = SplitMix64(keys: seed, RandomStream.synthetic.rawValue, stream)
        let perClass = count / 2
        var rows: [(Float, Float, Int32)] = []
        rows.reserveCapacity(count)
        for index in 0..<count {
            let label = index < perClass ? 0 : 1
            let position = Double(index < perClass ? index : index - perClass) / Double(max(perClass, 1))
            let radius = 0.05 + 0.95 * position
            let angle = 3 * Double.pi * position + Double(label) * Double.pi
            let x = radius * cos(angle) + noise * generator.nextNormal()
            let y = radius * sin(angle) + noise * generator.nextNormal()
            rows.append((Float(x), Float(y), Int32(label)))
        }
        for index in stride(from: rows.count - 1, to: 0, by: -1) {
            rows.swapAt(index, generator.nextInt(below: index + 1))
        }
        return Dataset(sampleShape: [2], features: rows.flatMap { [$0.0, $0.1] }, labels: rows.map(\.2),
                       classCount: 2, source: "spirals(\(count))")
    }

    /// Linear regression y = w·x + ε with x ~ N(0, I_d), ε ~ N(0, σ²), and w fixed by the seed
    /// (wᵢ ~ N(0, 1), same for train and test). One target per sample.
    ///
    /// For the MSE loss ℓ = ½(θ·x − y)² (per sample), the per-sample gradient at θ is
    /// g = (θ·x − y)·x; at θ = 0 its mean is G = −E[y x] = −w and its covariance is
    /// Σ = E[y² x xᵀ] − w wᵀ = (|w|² + σ²) I + w wᵀ, so tr(Σ) = d(|w|²+σ²) + |w|² and the noise
    /// scale is B_simple = tr(Σ)/|G|² = (d(|w|²+σ²) + |w|²)/|w|² (used by the tests).
    public static func linearRegression(count: Int, features: Int, noise: Double, seed: UInt64,
                                        stream: UInt64) -> Dataset {
        let weights = regressionWeights(features: features, seed: seed)
        var generator = SplitMix64(keys: seed, RandomStream.synthetic.rawValue, stream)
        let dataset = Dataset(sampleShape: [features], labels: [Int32](repeating: 0, count: count), classCount: 1,
                              targetWidth: 1, source: "linear_regression(\(count)×\(features))")
        for row in 0..<count {
            var target = 0.0
            let x = dataset.row(row)
            for column in 0..<features {
                let value = generator.nextNormal()
                x[column] = Float(value)
                target += weights[column] * value
            }
            dataset.targetRow(row)[0] = Float(target + noise * generator.nextNormal())
        }
        return dataset
    }

    /// The true weights w of ``linearRegression(count:features:noise:seed:stream:)``.
    public static func regressionWeights(features: Int, seed: UInt64) -> [Double] {
        var generator = SplitMix64(keys: seed, RandomStream.synthetic.rawValue, 0xFEED)
        return (0..<features).map { _ in generator.nextNormal() }
    }
}
