import Foundation
import Testing
import DPTrain

/// AdaScale's gain r = (σ² + |G|²)/(σ²/S + |G|²), σ² = tr(Σ)/B₀, and what it does to the LR and
/// the schedule clock (Johnson et al. 2020), against values worked out by hand.
@Suite("AdaScale gain")
struct AdaScaleGainTests {
    /// B₀ = 128, B = 512: S = 4. tr(Σ) = 256, |G|² = 1: σ² = 256/128 = 2,
    /// r = (2 + 1)/(2/4 + 1) = 3/1.5 = 2.
    @Test("hand-computed example: S = 4, σ² = 2, |G|² = 1 gives r = 2")
    func handExample() {
        let gain = AdaScaleGain.ratio(batch: 512, baseBatch: 128, trace: 256, gradientSquared: 1)
        #expect(gain == 2)
        // Another by hand: S = 2, tr(Σ) = 384 (σ² = 3), |G|² = 0.5: (3 + 0.5)/(1.5 + 0.5) = 1.75.
        #expect(AdaScaleGain.ratio(batch: 256, baseBatch: 128, trace: 384, gradientSquared: 0.5) == 1.75)
    }

    @Test("r is 1 at S = 1 and without noise, S without signal, and always in [1, S]")
    func limits() {
        #expect(AdaScaleGain.ratio(batch: 128, baseBatch: 128, trace: 256, gradientSquared: 1) == 1)
        #expect(AdaScaleGain.ratio(batch: 512, baseBatch: 128, trace: nil, gradientSquared: nil) == 1)
        #expect(AdaScaleGain.ratio(batch: 512, baseBatch: 128, trace: 0, gradientSquared: 1) == 1)
        #expect(AdaScaleGain.ratio(batch: 512, baseBatch: 128, trace: -5, gradientSquared: 1) == 1)
        #expect(AdaScaleGain.ratio(batch: 512, baseBatch: 128, trace: 256, gradientSquared: 0) == 4)
        #expect(AdaScaleGain.ratio(batch: 512, baseBatch: 128, trace: 256, gradientSquared: -1) == 4)
        for g2 in [1e-6, 0.01, 1, 100, 1e6] {
            let r = AdaScaleGain.ratio(batch: 1024, baseBatch: 128, trace: 256, gradientSquared: g2)
            #expect(r >= 1 && r <= 8, "|G|² = \(g2): r = \(r)")
        }
    }

    static func policy(lr: String, baseBatch: Int = 128) throws -> AdaptiveBatchPolicy {
        let config = try TrainingTestSupport.config("""
            model: {layers: [{dense: 10}]}
            batch: {global: \(baseBatch), micro: 32, adaptive: {multiple_of: 128, max: 1024, lr: \(lr)}}
            """)
        return try AdaptiveBatchPolicy(config: try #require(config.batch.adaptive), baseBatch: baseBatch, worldSize: 2,
                                       micro: 32, sampleCount: 1024)
    }

    /// The LR written for B₀ is 0.1; at B = 512 (S = 4) with r = 2 (the example above):
    /// none 0.1, linear 0.4, sqrt 0.2, adascale 0.1 · 2 = 0.2.
    @Test("LR factor ρ(S, r) of each rule at S = 4, r = 2")
    func learningRateFactors() throws {
        let gain = AdaScaleGain.ratio(batch: 512, baseBatch: 128, trace: 256, gradientSquared: 1)
        let expected: [(String, Double)] = [("none", 0.1), ("linear", 0.4), ("sqrt", 0.2), ("adascale", 0.2)]
        for (rule, lr) in expected {
            let policy = try Self.policy(lr: rule)
            #expect(abs(0.1 * policy.learningRateFactor(batch: 512, gain: gain) - lr) < 1e-15, "\(rule)")
        }
    }

    /// N = 1024, B₀ = 128, B = 512 (S = 4), r = 2: one update moves the data progress t by
    /// 512/1024 = 0.5 epochs and the scale-invariant clock by r·B₀/N = 2·128/1024 = 0.25, so
    /// the lag t − τ grows by 0.25. Other rules keep τ = t; at S = 1 the lag stays exactly 0.
    @Test("the scale-invariant clock advances r base-batch updates per update")
    func scheduleClock() throws {
        let adascale = try Self.policy(lr: "adascale")
        var state = AdaptiveBatchState(batch: 512, nextDecision: 1)
        adascale.advanceClock(&state, samples: 512, sampleCount: 1024, gain: 2)
        #expect(state.scheduleLag == 0.25)
        adascale.advanceClock(&state, samples: 512, sampleCount: 1024, gain: 4)  // r = S: τ moves with t
        #expect(state.scheduleLag == 0.25)
        var base = AdaptiveBatchState(batch: 128, nextDecision: 1)
        adascale.advanceClock(&base, samples: 128, sampleCount: 1024, gain: 1)
        #expect(base.scheduleLag == 0)
        var linear = AdaptiveBatchState(batch: 512, nextDecision: 1)
        try Self.policy(lr: "linear").advanceClock(&linear, samples: 512, sampleCount: 1024, gain: 2)
        #expect(linear.scheduleLag == 0)
    }
}
