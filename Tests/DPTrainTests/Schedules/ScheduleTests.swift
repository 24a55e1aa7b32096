import DPTrain
import Foundation
import Testing

/// |actual − expected| ≤ 1e-12 + 1e-12·|expected| (schedules compute in Double).
func expectScheduleValue(_ schedule: any LearningRateSchedule, at t: Double, _ expected: Double,
                         tolerance: Double = 1e-12,
                         sourceLocation: SourceLocation = #_sourceLocation) {
    let actual = schedule.learningRate(at: t)
    #expect(abs(actual - expected) <= tolerance * (1 + abs(expected)),
            "η(\(t)) = \(actual), expected \(expected)", sourceLocation: sourceLocation)
}

/// Anchor points of every schedule (STYLE B7): t = 0, boundaries just before / at / after,
/// midpoints, the end and past the end. Expected values are derived by hand in the comments;
/// CyclicLR and ReduceLROnPlateau values were also checked against torch 2.15's schedulers.
@Suite("Learning-rate schedules")
struct ScheduleTests {
    @Test func constant() {
        let s = ConstantSchedule(learningRate: 0.1)
        for t in [0.0, 5.5, 1e6] { expectScheduleValue(s, at: t, 0.1) }
    }

    @Test func stepDecay() {
        // η₀ = 0.1, γ = 0.5, every 3: [0, 3) → 0.1, [3, 6) → 0.05, [6, 9) → 0.025 (inclusive).
        let s = StepDecay(baseLearningRate: 0.1, stepSize: 3, gamma: 0.5)
        expectScheduleValue(s, at: 0, 0.1)
        expectScheduleValue(s, at: 2.999, 0.1)
        expectScheduleValue(s, at: 3, 0.05)
        expectScheduleValue(s, at: 4.5, 0.05)
        expectScheduleValue(s, at: 6, 0.025)
        // 0.3/0.1 = 2.9999999999999996 in Double; the boundary tolerance puts it in piece 3:
        // 1·0.5³ = 0.125.
        let fine = StepDecay(baseLearningRate: 1, stepSize: 0.1, gamma: 0.5)
        expectScheduleValue(fine, at: 0.3, 0.125)
        expectScheduleValue(fine, at: 0.299, 0.25)
        #expect(StepDecay(baseLearningRate: 1, stepSize: 1).gamma == 0.1)  // torch default
    }

    @Test func multiStepDecay() {
        // η₀ = 0.1, γ = 0.2, milestones 10, 20: 0.1 → 0.02 at 10 → 0.004 at 20.
        let s = MultiStepDecay(baseLearningRate: 0.1, milestones: [20, 10], gamma: 0.2)
        expectScheduleValue(s, at: 0, 0.1)
        expectScheduleValue(s, at: 9.999, 0.1)
        expectScheduleValue(s, at: 10, 0.02)
        expectScheduleValue(s, at: 10.001, 0.02)
        expectScheduleValue(s, at: 15, 0.02)
        expectScheduleValue(s, at: 19.999, 0.02)
        expectScheduleValue(s, at: 20, 0.004)
        expectScheduleValue(s, at: 1000, 0.004)
        // A repeated milestone counts twice (torch): 1·0.5² at t = 5.
        expectScheduleValue(MultiStepDecay(baseLearningRate: 1, milestones: [5, 5], gamma: 0.5), at: 5, 0.25)
    }

    @Test func exponentialDecay() {
        // 0.1·0.5^t: t = 1 → 0.05, t = 2.5 → 0.1·2^-2.5 = 0.1·0.1767766952966369.
        let s = ExponentialDecay(baseLearningRate: 0.1, gamma: 0.5)
        expectScheduleValue(s, at: 0, 0.1)
        expectScheduleValue(s, at: 1, 0.05)
        expectScheduleValue(s, at: 2.5, 0.01767766952966369)
        // Continuous: 1e-9 past an integer is within 1e-10 of the integer's value.
        #expect(abs(s.learningRate(at: 1 + 1e-9) - 0.05) < 1e-10)
    }

