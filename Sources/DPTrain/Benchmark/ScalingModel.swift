import Foundation

/// Predicts data-parallel step time from measured compute and an α-β model of all-reduce.
///
/// Sending n bytes costs α + n·β (latency α, inverse bandwidth β). For W ranks and a buffer of
/// n bytes (Thakur, Rabenseifner & Gropp 2005; Patarasuk & Yuan 2009):
///
///     ring:         T = 2(W−1)·α + 2(W−1)/W · n·β
///     Rabenseifner: T = 2·log₂W·α + 2(W−1)/W · n·β     (reduce-scatter by recursive halving,
///                                                       all-gather by recursive doubling)
///
/// The step time is compute(per-rank samples) + optimizer + the faster all-reduce (no overlap
/// assumed), and scaling efficiency is the fraction of the step spent computing.
public struct ScalingModel: Equatable, Sendable {
    /// A network: its name and α (seconds), β (seconds per byte).
    public struct Network: Equatable, Sendable {
        public var name: String
        public var alpha: Double
        public var beta: Double

        public init(name: String, alpha: Double, beta: Double) {
            self.name = name
            self.alpha = alpha
            self.beta = beta
        }

        /// A 10 Gb/s Ethernet link with ~25 µs MPI latency (TCP).
        public static let ethernet10 = Network(name: "10 Gb/s Ethernet", alpha: 25e-6, beta: 8 / 10e9)
        /// A 100 Gb/s InfiniBand-class link with ~2 µs latency.
        public static let infiniband100 = Network(name: "100 Gb/s InfiniBand", alpha: 2e-6, beta: 8 / 100e9)

        /// α and β from two measured all-reduce times on 2 ranks (ring: T = 2α + n·β).
        public static func measured(smallSeconds: Double, largeSeconds: Double, largeBytes: Double) -> Network {
            let alpha = max(smallSeconds / 2, 1e-7)
            let beta = max((largeSeconds - 2 * alpha) / largeBytes, 1e-13)
            return Network(name: "this machine (measured)", alpha: alpha, beta: beta)
        }
    }

    /// Seconds of forward + backward + data per sample on one rank.
    public var computePerSample: Double
    /// Seconds of optimizer work per step (independent of W).
    public var optimizerSeconds: Double
    /// Gradient bytes all-reduced per step.
    public var gradientBytes: Double

    public init(computePerSample: Double, optimizerSeconds: Double, gradientBytes: Double) {
        self.computePerSample = computePerSample
        self.optimizerSeconds = optimizerSeconds
        self.gradientBytes = gradientBytes
    }

    public func ring(_ network: Network, ranks: Int) -> Double {
        guard ranks > 1 else { return 0 }
        let w = Double(ranks)
        return 2 * (w - 1) * network.alpha + 2 * (w - 1) / w * gradientBytes * network.beta
    }

    public func rabenseifner(_ network: Network, ranks: Int) -> Double {
        guard ranks > 1 else { return 0 }
        let w = Double(ranks)
        return 2 * log2(w) * network.alpha + 2 * (w - 1) / w * gradientBytes * network.beta
    }

    /// One row of the prediction.
    public struct Prediction: Equatable, Sendable {
        public var ranks: Int
        public var samplesPerRank: Double
        public var computeSeconds: Double
        public var communicationSeconds: Double
        public var stepSeconds: Double
        public var samplesPerSecond: Double
        /// compute / step.
        public var efficiency: Double
    }

    /// Step time for W ranks that each compute `samplesPerRank` samples per step.
    public func predict(network: Network, ranks: Int, samplesPerRank: Double) -> Prediction {
        let compute = samplesPerRank * computePerSample + optimizerSeconds
        let communication = min(ring(network, ranks: ranks), rabenseifner(network, ranks: ranks))
        let step = compute + communication
        return Prediction(ranks: ranks, samplesPerRank: samplesPerRank, computeSeconds: compute,
                          communicationSeconds: communication, stepSeconds: step,
                          samplesPerSecond: Double(ranks) * samplesPerRank / step, efficiency: compute / step)
    }
}
