import DPTrain
import Foundation
import Testing

/// A target that does not stop the runs (`target.stop: false`): the report gives the cost to
/// the target beside the result at the end, selects nothing by the target, and plots B against
/// the measured B_simple for variants whose batch changes.
@Suite struct StudyReportMilestoneTests {
    /// The two-seed study of ``StudyReportIntervalTests`` with its target as a milestone. Per
    /// run of b128: evaluations at S − 10 (val 0.7, `seed` s) and S + 10 (val 0.9, 3·seed s),
    /// the summary at S + 10, with S = 100·seed·(1 + 1000/128) = 881.25·seed.
    @Test func costToTheTargetBesideTheEndWithIntervals() throws {
        let directory = try StudyTestSupport.temporaryDirectory("report-milestone")
        let study = try StudyReportIntervalTests.writeStudy(in: directory, stop: false)
        #expect(study.target?.stop == false)
        let report = try StudyReport(study: study)

        // Nothing is selected by the target: every variant gets its test accuracy, no S_min fit.
        #expect(report.selectedVariants == [0, 1, 2, 3])
        #expect(report.targetFit == nil && report.targetPoints.isEmpty)
        let summaries = report.variantSummaries
        let hot = summaries[3]
        #expect(hot.finalTestAccuracy?.value == 0.6 && hot.finalTestAccuracy?.seeds == 1 && hot.reachedTarget == 0)

        // b128. Two seeds: each mean resamples to its seed-1 value, the mean or its seed-2 value,
        // so the 90% interval is [seed 1, seed 2].
        let b128 = summaries[0]
        func check(_ estimate: Estimate?, _ first: Double, _ second: Double) {
            assertClose(estimate?.value ?? .nan, (first + second) / 2, relative: 1e-12)
            assertClose(estimate?.low ?? .nan, first, relative: 1e-12)
            assertClose(estimate?.high ?? .nan, second, relative: 1e-12)
        }
        // At the target: halfway between the evaluations, so S updates, 128·S samples, 2·seed s,
        // and val_accuracy 0.9 at the evaluation that reached it.
        check(b128.stepsToTarget, 881.25, 1762.5)
        check(b128.samplesToTarget, 881.25 * 128, 1762.5 * 128)
        check(b128.secondsToTarget, 2, 4)
        #expect(b128.valueAtTarget?.value == 0.9 && b128.valueAtTarget?.low == 0.9 && b128.valueAtTarget?.high == 0.9)
        // At the end: S + 10 updates, 128(S + 10) samples, 3·seed s; test accuracy 0.86 + 0.02·seed.
        check(b128.updates, 891.25, 1772.5)
        check(b128.samples, 891.25 * 128, 1772.5 * 128)
        check(b128.wallSeconds, 3, 6)
        check(b128.finalTestAccuracy, 0.88, 0.90)

        // The table of both, and no steps-to-target plots (there is one B per point only by chance).
        let markdown = report.markdown()
        #expect(markdown.contains("## At the target and at the end"))
        #expect(markdown.contains("| b128 | 2/2 | 90.00 [90.00, 90.00] | 1,322 [881, "), "\(markdown)")
        #expect(!report.plots.contains { $0.id == "steps-to-target" || $0.id == "tradeoff" })
        let json = try #require(JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
        let target = try #require((json["study"] as? [String: Any])?["target"] as? [String: Any])
        #expect(target["stop"] as? Bool == false)
    }

    /// The plot of B against B_simple: one solid and one dashed series per variant whose logged
    /// batch changes, from its first seed; a variant with a fixed batch is not drawn.
    @Test func batchAgainstMeasuredNoiseScaleForVariantsWhoseBatchChanges() throws {
        let directory = try StudyTestSupport.temporaryDirectory("report-bsimple")
        try StudyTestSupport.write("""
            base: base.yaml
            output: \(directory.appendingPathComponent("out").path)
            variants:
              - {name: fixed, overrides: []}
              - {name: grow, overrides: []}
            seeds: [1, 2]
            """, to: directory, "study.yaml")
        let out = directory.appendingPathComponent("out")
        for seed in [1, 2] {
            for (name, second) in [("fixed", 128), ("grow", 512)] {
                try StudyTestSupport.write("""
                    {"kind":"step","step":10,"samples":1280,"epoch":0.5,"lr":0.1,"batch":128,"train_loss":0.9,"b_simple":\(300 * seed)}
                    {"kind":"step","step":20,"samples":\(1280 + 10 * second),"epoch":1.5,"lr":0.1,"batch":\(second),"train_loss":0.5,"b_simple":\(700 * seed)}
                    {"kind":"summary","step":20,"samples":\(1280 + 10 * second),"epoch":2,"test_loss":0.5,"test_accuracy":0.8,"wall_seconds":3}

                    """, to: out, "\(name)-s\(seed)/metrics.jsonl")
            }
        }
        let report = try StudyReport(study: try Study.load(file: directory.appendingPathComponent("study.yaml").path))
        let plot = try #require(report.batchAgainstNoiseScalePlot())
        #expect(plot.series.map(\.name) == ["grow", "grow B_simple"] && plot.series.map(\.inLegend) == [true, false])
        #expect(plot.series[0].points.map(\.x) == [0.5, 1.5] && plot.series[0].points.map(\.y) == [128, 512])
        // Seed 1's B_simple, dashed, in B's colour.
        #expect(plot.series[1].points.map(\.y) == [300, 700] && plot.series[1].dashed && plot.series[1].color == plot.series[0].color)
        #expect(plot.yLog && plot.title.contains("(seed 1)"))
        #expect(report.plots.contains { $0.id == "batch-bsimple" })
    }
}
