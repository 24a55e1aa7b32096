import DPTrain
import Foundation
import Testing

/// The schedule of target checks (``TargetSchedule``) and the state a resumed run continues
/// its checks from (``TargetProgress``), with hand-computed expectations.
@Suite struct TargetScheduleTests {
    let accuracy = Study.Target(metric: "val_accuracy", value: 0.88)  // near 0.03, resolution 0.02, far 0.1

    @Test func intervalIsTwoPercentNearTheTargetAndTenPercentFarFromIt() {
        #expect(accuracy.near == 0.03 && accuracy.resolution == 0.02 && accuracy.far == 0.1)
        // Far (0.88 − 0.80 = 0.08 > 0.03): ⌊0.1·100⌋ = 10.
        #expect(TargetSchedule.interval(afterStep: 100, value: 0.80, target: accuracy) == 10)
        // Near (0.88 − 0.86 = 0.02 ≤ 0.03): ⌊0.02·100⌋ = 2; at 2,800 updates ⌊56⌋ = 56.
        #expect(TargetSchedule.interval(afterStep: 100, value: 0.86, target: accuracy) == 2)
        #expect(TargetSchedule.interval(afterStep: 2_800, value: 0.87, target: accuracy) == 56)
        // Never less than one step: ⌊0.02·49⌋ = 0 → 1, and the first check after step 1.
        #expect(TargetSchedule.interval(afterStep: 49, value: 0.87, target: accuracy) == 1)
        #expect(TargetSchedule.interval(afterStep: 0, value: 0.1, target: accuracy) == 1)
        #expect(TargetSchedule.nextCheck(afterStep: 150, value: 0.5, target: accuracy) == 165)
        // r·s just below a whole number still rounds to it (0.29·100 = 28.999…).
        let coarse = Study.Target(metric: "val_accuracy", value: 0.88, resolution: 0.02, far: 0.29)
        #expect(TargetSchedule.interval(afterStep: 100, value: 0.5, target: coarse) == 29)
    }

    @Test func lossTargetsMeasureTheDistanceDownwards() {
        // val_loss 0.35: near defaults to 10% of it, 0.035.
        let loss = Study.Target(metric: "val_loss", value: 0.35)
        #expect(abs(loss.near - 0.035) < 1e-15)
        #expect(TargetSchedule.interval(afterStep: 200, value: 0.40, target: loss) == 20)  // 0.05 above: far
        #expect(TargetSchedule.interval(afterStep: 200, value: 0.38, target: loss) == 4)   // 0.03 above: near
        #expect(TargetSchedule.interval(afterStep: 200, value: .nan, target: loss) == 20)  // a diverged loss is far
    }

    @Test func checksOfALinearCurveCloseInOnTheCrossing() throws {
        // Accuracy s/1000 reaches 0.88 at step 880. From a check at step 100, far intervals
        // ⌊0.1·s⌋ until 0.871 at step 871 (within 0.03), then ⌊0.02·871⌋ = 17 to step 888.
        var checks = [100]
        while Double(checks.last!) / 1000 < 0.88 {
            let step = checks.last!
            checks.append(TargetSchedule.nextCheck(afterStep: step, value: Double(step) / 1000, target: accuracy))
        }
        #expect(checks == [100, 110, 121, 133, 146, 160, 176, 193, 212, 233, 256, 281, 309, 339, 372, 409, 449, 493,
                           542, 596, 655, 720, 792, 871, 888])
        let crossing = try #require(TargetCrossing.find(accuracy, in: checks.map {
            TargetCrossing.Check(step: Double($0), samples: Double($0 * 128), value: Double($0) / 1000)
        }))
        // The two checks around it: 17 steps ≤ 2% of 880 (17.6); the interpolation is exact on a line.
        #expect(crossing.before?.step == 871 && crossing.after.step == 888)
        #expect(abs(crossing.step - 880) < 1e-9 && abs(crossing.samples - 880 * 128) < 1e-6)
        #expect(crossing.after.step - crossing.before!.step <= 0.02 * crossing.step)
    }

    @Test func smoothedTrainingLossIsTheBiasCorrectedAverage() {
        // β = 0.5, losses 1 then 2: m = 0.5 → 0.5/(1 − 0.5) = 1; m = 0.25 + 1 = 1.25 →
        // 1.25/(1 − 0.25) = 5/3 = (0.5·1 + 1·2)/(0.5 + 1).
        var progress = TargetProgress()
        #expect(progress.smoothedLoss(smoothing: 0.5).isNaN)
        progress.addLoss(1, smoothing: 0.5)
        #expect(progress.smoothedLoss(smoothing: 0.5) == 1)
        progress.addLoss(2, smoothing: 0.5)
        #expect(abs(progress.smoothedLoss(smoothing: 0.5) - 5.0 / 3) < 1e-15)
        // β = 0: the latest loss itself.
        var plain = TargetProgress()
        plain.addLoss(3, smoothing: 0)
        plain.addLoss(0.25, smoothing: 0)
        #expect(plain.smoothedLoss(smoothing: 0) == 0.25)
    }

    @Test func checkProgressTravelsInTheCheckpointedState() throws {
        var state = TrainingState(evalEvery: 1, checkpointEvery: 1, noise: NoiseScaleEstimator(windowSamples: 1),
                                  earlyStopping: EarlyStopping(criterion: .none))
        var progress = TargetProgress()
        progress.nextCheck = 1_090
        progress.previous = TargetCrossing.Check(step: 1_069, samples: 136_832, epoch: 2.5, wallSeconds: 38, value: 0.8705)
        progress.addLoss(0.4, smoothing: 0.9)
        state.target = progress
        state.step = 1_089
        // The checkpoint header's JSON form (non-finite numbers as strings).
        let encoder = JSONEncoder(), decoder = JSONDecoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let decoded = try decoder.decode(TrainingState.self, from: encoder.encode(state))
        #expect(decoded.target == progress && decoded.step == 1_089)
        // A state written before targets were checked between steps reads as "no checks yet".
        var object = try #require(try JSONSerialization.jsonObject(with: encoder.encode(state)) as? [String: Any])
        object.removeValue(forKey: "target")
        let old = try decoder.decode(TrainingState.self, from: JSONSerialization.data(withJSONObject: object))
        #expect(old.target == nil && old.step == 1_089)
    }
}