    @Test func inverseTimeDecay() {
        // 0.1/(1 + 0.5t): t = 2 → 0.1/2; power ½: t = 6 → 0.1/√4 = 0.05.
        let s = InverseTimeDecay(baseLearningRate: 0.1, gamma: 0.5)
        expectScheduleValue(s, at: 0, 0.1)
        expectScheduleValue(s, at: 2, 0.05)
        expectScheduleValue(s, at: 18, 0.01)
        expectScheduleValue(InverseTimeDecay(baseLearningRate: 0.1, gamma: 0.5, power: 0.5), at: 6, 0.05)
    }

    @Test func polynomialDecay() {
        // (0.1 − 0.01)(1 − t/10)² + 0.01: t = 5 → 0.09·0.25 + 0.01 = 0.0325;
        // t = 9.9 → 0.09·0.01² + 0.01 = 0.010009; t ≥ 10 → 0.01.
        let s = PolynomialDecay(baseLearningRate: 0.1, endLearningRate: 0.01, duration: 10, power: 2)
        expectScheduleValue(s, at: 0, 0.1)
        expectScheduleValue(s, at: 5, 0.0325)
        expectScheduleValue(s, at: 9.9, 0.010009)
        expectScheduleValue(s, at: 10, 0.01)
        expectScheduleValue(s, at: 25, 0.01)
        // Linear to 0 by default: t = 2.5 of 10 → 0.1·0.75.
        expectScheduleValue(PolynomialDecay(baseLearningRate: 0.1, duration: 10), at: 2.5, 0.075)
    }

    @Test func cosineDecay() {
        // 0.001 + ½·0.099·(1 + cos(πt/10)): t = 5 → 0.001 + 0.0495 = 0.0505;
        // t = 2.5 → 0.001 + 0.0495·(1 + √½) = 0.0855017856687341; t ≥ 10 → 0.001 (clamped).
        let s = CosineDecay(baseLearningRate: 0.1, minimumLearningRate: 0.001, duration: 10)
        expectScheduleValue(s, at: 0, 0.1)
        expectScheduleValue(s, at: 2.5, 0.0855017856687341)
        expectScheduleValue(s, at: 5, 0.0505)
        expectScheduleValue(s, at: 10, 0.001)
        expectScheduleValue(s, at: 15, 0.001)
        expectScheduleValue(s, at: 1000, 0.001)
    }

    @Test func cosineWarmRestarts() {
        // T₀ = 10, T_mult = 1: restarts at 10, 20, … (inclusive): t = 10 → 0.1, t = 15 → 0.0505.
        let s = CosineDecay(baseLearningRate: 0.1, minimumLearningRate: 0.001, duration: 10, warmRestarts: true)
        expectScheduleValue(s, at: 5, 0.0505)
        #expect(abs(s.learningRate(at: 9.999_999) - 0.001) < 1e-9)
        expectScheduleValue(s, at: 10, 0.1)
        expectScheduleValue(s, at: 15, 0.0505)
        expectScheduleValue(s, at: 30, 0.1)
        // T₀ = 2, T_mult = 2: cycles [0, 2), [2, 6), [6, 14), [14, 30). Starts → 0.1, midpoints
        // (t = 1, 4, 10, 22) → 0.0505 (= torch CosineAnnealingWarmRestarts at those steps).
        let grow = CosineDecay(baseLearningRate: 0.1, minimumLearningRate: 0.001, duration: 2,
                               warmRestarts: true, periodMultiplier: 2)
        for start in [0.0, 2, 6, 14, 30] { expectScheduleValue(grow, at: start, 0.1) }
        for middle in [1.0, 4, 10, 22] { expectScheduleValue(grow, at: middle, 0.0505) }
        #expect(abs(grow.learningRate(at: 13.999_999) - 0.001) < 1e-9)
    }

