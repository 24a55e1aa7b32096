import DPTrain
import Foundation
import Testing

/// The report takes each run's crossing from its `target` line (the study runner's checks
/// between steps) and interpolates between evaluations only for runs without one; a
/// `train_loss_ema` target, in no evaluation, has only target lines.
@Suite struct StudyReportTargetLineTests {
    /// Variants b128, b512, b2048 (one LR each), seeds 1 and 2, target `metric` at `value`
    /// (val_accuracy 0.8 or train_loss_ema 0.5). Seed s crosses at T = 100·s·(1 + 1000/B): its
    /// `target` line records T between checks at T − 4 and T + 4, where the run stopped; its
    /// evaluations (val 0.7 at T − 20, summary val 0.9 at T + 4) would place the crossing at
    /// T − 8 instead. B_simple is 111·s logged at T − 8 and 300·s at T + 1 (nearest T).
    /// b2048-s2 has no `target` line (an older run): its evaluations at T − 10 and T + 10 put
    /// a val_accuracy crossing at T; a train_loss_ema target it never reached.
    static func writeStudy(in directory: URL, metric: String = "val_accuracy", value: Double = 0.8) throws -> Study {
        try StudyTestSupport.write("""
            name: target-lines
            base: base.yaml
            output: \(directory.appendingPathComponent("out").path)
            variants:
              - {name: b128, overrides: ["batch.global=128"]}
              - {name: b512, overrides: ["batch.global=512"]}
              - {name: b2048, overrides: ["batch.global=2048"]}
            seeds: [1, 2]
            target: {metric: \(metric), value: \(value)}
            """, to: directory, "study.yaml")
        let out = directory.appendingPathComponent("out")
        let evaluated = metric != "train_loss_ema"
        for seed in [1, 2] {
            for batch in [128, 512, 2048] {
                let b = Double(batch), t = 100 * Double(seed) * (1 + 1000 / b)
                let older = batch == 2048 && seed == 2
                let (first, last) = older ? (t - 10, t + 10) : (t - 20, t + 4)
                func position(_ step: Double) -> String {
                    "\"step\":\(step),\"samples\":\(step * b),\"epoch\":\(step * b / 60_000),\"lr\":0.1,\"batch\":\(batch)"
                }
                var lines = [
                    "{\"kind\":\"eval\",\(position(first)),\"val_loss\":0.8,\"val_accuracy\":0.7,\"wall_seconds\":\(first / 100)}",
                    "{\"kind\":\"step\",\(position(t - 8)),\"train_loss\":0.6,\"noise_scale\":1.2,\"noise_scale_momentum\":\(2 * Double(seed)),\"b_simple\":\(111 * seed)}",
                    "{\"kind\":\"step\",\(position(t + 1)),\"train_loss\":0.4,\"noise_scale\":1.2,\"noise_scale_momentum\":\(3 * Double(seed)),\"b_simple\":\(300 * seed)}",
                ]
                if !older {
                    let (hit, miss) = evaluated ? (value + 0.01, value - 0.01) : (value - 0.01, value + 0.01)
                    lines.append("{\"kind\":\"target\",\(position(t + 4)),\"target\":\(value),\"check_value\":\(hit),"
                        + "\"previous_check_step\":\(t - 4),\"previous_check_samples\":\((t - 4) * b),\"previous_check_value\":\(miss),"
                        + "\"target_step\":\(t),\"target_samples\":\(t * b),\"target_epoch\":\(t * b / 60_000),"
                        + "\"target_wall_seconds\":\(t / 100),\"check_samples\":\(evaluated ? 2000 : 0),\"wall_seconds\":\((t + 4) / 100)}")
                }
                lines.append("{\"kind\":\"summary\",\(position(last)),\"val_loss\":0.6,\"val_accuracy\":0.9,\"test_loss\":0.6,"
                    + "\"test_accuracy\":\(0.86 + 0.01 * Double(seed)),\"wall_seconds\":\(last / 100)}")
                try StudyTestSupport.write(lines.joined(separator: "\n") + "\n", to: out, "b\(batch)-s\(seed)/metrics.jsonl")
            }
        }
        return try Study.load(file: directory.appendingPathComponent("study.yaml").path)
    }

