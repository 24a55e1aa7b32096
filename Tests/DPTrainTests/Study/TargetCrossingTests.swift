import DPTrain
import Foundation
import Testing

/// Steps to a target at step resolution: the crossing interpolated linearly between the two
/// evaluations around it, with hand-computed expectations.
@Suite struct TargetCrossingTests {
    func close(_ a: Double, _ b: Double, _ tolerance: Double = 1e-9) -> Bool { abs(a - b) <= tolerance * max(1, abs(b)) }

    @Test func accuracyCrossingIsInterpolatedBetweenTheChecksAroundIt() throws {
        // B = 128: 100 updates = 12,800 samples, 150 = 19,200. 0.86 → 0.89 crosses 0.88 at
        // f = 0.02/0.03 = 2/3: step 100 + 50·2/3 = 133.33, samples 12,800 + 6,400·2/3 = 17,066.67.
        let target = Study.Target(metric: "val_accuracy", value: 0.88)
        let checks = [
            TargetCrossing.Check(step: 50, samples: 6_400, epoch: 0.5, wallSeconds: 5, value: 0.80),
            TargetCrossing.Check(step: 100, samples: 12_800, epoch: 1.0, wallSeconds: 10, value: 0.86),
            TargetCrossing.Check(step: 150, samples: 19_200, epoch: 1.5, wallSeconds: 16, value: 0.89),
            TargetCrossing.Check(step: 200, samples: 25_600, epoch: 2.0, wallSeconds: 22, value: 0.90),
        ]
        let crossing = try #require(TargetCrossing.find(target, in: checks))
        #expect(close(crossing.step, 133.333_333_333_333_3), "\(crossing.step)")
        #expect(close(crossing.samples, 17_066.666_666_666_67), "\(crossing.samples)")
        #expect(close(crossing.epoch, 1 + 0.5 * 2 / 3), "\(crossing.epoch)")
        #expect(close(crossing.wallSeconds, 14), "\(crossing.wallSeconds)")
        #expect(crossing.before == checks[1] && crossing.after == checks[2])
    }

    @Test func lossCrossingGoesDownward() throws {
        // 0.50 at step 40 → 0.30 at step 60 crosses 0.35 at f = (0.35 − 0.50)/(0.30 − 0.50) = 0.75: step 55.
        // A rise back above the target later does not matter: the first crossing counts.
        let target = Study.Target(metric: "val_loss", value: 0.35)
        let checks = [
            TargetCrossing.Check(step: 20, samples: 640, value: 0.70),
            TargetCrossing.Check(step: 40, samples: 1_280, value: 0.50),
            TargetCrossing.Check(step: 60, samples: 1_920, value: 0.30),
            TargetCrossing.Check(step: 80, samples: 2_560, value: 0.40),
        ]
        let crossing = try #require(TargetCrossing.find(target, in: checks))
        #expect(close(crossing.step, 55), "\(crossing.step)")
        #expect(close(crossing.samples, 1_760), "\(crossing.samples)")
        // Exactly on the target is reached: no interpolation beyond that check.
        let exact = try #require(TargetCrossing.find(Study.Target(metric: "val_loss", value: 0.30), in: checks))
        #expect(exact.step == 60)
    }

    @Test func targetAtTheFirstCheckAndNeverReached() throws {
        let target = Study.Target(metric: "test_accuracy", value: 0.88)
        let first = [TargetCrossing.Check(step: 30, samples: 3_840, value: 0.90),
                     TargetCrossing.Check(step: 60, samples: 7_680, value: 0.91)]
        let crossing = try #require(TargetCrossing.find(target, in: first))
        #expect(crossing.step == 30 && crossing.samples == 3_840 && crossing.before == nil)
        let never = [TargetCrossing.Check(step: 30, samples: 3_840, value: 0.85),
                     TargetCrossing.Check(step: 60, samples: 7_680, value: 0.879_999)]
        #expect(TargetCrossing.find(target, in: never) == nil)
        #expect(TargetCrossing.find(target, in: []) == nil)
    }

    @Test func reportUsesTheInterpolatedCrossingFromMetricsFiles() throws {
        let records = try StudyTestSupport.records([
            #"{"kind":"eval","step":100,"samples":12800,"epoch":1,"val_accuracy":0.86,"wall_seconds":10}"#,
            #"{"kind":"eval","step":150,"samples":19200,"epoch":1.5,"val_accuracy":0.89,"wall_seconds":16}"#,
            #"{"kind":"summary","step":150,"samples":19200,"epoch":1.5,"val_accuracy":0.89,"wall_seconds":16}"#,
        ])
        let directory = try StudyTestSupport.temporaryDirectory("study-crossing")
        let run = try StudyTestSupport.study("base: b.yaml\nvariants: [{name: v}]\n", in: directory).runs[0]
        let reached = try #require(RunMetrics(run: run, records: records).reached(Study.Target(metric: "val_accuracy", value: 0.88)))
        #expect(close(reached.step, 100 + 50 * 2.0 / 3), "\(reached.step)")
        #expect(close(reached.samples, 12_800 + 6_400 * 2.0 / 3), "\(reached.samples)")
    }

    @Test func targetKeysAreReadWithDefaultsAndStrictly() throws {
        let directory = try StudyTestSupport.temporaryDirectory("study-target-keys")
        func target(_ text: String) throws -> Study.Target? {
            try StudyTestSupport.study("base: b.yaml\nvariants: [{name: a}]\ntarget: \(text)\n", in: directory).target
        }
        #expect(try target("{metric: val_accuracy, value: 0.88}")
            == Study.Target(metric: "val_accuracy", value: 0.88, subset: 2_000, resolution: 0.02, far: 0.1, near: 0.03,
                            smoothing: 0.9))
        // A loss's default "near" is 10% of the target: 0.04 (to rounding: 0.1·0.4 = 0.04000000000000001).
        let ema = try #require(try target("{metric: train_loss_ema, value: 0.4, smoothing: 0.95}"))
        #expect(ema.metric == "train_loss_ema" && ema.smoothing == 0.95 && abs(ema.near - 0.04) < 1e-15 && !ema.isEvaluated)
        #expect(try target("{metric: val_loss, value: 0.3, subset: 0, resolution: 0.01, far: 0.05, near: 0.02}")
            == Study.Target(metric: "val_loss", value: 0.3, subset: 0, resolution: 0.01, far: 0.05, near: 0.02))
        func message(_ text: String) -> String {
            do { _ = try target(text); return "" } catch { return "\(error)" }
        }
        // A misspelt key names the key it resembles; a misspelt metric lists the metrics.
        #expect(message("{metric: val_accuracy, value: 0.88, resolutoin: 0.01}").contains("resolution"))
        let metric = message("{metric: val_acuracy, value: 0.88}")
        #expect(metric.contains("val_accuracy") && metric.contains("train_loss_ema"), "\(metric)")
        #expect(message("{value: 0.88, check_every: 0.05}").contains("remove check_every"))
        #expect(message("{value: 0.88, resolution: 0.2, far: 0.1}").contains("target.far"))
        #expect(message("{value: 0.88, subset: -1}").contains("target.subset"))
        #expect(message("{metric: train_loss_ema, value: 0.4, smoothing: 1}").contains("target.smoothing"))
    }
}
