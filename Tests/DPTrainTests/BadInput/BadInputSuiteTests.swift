import Foundation
import Testing
import DPTrain

/// Every row of ``BadInputCases`` run as a real process: a non-zero exit, no hang, one error
/// line naming the file or key, the position and the fix, and the finished and partial run
/// directories byte-identical before and after (every file hashed).
@Suite("Bad inputs give one clear message and leave runs intact")
struct BadInputSuiteTests {
    /// Generous: a bad input is refused before any training; this only turns a hang into a failure.
    static let timeout = 30.0

    static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    @Test("the table holds at least 60 cases, each with a distinct name")
    func tableSize() {
        #expect(BadInputCases.all.count >= 60, "\(BadInputCases.all.count) cases")
        #expect(Set(BadInputCases.all.map(\.name)).count == BadInputCases.all.count)
    }

    @Test("non-zero exit, one message naming the cause and the fix, runs untouched", arguments: BadInputCases.all)
    func badInput(_ c: BadInputCase) throws {
        try Self.check(c)
    }

    /// The output-directory cases expect the run-lifecycle behaviour: an empty or unusable
    /// `output` is refused before anything is written.
    @Test("an unusable output directory is refused before anything is written", arguments: BadInputCases.outputDirectory)
    func badOutput(_ c: BadInputCase) throws {
        let scratch = try CommandRunner.temporaryDirectory("bad-output")
        defer { try? FileManager.default.removeItem(at: scratch) }
        try Self.check(c, workingDirectory: scratch)
        let left = try FileManager.default.contentsOfDirectory(atPath: scratch.path)
        #expect(left.isEmpty, "\(c.name): wrote \(left) into the working directory")
    }

    static func check(_ c: BadInputCase, workingDirectory: URL? = nil) throws {
        let fixture = BadInputFixture.shared
        if let problem = fixture.problem { Issue.record("fixture: \(problem)"); return }
        let fresh = try CommandRunner.temporaryDirectory("bad-input-new")
        defer { try? FileManager.default.removeItem(at: fresh) }
        func fill(_ text: String) -> String {
            text.replacingOccurrences(of: "{D}", with: fixture.directory.path)
                .replacingOccurrences(of: "{RUN}", with: fixture.path("finished"))
                .replacingOccurrences(of: "{PARTIAL}", with: fixture.path("partial"))
                .replacingOccurrences(of: "{NEW}", with: fresh.appendingPathComponent("new").path)
        }
        let runs = [fixture.path("finished"), fixture.path("partial")]
        let before = runs.map(BadInputFixture.hashes)
        #expect(before.allSatisfy { !$0.isEmpty })

        let arguments = c.arguments.map(fill)
        let result: CommandRunner.Result
        switch c.program {
        case .dptrain:
            result = try CommandRunner.dptrain(arguments, timeout: timeout, directory: workingDirectory)
        case .launcher(let script):
            result = try CommandRunner.run("/bin/bash", [repository.appendingPathComponent("launch/\(script)").path] + arguments,
                                           timeout: timeout, directory: workingDirectory)
        }
        #expect(!result.timedOut, "\(c.name): no answer within \(timeout) s")
        #expect(result.status != 0, "\(c.name): exit 0: \(result.combined)")
        // One message: dptrain prints one `error…` line; a launcher one line in all.
        let lines = result.error.split(separator: "\n").map(String.init)
        let messages: [String]
        switch c.program {
        case .dptrain: messages = lines.filter { $0.lowercased().hasPrefix("error") }
        case .launcher: messages = lines.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        }
        #expect(messages.count == 1, "\(c.name): \(result.error)")
        let message = messages.first ?? ""
        for fragment in c.expected.map(fill) {
            #expect(message.contains(fragment), "\(c.name): '\(fragment)' not in: \(message)")
        }
        for (run, hashes) in zip(runs, before) {
            #expect(BadInputFixture.hashes(of: run) == hashes, "\(c.name): \(run) changed")
        }
    }
}