    @Test func crossingsComeFromTargetLinesElseFromEvaluations() throws {
        let directory = try StudyTestSupport.temporaryDirectory("report-target-lines")
        let report = try StudyReport(study: try StudyReportTargetLineTests.writeStudy(in: directory))
        for outcome in report.outcomes {
            let name = outcome.metrics.run.name
            let seed = Double(outcome.seedIndex + 1), b = outcome.metrics.batch ?? .nan
            let t = 100 * seed * (1 + 1000 / b)
            let crossing = try #require(outcome.crossing, "\(name)")
            assertClose(crossing.step, t, relative: 1e-12)
            assertClose(crossing.samples, t * b, relative: 1e-12)
            assertClose(crossing.wallSeconds, t / 100, relative: 1e-12)
            if name == "b2048-s2" {
                // No target line: between the evaluation at T − 10 (0.7) and the summary at T + 10 (0.9).
                #expect(!outcome.crossingFromTargetLine)
                #expect(crossing.before?.step == t - 10 && crossing.after.step == t + 10)
            } else {
                // The target line's crossing T, not the evaluations' T − 8.
                #expect(outcome.crossingFromTargetLine, "\(name)")
                #expect(crossing.before?.step == t - 4 && crossing.after.step == t + 4, "\(name)")
                #expect(crossing.before?.value == 0.79 && crossing.after.value == 0.81, "\(name)")
            }
            // The step lines nearest T (at T + 1), not nearest T − 8.
            #expect(outcome.bSimpleAtTarget == 300 * seed, "\(name)")
            #expect(outcome.temperatureAtTarget == 3 * seed, "\(name)")
        }
        // Means over the two seeds follow 150(1 + 1000/B) exactly.
        let fit = try #require(report.targetFit)
        assertClose(fit.minimumSteps.value, 150, relative: 1e-9)
        assertClose(fit.noiseScale.value, 1000, relative: 1e-9)
        // summary.md's "between steps": the evaluations' steps for b2048-s2 only, marked so.
        let markdown = report.markdown(), t = 200 * (1 + 1000 / 2048.0)
        #expect(markdown.contains("| \(Format.grouped(t - 10)) – \(Format.grouped(t + 10)) (evaluations) |"), "\(markdown)")
        #expect(markdown.components(separatedBy: " (evaluations) |").count == 2, "\(markdown)")
        let json = try #require(JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
        let runs = try #require(json["runs"] as? [[String: Any]])
        #expect(runs.filter { ($0["target_from"] as? String) == "evaluations" }.map { $0["name"] as? String } == ["b2048-s2"])
        #expect(runs.filter { ($0["target_from"] as? String) == "target line" }.count == 5)
    }

    /// A `train_loss_ema` target (never in an evaluation): the target lines (check_samples 0)
    /// are the crossings; b2048-s2, without one, did not reach it; the same runs' lines under
    /// a val_accuracy target of the same value are not taken for it.
    @Test func trainLossEMATargetUsesTargetLinesOnly() throws {
        let directory = try StudyTestSupport.temporaryDirectory("report-target-ema")
        let study = try StudyReportTargetLineTests.writeStudy(in: directory, metric: "train_loss_ema", value: 0.5)
        let report = try StudyReport(study: study)
        for outcome in report.outcomes {
            let seed = Double(outcome.seedIndex + 1), b = outcome.metrics.batch ?? .nan
            if outcome.metrics.run.name == "b2048-s2" {
                #expect(outcome.crossing == nil && outcome.bSimpleAtTarget == nil)
            } else {
                assertClose(outcome.crossing?.step ?? .nan, 100 * seed * (1 + 1000 / b), relative: 1e-12)
                #expect(outcome.crossing?.after.value == 0.49 && outcome.crossing?.before?.value == 0.51)
                #expect(outcome.bSimpleAtTarget == 300 * seed)
            }
        }
        #expect(report.variantSummaries.map(\.reachedTarget) == [2, 2, 1])
        #expect(report.findings.contains { $0.contains("Did not reach train_loss_ema 0.5 within the budget: b2048-s2") })

        // An evaluated target of the same value: the lines' check_samples 0 says they are for
        // train_loss_ema, so the crossing comes from the evaluations (the first, val 0.7 at T − 20).
        let other = try StudyTestSupport.study("""
            base: base.yaml
            output: \(directory.appendingPathComponent("out").path)
            variants:
              - {name: b128, overrides: ["batch.global=128"]}
            seeds: [1]
            target: {metric: val_accuracy, value: 0.5}
            """, in: directory)
        let outcome = try #require(try StudyReport(study: other).outcomes.first)
        #expect(!outcome.crossingFromTargetLine)
        assertClose(outcome.crossing?.step ?? .nan, 100 * (1 + 1000 / 128.0) - 20, relative: 1e-12)
        #expect(outcome.crossing?.before == nil)
    }
}