    @Test func cyclicalTriangular() {
        // base 0.001, max 0.006, S = 2000 (torch CyclicLR docs example): up to 2000, down to 4000.
        let s = CyclicalSchedule(baseLearningRate: 0.001, maxLearningRate: 0.006, stepSize: 2000)
        expectScheduleValue(s, at: 0, 0.001)
        expectScheduleValue(s, at: 1000, 0.0035)
        expectScheduleValue(s, at: 2000, 0.006)
        expectScheduleValue(s, at: 3000, 0.0035)
        expectScheduleValue(s, at: 4000, 0.001)
        expectScheduleValue(s, at: 6000, 0.006)
        // Continuous at fractional t: 500.5 → 0.001 + 0.005·500.5/2000.
        expectScheduleValue(s, at: 500.5, 0.001 + 0.005 * 500.5 / 2000)
    }

    @Test func cyclicalTriangular2AndExpRange() {
        // triangular2: cycle c amplitude 0.005/2^(c−1): peak of cycle 2 (t = 6000) → 0.0035,
        // of cycle 3 (t = 10000) → 0.00225.
        let halving = CyclicalSchedule(baseLearningRate: 0.001, maxLearningRate: 0.006, stepSize: 2000,
                                       mode: .triangular2)
        expectScheduleValue(halving, at: 2000, 0.006)
        expectScheduleValue(halving, at: 6000, 0.0035)
        expectScheduleValue(halving, at: 10000, 0.00225)
        // exp_range γ = 0.9999: 0.001 + 0.005·h·γ^t; t = 2000 (h = 1) → 0.0050936128263277475,
        // t = 1000 (h = ½) → 0.0032620822338963905 (= torch CyclicLR).
        let decaying = CyclicalSchedule(baseLearningRate: 0.001, maxLearningRate: 0.006, stepSize: 2000,
                                        mode: .exponentialRange(gamma: 0.9999))
        expectScheduleValue(decaying, at: 0, 0.001)
        expectScheduleValue(decaying, at: 1000, 0.0032620822338963905)
        expectScheduleValue(decaying, at: 2000, 0.0050936128263277475)
        expectScheduleValue(decaying, at: 4000, 0.001)
        // Asymmetric: up 1, down 3 (L = 4): 0, 1, ⅔, ⅓, 0, 1 (= torch step_size_down = 3).
        let asymmetric = CyclicalSchedule(baseLearningRate: 0, maxLearningRate: 1, stepSize: 1, stepSizeDown: 3)
        for (t, expected) in [(0.0, 0.0), (1, 1), (2, 2.0 / 3), (3, 1.0 / 3), (4, 0), (5, 1), (2.5, 0.5)] {
            expectScheduleValue(asymmetric, at: t, expected)
        }
    }

    @Test func oneCycle() {
        // η_max = 1, T = 100, pct 0.3, div 25, final div 1e4: η_init = 0.04, η_final = 4e-6.
        let s = OneCycleSchedule(maxLearningRate: 1, duration: 100)
        #expect(abs(s.initialLearningRate - 0.04) < 1e-15 && abs(s.finalLearningRate - 4e-6) < 1e-18)
        expectScheduleValue(s, at: 0, 0.04)
        // Phase 1 (0…30): 1 + ½(0.04 − 1)(1 + cos(πt/30)); t = 15 → 0.52,
        // t = 7.5 → 1 − 0.48(1 + √½) = 0.1805887450304573.
        expectScheduleValue(s, at: 7.5, 0.1805887450304573)
        expectScheduleValue(s, at: 15, 0.52)
        expectScheduleValue(s, at: 30, 1)
        // Phase 2 (30…100): midpoint t = 65 → 4e-6 + ½(1 − 4e-6) = 0.500002.
        expectScheduleValue(s, at: 65, 0.500002)
        expectScheduleValue(s, at: 100, 4e-6)
        expectScheduleValue(s, at: 150, 4e-6)
        // Linear annealing: t = 7.5 → 0.04 + 0.25·0.96 = 0.28.
        let linear = OneCycleSchedule(maxLearningRate: 1, duration: 100, annealStrategy: .linear)
        expectScheduleValue(linear, at: 7.5, 0.28)
        expectScheduleValue(linear, at: 65, 0.500002)
    }

