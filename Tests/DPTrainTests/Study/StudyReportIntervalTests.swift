import DPTrain
import Foundation
import Testing

/// A steps-to-target study with two seeds whose runs follow S = S_min(1 + B_noise/B) exactly:
/// the report's fit, intervals, selection on validation, diverged-run handling and noise scale
/// at the target, against hand-computed numbers.
@Suite struct StudyReportIntervalTests {
    /// Variants b128, b512, b2048 (one LR each) and b512-hot (B = 512 at a larger LR); seeds 1
    /// and 2; target val_accuracy 0.8. Seed 1 reaches it after S₁ = 100(1 + 1000/B) updates,
    /// seed 2 after S₂ = 200(1 + 1000/B): each run evaluates at S − 10 (val 0.7) and S + 10 (val
    /// 0.9), so the interpolated crossing is S. b512-hot seed 1 never reaches it; seed 2 diverges.
    /// `stop`: false writes the target as a milestone (`target.stop: false`).
    static func writeStudy(in directory: URL, stop: Bool = true) throws -> Study {
        try StudyTestSupport.write("""
            base: base.yaml
            output: \(directory.appendingPathComponent("out").path)
            variants:
              - {name: b128, overrides: ["batch.global=128"]}
              - {name: b512, overrides: ["batch.global=512"]}
              - {name: b2048, overrides: ["batch.global=2048"]}
              - {name: b512-hot, overrides: ["batch.global=512", "optimizer.lr=0.4"]}
            seeds: [1, 2]
            target: {metric: val_accuracy, value: 0.8\(stop ? "" : ", stop: false")}
            """, to: directory, "study.yaml")
        let out = directory.appendingPathComponent("out")
        for (seed, scale) in [(1, 100.0), (2, 200.0)] {
            for batch in [128, 512, 2048] {
                let b = Double(batch), s = scale * (1 + 1000 / b)
                // B_simple 300·seed logged 5 updates before the crossing (nearest) and 900 twenty after;
                // g = noise_scale_momentum 2.5 there (b2048 logs no momentum term: g = noise_scale + lr = 1.2 + 0.1).
                let momentum = batch == 2048 ? "" : ",\"noise_scale_momentum\":2.5"
                try StudyTestSupport.write("""
                    {"kind":"step","step":\(s - 5),"samples":\((s - 5) * b),"epoch":0.5,"lr":0.1,"batch":\(batch),"train_loss":0.9,"noise_scale":1.2\(momentum),"b_simple":\(300 * seed)}
                    {"kind":"eval","step":\(s - 10),"samples":\((s - 10) * b),"epoch":0.5,"lr":0.1,"batch":\(batch),"val_loss":0.8,"val_accuracy":0.7,"test_loss":0.8,"test_accuracy":0.69,"wall_seconds":\(seed)}
                    {"kind":"step","step":\(s + 20),"samples":\((s + 20) * b),"epoch":0.6,"lr":0.1,"batch":\(batch),"train_loss":0.8,"noise_scale":1.2\(momentum),"b_simple":900}
                    {"kind":"eval","step":\(s + 10),"samples":\((s + 10) * b),"epoch":0.6,"lr":0.1,"batch":\(batch),"val_loss":0.6,"val_accuracy":0.9,"test_loss":0.6,"test_accuracy":\(0.86 + 0.02 * Double(seed)),"wall_seconds":\(3 * seed)}
                    {"kind":"summary","step":\(s + 10),"samples":\((s + 10) * b),"epoch":0.6,"lr":0.1,"batch":\(batch),"val_loss":0.6,"val_accuracy":0.9,"test_loss":0.6,"test_accuracy":\(0.86 + 0.02 * Double(seed)),"wall_seconds":\(3 * seed)}

                    """, to: out, "b\(batch)-s\(seed)/metrics.jsonl")
            }
        }
        try StudyTestSupport.write("""
            {"kind":"step","step":50,"samples":25600,"epoch":0.5,"lr":0.4,"batch":512,"train_loss":1.5,"noise_scale":4,"b_simple":100}
            {"kind":"eval","step":100,"samples":51200,"epoch":1,"lr":0.4,"batch":512,"val_loss":1.1,"val_accuracy":0.6,"test_loss":1.1,"test_accuracy":0.6,"wall_seconds":4}
            {"kind":"summary","step":100,"samples":51200,"epoch":1,"lr":0.4,"batch":512,"val_loss":1.1,"val_accuracy":0.6,"test_loss":1.1,"test_accuracy":0.6,"wall_seconds":4}

            """, to: out, "b512-hot-s1/metrics.jsonl")
        try StudyTestSupport.write("""
            {"kind":"step","step":10,"samples":5120,"epoch":0.1,"lr":0.4,"batch":512,"train_loss":2.1,"noise_scale":4,"b_simple":100}
            {"kind":"step","step":20,"samples":10240,"epoch":0.2,"lr":0.4,"batch":512,"train_loss":null,"noise_scale":4,"b_simple":-3,"grad_norm":null,"skipped_steps":1}
            {"kind":"summary","step":24,"samples":12288,"epoch":0.24,"val_loss":null,"val_accuracy":0.95,"test_loss":null,"test_accuracy":0.1,"skipped_steps":5,"diverged":1,"wall_seconds":2}

            """, to: out, "b512-hot-s2/metrics.jsonl")
        return try Study.load(file: directory.appendingPathComponent("study.yaml").path)
    }

