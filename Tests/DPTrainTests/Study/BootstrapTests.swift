import DPTrain
import Foundation
import Testing

/// The percentile bootstrap over seeds behind a report's intervals, on samples small enough to
/// check by hand.
@Suite struct BootstrapTests {
    @Test func percentileInterpolatesBetweenOrderStatistics() {
        // h = (5 − 1)·p: p = 0.05 → h = 0.2 → 1 + 0.2·(2 − 1) = 1.2; p = 0.95 → h = 3.8 → 4.8.
        assertClose(Bootstrap.percentile(sorted: [1, 2, 3, 4, 5], 0.05), 1.2, relative: 1e-12)
        assertClose(Bootstrap.percentile(sorted: [1, 2, 3, 4, 5], 0.95), 4.8, relative: 1e-12)
        #expect(Bootstrap.percentile(sorted: [1, 2, 3, 4, 5], 0.5) == 3)
        #expect(Bootstrap.percentile(sorted: [7], 0.95) == 7)
        #expect(Bootstrap().lowerQuantile == (1 - 0.9) / 2 && Bootstrap().upperQuantile == 0.95)
    }

    @Test func drawsAreDeterministicResamplesWithReplacement() {
        let bootstrap = Bootstrap()
        let draws = bootstrap.draws(seedCount: 2)
        #expect(draws == bootstrap.draws(seedCount: 2), "the same seed gives the same resamples")
        #expect(draws.count == 2000 && draws.allSatisfy { $0.count == 2 && $0.allSatisfy { (0..<2).contains($0) } })
        #expect(Bootstrap(seed: 2).draws(seedCount: 2) != draws)
        // Two seeds: the four ordered draws (0,0), (0,1), (1,0), (1,1) each have probability 1/4;
        // 2,000 draws put 500 ± 3·√(2000·3/16) ≈ 500 ± 58 in each.
        var counts: [[Int]: Int] = [:]
        for draw in draws { counts[draw, default: 0] += 1 }
        #expect(counts.count == 4)
        for (draw, count) in counts { #expect((442...558).contains(count), "\(draw): \(count) of 2000") }
        #expect(bootstrap.draws(seedCount: 0).isEmpty)
    }

    @Test func intervalOfTwoSeedsSpansTheirValues() {
        // Means of two values 0.85 and 0.87 resampled: 0.85 (p = 1/4), 0.86 (1/2), 0.87 (1/4). About
        // 500 of 2,000 are 0.85, so the 5th percentile (h = 1999·0.05 = 99.95, between the 100th
        // and 101st smallest) is 0.85 and the 95th is 0.87.
        let bootstrap = Bootstrap()
        let values = [0.85, 0.87]
        let resampled = bootstrap.draws(seedCount: 2).map { draw in Statistics.mean(draw.map { values[$0] }) }
        let estimate = bootstrap.estimate(0.86, seeds: 2, resampled: resampled)
        #expect(estimate.low == 0.85 && estimate.high == 0.87)
        #expect(estimate.resamples == 2000 && estimate.seeds == 2)
        #expect(estimate.scaled(100).text { Format.fixed($0, 2) } == "86.00 [85.00, 87.00]")
    }

    @Test func oneSeedHasNoInterval() {
        // Nothing to resample: the value alone, and the text says why.
        let estimate = Bootstrap().estimate(0.75, seeds: 1, resampled: [0.75, 0.75])
        #expect(estimate.low == nil && estimate.high == nil && estimate.resamples == 0)
        #expect(estimate.text { Format.fixed($0, 2) } == "0.75 (1 seed: no interval)")
        // Resamples where the statistic is undefined (nil) or not finite are left out.
        let partial = Bootstrap().estimate(2, seeds: 3, resampled: [nil, 1, .nan, 3, nil])
        // [1, 3]: h = 0.05 → 1 + 0.05·2 = 1.1; h = 0.95 → 2.9.
        assertClose(partial.low ?? .nan, 1.1, relative: 1e-12)
        assertClose(partial.high ?? .nan, 2.9, relative: 1e-12)
        #expect(partial.resamples == 2)
    }

    @Test func stepsToTargetFitRecoversExactModel() throws {
        // S = S_min(1 + B_noise/B) exactly, S_min = 120, B_noise = 2,500: the fit in 1/B returns
        // both; E_min = S_min·B_noise = 300,000.
        let batches = [128.0, 256, 512, 1024, 2048, 4096]
        let fit = try #require(Statistics.fitStepsToTarget(batch: batches, steps: batches.map { 120 * (1 + 2500 / $0) }))
        assertClose(fit.minimumSteps, 120, relative: 1e-10)
        assertClose(fit.noiseScale, 2500, relative: 1e-10)
        assertClose(fit.fit.rSquared ?? .nan, 1, relative: 1e-12)
        // Steps falling faster than 1/B: in x = 1/B the line through (0.01, 1000) and (0.005, 400)
        // has slope 120,000 and intercept 1000 − 1200 = −200 = S_min ≤ 0: no fit, no B_noise.
        #expect(Statistics.fitStepsToTarget(batch: [100, 200], steps: [1000, 400]) == nil)
        // Steps that grow with B: slope (100 − 300)/(1/128 − 1/256) = −51,200, S_min = 100 + 51,200/128
        // = 500, B_noise = −51,200/500 = −102.4 — reported as measured (the model does not hold).
        let rising = try #require(Statistics.fitStepsToTarget(batch: [128, 256], steps: [100, 300]))
        assertClose(rising.minimumSteps, 500, relative: 1e-12)
        assertClose(rising.noiseScale, -102.4, relative: 1e-12)
        #expect(Statistics.fitStepsToTarget(batch: [128], steps: [100]) == nil)
    }
}