    @Test func linearWarmupGoyal() {
        // Warm up over 5 from 0.1 to an inner MultiStep(0.4, [10], 0.1), inner unshifted:
        // t = 2.5 → 0.1 + (0.4 − 0.1)·½ = 0.25; t = 5 → 0.4; t = 10 → 0.04 (not at 15).
        let s = LinearWarmup(MultiStepDecay(baseLearningRate: 0.4, milestones: [10], gamma: 0.1),
                             duration: 5, startLearningRate: 0.1)
        expectScheduleValue(s, at: 0, 0.1)
        expectScheduleValue(s, at: 2.5, 0.25)
        #expect(abs(s.learningRate(at: 4.999_999) - 0.4) < 1e-6)
        expectScheduleValue(s, at: 5, 0.4)
        expectScheduleValue(s, at: 9.999, 0.4)
        expectScheduleValue(s, at: 10, 0.04)
        // The target during warmup is the inner value at the same t: inner cosine(1, T = 10)
        // at t = 1 is ½(1 + cos(0.1π)) = 0.9755282581475768, times 1/2 → 0.4877641290737884.
        let cosine = LinearWarmup(CosineDecay(baseLearningRate: 1, duration: 10), duration: 2)
        expectScheduleValue(cosine, at: 0, 0)
        expectScheduleValue(cosine, at: 1, 0.4877641290737884)
        expectScheduleValue(cosine, at: 2, 0.9045084971874737)  // ½(1 + cos(0.2π)), unshifted
        expectScheduleValue(cosine, at: 20, 0)
        // No warmup: the inner schedule.
        expectScheduleValue(LinearWarmup(ConstantSchedule(learningRate: 0.3), duration: 0), at: 0, 0.3)
    }

    @Test func reduceOnPlateauPatienceAndCooldown() {
        // factor ½, patience 2, cooldown 1, rel threshold 1e-4, floor 0.01. Hand trace (and
        // torch ReduceLROnPlateau with the same arguments gives the same list):
        //  1.0 best; 0.99995 is not < 0.9999 → bad 1; 1.0 bad 2; 1.1 bad 3 > 2 → 0.05, cooldown.
        //  1.2 (cooldown: bad reset), 1.2 bad 1, 1.2 bad 2, 1.2 bad 3 → 0.025.
        //  0.5 new best (cooldown ends), 0.6 ×3 → 0.0125; cooldown, 0.6 ×3 → max(0.00625, 0.01)
        //  = 0.01; cooldown, 0.6 ×3 → 0.01 (no change below the floor).
        let s = ReduceOnPlateau(baseLearningRate: 0.1, factor: 0.5, patience: 2, cooldown: 1,
                                minimumLearningRate: 0.01)
        let metrics = [1.0, 0.99995, 1.0, 1.1, 1.2, 1.2, 1.2, 1.2, 0.5, 0.6,
                       0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6]
        let expected = [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025,
                        0.025, 0.0125, 0.0125, 0.0125, 0.0125, 0.01, 0.01, 0.01, 0.01, 0.01]
        var reductions = 0
        for (metric, rate) in zip(metrics, expected) {
            if s.observe(metric) { reductions += 1 }
            expectScheduleValue(s, at: 123, rate)
        }
        #expect(reductions == 4)
        #expect(s.best == 0.5 && s.observationCount == 20)
    }

    @Test func reduceOnPlateauMaxAbsolute() {
        // mode max, abs threshold 0.05, patience 0: 0.5 best; 0.54 ≤ 0.55 → 0.1;
        // 0.6 > 0.55 new best; 0.61 ≤ 0.65 → 0.01 (= torch).
        let s = ReduceOnPlateau(baseLearningRate: 1, mode: .max, factor: 0.1, patience: 0,
                                threshold: 0.05, thresholdMode: .absolute)
        for (metric, rate) in [(0.5, 1.0), (0.54, 0.1), (0.6, 0.1), (0.61, 0.01)] {
            s.observe(metric)
            expectScheduleValue(s, at: 0, rate)
        }
    }
}