    @Test func fitIntervalsSelectionAndDivergenceFromExactRuns() throws {
        let directory = try StudyTestSupport.temporaryDirectory("report-intervals")
        let study = try StudyReportIntervalTests.writeStudy(in: directory)
        let report = try StudyReport(study: study)
        #expect(report.accuracyKey == "val_accuracy", "the runs log validation accuracy: selection uses it")

        // Means over the two seeds follow 150(1 + 1000/B): S_min = 150, B_noise = 1,000, E_min =
        // 150,000. A resample draws seeds (1,1), (2,2) or a mix: S_min 100, 200 or 150 (about 500,
        // 500 and 1,000 of 2,000), B_noise 1,000 in each; the 5th/95th percentiles are 100 and 200.
        let fit = try #require(report.targetFit)
        assertClose(fit.minimumSteps.value, 150, relative: 1e-9)
        assertClose(fit.minimumSteps.low ?? .nan, 100, relative: 1e-9)
        assertClose(fit.minimumSteps.high ?? .nan, 200, relative: 1e-9)
        assertClose(fit.noiseScale.value, 1000, relative: 1e-9)
        assertClose(fit.noiseScale.low ?? .nan, 1000, relative: 1e-9)
        assertClose(fit.noiseScale.high ?? .nan, 1000, relative: 1e-9)
        assertClose(fit.minimumSamples.value, 150_000, relative: 1e-9)
        assertClose(fit.minimumSamples.low ?? .nan, 100_000, relative: 1e-9)
        assertClose(fit.minimumSamples.high ?? .nan, 200_000, relative: 1e-9)
        #expect(fit.minimumSteps.resamples == 2000)

        // Per batch size the fastest variant; b512-hot (never reached, then diverged) is not one.
        let points = report.targetPoints
        #expect(points.map(\.batch) == [128, 512, 2048])
        #expect(points.map(\.variant) == ["b128", "b512", "b2048"])
        for point in points {
            let s1 = 100 * (1 + 1000 / point.batch), s2 = 2 * s1
            assertClose(point.steps.value, 1.5 * s1, relative: 1e-9)
            assertClose(point.steps.low ?? .nan, s1, relative: 1e-9)
            assertClose(point.steps.high ?? .nan, s2, relative: 1e-9)
            assertClose(point.samples.value, 1.5 * s1 * point.batch, relative: 1e-9)
            // On the trade-off curve: (S/S_min − 1)(E/E_min − 1) = (B_noise/B)(B/B_noise) = 1.
            let product = (point.steps.value / fit.minimumSteps.value - 1) * (point.samples.value / fit.minimumSamples.value - 1)
            assertClose(product, 1, relative: 1e-9)
            // B_simple nearest the crossing: 300 (seed 1) and 600 (seed 2) → 450 [300, 600].
            #expect(point.bSimple?.value == 450 && point.bSimple?.low == 300 && point.bSimple?.high == 600)
            // g: the logged momentum-corrected 2.5, or without momentum noise_scale + lr = 1.3.
            assertClose(point.temperature?.value ?? .nan, point.batch == 2048 ? 1.3 : 2.5, relative: 1e-12)
        }

        // Diverged: b512-hot-s2 is listed with its step and reason and left out of the statistics.
        let diverged = report.divergedRuns
        #expect(diverged.map(\.run) == ["b512-hot-s2"])
        #expect(diverged.first?.step == 24)
        #expect(diverged.first?.reason.contains("non-finite gradients") == true)
        #expect(diverged.first?.reason.contains("first non-finite training loss logged at step 20") == true)
        let summaries = report.variantSummaries
        let hot = summaries[3]
        #expect(hot.finished == 2 && hot.diverged == 1 && hot.valid == 1 && hot.reachedTarget == 0)
        // Its one valid run: validation 0.6 (the diverged run's 0.95 does not count), no interval.
        #expect(hot.finalAccuracy?.value == 0.6 && hot.finalAccuracy?.low == nil && hot.finalAccuracy?.seeds == 1)
        #expect(report.findings.contains { $0.contains("b512-hot-s2 (at step 24:") })

        // Test accuracy only for the selected variants: b128 → mean of 0.88 and 0.90 = 0.89 [0.88, 0.90].
        #expect(hot.finalTestAccuracy == nil)
        let b128 = summaries[0]
        assertClose(b128.finalTestAccuracy?.value ?? .nan, 0.89, relative: 1e-12)
        assertClose(b128.finalTestAccuracy?.low ?? .nan, 0.88, relative: 1e-12)
        assertClose(b128.finalTestAccuracy?.high ?? .nan, 0.90, relative: 1e-12)
        #expect(b128.finalAccuracy?.value == 0.9 && b128.finalAccuracy?.low == 0.9 && b128.finalAccuracy?.high == 0.9)

        let html = report.html()
        #expect(html.contains("<figure id=\"tradeoff\">"))
        #expect(html.contains("Test accuracy of the selected variants"))
        #expect(html.contains("Diverged runs (left out of the statistics)"))
        #expect(html.contains("90% percentile-bootstrap intervals"))
        #expect(html.components(separatedBy: "<svg").count - 1 == report.plots.count)
    }

