import DPTrain
import Foundation
import Testing

/// A killed study resumes: finished runs (DONE) are skipped with their files untouched, the
/// rest are trained, and an unfinished run continues from its checkpoint.
@Suite struct StudyResumeTests {
    func modificationDate(_ path: String) throws -> Date {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date)
    }

    @Test func secondInvocationSkipsFinishedRuns() throws {
        let directory = try StudyTestSupport.temporaryDirectory("study-resume")
        try StudyTestSupport.write(StudyTestSupport.spiralsBase, to: directory, "base.yaml")
        try StudyTestSupport.write("""
            base: base.yaml
            output: \(directory.path)/out
            grid: {optimizer.lr: [0.05, 0.1]}
            seeds: [1, 2]
            target: {metric: test_accuracy, value: 0.99}
            budget: {epochs: 2}
            """, to: directory, "tiny.yaml")
        let study = try Study.load(file: directory.appendingPathComponent("tiny.yaml").path)
        #expect(study.runs.map(\.name) == ["lr0.05-s1", "lr0.05-s2", "lr0.1-s1", "lr0.1-s2"])

        // First invocation "killed" after two runs.
        let first = StudyRunner(study: study, communicator: LocalCommunicator())
        first.maxRuns = 2
        let firstOutcomes = try first.run()
        #expect(firstOutcomes.map(\.status) == [.trained, .trained, .notStarted, .notStarted])
        let finished = study.runs.prefix(2).map { "\($0.directory)/metrics.jsonl" }
        for path in finished { #expect(FileManager.default.fileExists(atPath: path)) }
        #expect(!FileManager.default.fileExists(atPath: "\(study.runs[2].directory)/metrics.jsonl"))
        let dates = try finished.map(modificationDate)
        let contents = try finished.map { try String(contentsOfFile: $0, encoding: .utf8) }
        Thread.sleep(forTimeInterval: 1.1)  // mtimes have ≥ 1 s resolution on some file systems

        // Second invocation: skips the two finished runs and trains the others.
        var lines: [String] = []
        let second = StudyRunner(study: study, communicator: LocalCommunicator())
        second.say = { lines.append($0) }
        let secondOutcomes = try second.run()
        #expect(secondOutcomes.map(\.status) == [.skipped, .skipped, .trained, .trained])
        #expect(lines.filter { $0.contains(": already done (") }.count == 2, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("[3/4] lr0.1-s1: training") && $0.contains("ETA") == false })
        #expect(lines.contains { $0.hasPrefix("[4/4] lr0.1-s2: training") && $0.contains("ETA") })
        #expect(try finished.map(modificationDate) == dates)
        #expect(try finished.map { try String(contentsOfFile: $0, encoding: .utf8) } == contents)
        for run in study.runs { #expect(RunDirectory.isDone(URL(fileURLWithPath: run.directory))) }

        // A run killed before DONE (its DONE removed) continues from its last checkpoint.
        try FileManager.default.removeItem(atPath: "\(study.runs[3].directory)/DONE")
        let third = StudyRunner(study: study, communicator: LocalCommunicator())
        let thirdOutcomes = try third.run()
        #expect(thirdOutcomes.map(\.status) == [.skipped, .skipped, .skipped, .resumed])

        // The report covers all four runs.
        let report = try StudyReport(study: study)
        #expect(report.runs.count == 4 && report.runs.allSatisfy(\.finished))
        #expect(report.missing.isEmpty)
    }
}