    /// Acceptance: every number of report.json is recomputed from the runs' metrics.jsonl by the
    /// script in the README ("Recomputing a report"), run with python3 — on the two-seed target
    /// study above, on a three-seed B × LR grid with a diverged, an unfinished and a missing
    /// run and a claim, on the first study with a target that does not stop the runs, and on runs with `target` lines (val_accuracy and train_loss_ema targets,
    /// ``StudyReportTargetLineTests``). A number changed in report.json is caught.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"), "python3 is not installed"))
    func readmeScriptRecomputesEveryNumber() throws {
        let directory = try StudyTestSupport.temporaryDirectory("report-recompute")
        let script = directory.appendingPathComponent("recompute_report.py")
        try StudyReportIntervalTests.readmeScript().write(to: script, atomically: true, encoding: .utf8)
        // The target-line studies: crossings the evaluations would put elsewhere, so a script or
        // report that ignored the `target` lines (or took them for another target) disagrees.
        let studies = [try StudyReportIntervalTests.writeStudy(in: directory.appendingPathComponent("target")),
                       try StudyReportIntervalTests.writeStudy(in: directory.appendingPathComponent("milestone"), stop: false),
                       try StudyReportIntervalTests.writeGridStudy(in: directory.appendingPathComponent("grid")),
                       try StudyReportTargetLineTests.writeStudy(in: directory.appendingPathComponent("lines")),
                       try StudyReportTargetLineTests.writeStudy(in: directory.appendingPathComponent("ema"),
                                                                 metric: "train_loss_ema", value: 0.5)]
        for study in studies {
            let files = try StudyReport(study: study).write()
            let json = try #require(files.first { $0.lastPathComponent == "report.json" })
            let result = try CommandRunner.run("/usr/bin/python3", [script.path, json.path], timeout: 120)
            #expect(result.status == 0, "\(study.name): \(result.combined)")
            let count = result.combined.split(separator: " ").firstIndex(of: "all").map {
                Int(result.combined.split(separator: " ")[$0 + 1]) ?? 0 } ?? 0
            #expect(count > 150, "\(study.name): \(result.combined)")

            // Change one number: the script names it and fails.
            var object = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any])
            var variants = try #require(object["variants"] as? [[String: Any]])
            var accuracy = try #require(variants[1]["final_accuracy"] as? [String: Any])
            accuracy["value"] = ((accuracy["value"] as? Double) ?? 0) + 0.001
            variants[1]["final_accuracy"] = accuracy
            object["variants"] = variants
            try JSONSerialization.data(withJSONObject: object).write(to: json)
            let tampered = try CommandRunner.run("/usr/bin/python3", [script.path, json.path], timeout: 120)
            #expect(tampered.status == 1 && tampered.combined.contains("variants[1].final_accuracy.value"), "\(tampered.combined)")
        }
    }

    /// The Python block of the README's "Recomputing a report" section.
    static func readmeScript() throws -> String {
        let readme = try String(contentsOf: ReportScreenshotTests.repository.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(readme.range(of: "### Recomputing a report"))
        let start = try #require(readme.range(of: "```python\n", range: section.upperBound..<readme.endIndex))
        let end = try #require(readme.range(of: "\n```", range: start.upperBound..<readme.endIndex))
        return String(readme[start.upperBound..<end.lowerBound]) + "\n"
    }

    /// A B × LR grid (lr 0.05, 0.1 × B 128, 512, 2048), seeds 1–3, target val_accuracy 0.8, a
    /// claim; the runs' numbers drawn from a fixed stream. lr0.1-B2048-s3 diverges,
    /// lr0.05-B128-s3 is unfinished and lr0.05-B2048-s2 never started.
    static func writeGridStudy(in directory: URL) throws -> Study {
        try StudyTestSupport.write("""
            name: grid
            base: base.yaml
            output: \(directory.appendingPathComponent("out").path)
            grid: {optimizer.lr: [0.05, 0.1], batch.global: [128, 512, 2048]}
            seeds: [1, 2, 3]
            target: {metric: val_accuracy, value: 0.8}
            claims:
              - {variant: lr0.1-B512, reference: lr0.05-B512, tolerance: 0.005}
            """, to: directory, "study.yaml")
        let study = try Study.load(file: directory.appendingPathComponent("study.yaml").path)
        var random = SplitMix64(seed: 42)
        for run in study.runs where run.name != "lr0.05-B2048-s2" {
            let lr = Double(run.variant.coordinates["optimizer.lr"]!)!
            let batch = Double(run.variant.coordinates["batch.global"]!)!
            // Updates to 0.8: 150(1 + 1000/B), faster at the larger LR from B = 512, ±20% per run.
            let steps = 150 * (1 + 1000 / batch) * (lr == 0.1 ? (batch >= 512 ? 0.7 : 1.3) : 1) * (0.8 + 0.4 * random.nextDouble())
            let every = max(1, (steps / 6).rounded())
            var lines: [String] = []
            var step = 0.0, value = 0.5
            while value < 0.8 {
                step += every
                value = 0.5 + 0.3 * step / steps + 0.01 * random.nextDouble()
                let noise = lr * (60_000 / batch - 1)
                lines.append("{\"kind\":\"step\",\"step\":\(step - every / 2),\"samples\":\((step - every / 2) * batch),\"epoch\":\(step * batch / 60_000),"
                    + "\"lr\":\(lr),\"batch\":\(batch),\"train_loss\":\(1 - value),\"noise_scale\":\(noise),"
                    + "\"noise_scale_momentum\":\(lr * 60_000 / (batch * 0.1)),\"b_simple\":\(500 + 1000 * random.nextDouble())}")
                lines.append("{\"kind\":\"eval\",\"step\":\(step),\"samples\":\(step * batch),\"epoch\":\(step * batch / 60_000),"
                    + "\"lr\":\(lr),\"batch\":\(batch),\"val_loss\":\(1 - value),\"val_accuracy\":\(value),"
                    + "\"test_loss\":\(1.02 - value),\"test_accuracy\":\(value - 0.02),\"wall_seconds\":\(step / 10)}")
            }
            if run.name == "lr0.1-B2048-s3" {
                lines.append("{\"kind\":\"step\",\"step\":\(step + 1),\"lr\":\(lr),\"batch\":\(batch),\"train_loss\":null,\"grad_norm\":null}")
                lines.append("{\"kind\":\"summary\",\"step\":\(step + 2),\"samples\":\((step + 2) * batch),\"val_loss\":null,"
                    + "\"val_accuracy\":0.1,\"test_loss\":null,\"test_accuracy\":0.1,\"skipped_steps\":5,\"diverged\":1,\"wall_seconds\":9}")
            } else if run.name != "lr0.05-B128-s3" {
                lines.append("{\"kind\":\"summary\",\"step\":\(step),\"samples\":\(step * batch),\"epoch\":\(step * batch / 60_000),"
                    + "\"lr\":\(lr),\"batch\":\(batch),\"val_loss\":\(1 - value),\"val_accuracy\":\(value),"
                    + "\"test_loss\":\(1.02 - value),\"test_accuracy\":\(value - 0.02),\"wall_seconds\":\(step / 10)}")
            }
            try StudyTestSupport.write(lines.joined(separator: "\n") + "\n", to: URL(fileURLWithPath: run.directory), "metrics.jsonl")
        }
        return study
    }
}
