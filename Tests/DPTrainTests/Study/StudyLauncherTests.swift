import DPTrain
import Foundation
import Testing

/// `launch/study` checks, like `launch/train`, that every file the runs read exists on every
/// host before it starts a rank (the shared `dptrain_check_hosts` of `launch/mpi.sh`, fed by
/// `dptrain config-get --study`).
@Suite struct StudyLauncherTests {
    /// A study over an IDX base config whose two variants read `first` and `second`.
    static func writeStudy(in directory: URL, first: URL, second: URL) throws -> String {
        try """
            name: idx-study
            data: {dataset: idx, path: \(first.path)}
            model: {input: [784], layers: [{dense: 10}]}
            batch: {global: 64, micro: 32}
            train: {epochs: 1}
            """.write(to: directory.appendingPathComponent("base.yaml"), atomically: true, encoding: .utf8)
        let study = directory.appendingPathComponent("study.yaml")
        try """
            base: base.yaml
            output: \(directory.appendingPathComponent("out").path)
            variants:
              - {name: a, overrides: []}
              - {name: b, overrides: ["data.path=\(second.path)"]}
              - {name: c, overrides: ["optimizer.lr=0.1"]}
            """.write(to: study, atomically: true, encoding: .utf8)
        return study.path
    }

    @Test("config-get --study prints a key of every run's resolved config, each distinct value once, in run order")
    func configGetOverAStudy() throws {
        let directory = try CommandRunner.temporaryDirectory("study-config-get")
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = directory.appendingPathComponent("first")
        let second = directory.appendingPathComponent("second")
        let study = try Self.writeStudy(in: directory, first: first, second: second)
        let paths = try CommandRunner.dptrain(["config-get", "--study", study, "data.path"])
        #expect(paths.status == 0, "\(paths.combined)")
        #expect(paths.output == "\(first.path)\n\(second.path)\n")
        let datasets = try CommandRunner.dptrain(["config-get", "--study", study, "data.dataset"])
        #expect(datasets.output == "idx\n", "\(datasets.combined)")
        let missing = try CommandRunner.dptrain(["config-get", "--study", study, "model.init_from", "--missing-ok"])
        #expect(missing.status == 0 && missing.output == "\n", "\(missing.combined)")
        let overridden = try CommandRunner.dptrain(["config-get", "--study", study, "data.path", "seed=3"])
        #expect(overridden.status != 0 && overridden.error.contains("takes no overrides"), "\(overridden.combined)")
    }

    @Test("launch/study --host fails before training when a run's data path is missing on a host, naming host and path")
    func missingDataOfOneRun() throws {
        let directory = try CommandRunner.temporaryDirectory("study-hosts")
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = directory.appendingPathComponent("first")
        try FileManager.default.createDirectory(at: first, withIntermediateDirectories: true)
        let second = directory.appendingPathComponent("second-missing")
        let study = try Self.writeStudy(in: directory, first: first, second: second)
        let launcher = StudyKillAndRerunTests.repository.appendingPathComponent("launch/study").path
        let result = try CommandRunner.run("/bin/bash", [launcher, "--host", "localhost", study], timeout: 120,
                                           environment: ["DPTRAIN_BIN": CommandRunner.dptrainPath])
        #expect(!result.timedOut && result.status != 0, "\(result.combined)")
        #expect(result.error.contains("\(second.path) (data.path) does not exist on host localhost"), "\(result.combined)")
        #expect(!result.error.contains("\(first.path) (data.path) does not exist"), "\(result.combined)")
        // Before training: no rank started, so no run directory was written.
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("out").path))
    }

    @Test("launch/study takes --report-only before or after the study file, and still refuses an unknown option")
    func reportOnlyBeforeTheStudy() throws {
        let directory = try CommandRunner.temporaryDirectory("study-report-only")
        defer { try? FileManager.default.removeItem(at: directory) }
        let study = try Self.writeStudy(in: directory, first: directory, second: directory)
        let launcher = StudyKillAndRerunTests.repository.appendingPathComponent("launch/study").path
        let environment = ["DPTRAIN_BIN": CommandRunner.dptrainPath]
        let after = try CommandRunner.run("/bin/bash", [launcher, study, "--report-only"], timeout: 120, environment: environment)
        let before = try CommandRunner.run("/bin/bash", [launcher, "--report-only", study], timeout: 120, environment: environment)
        // No run has trained yet: dptrain study --report-only says so, whichever order it came in.
        #expect(after.status == 1 && after.error.contains("no run directory has a metrics.jsonl yet"), "\(after.combined)")
        #expect(before.status == after.status && before.error == after.error, "\(before.combined)")
        let unknown = try CommandRunner.run("/bin/bash", [launcher, "--report-onyl", study], timeout: 120, environment: environment)
        #expect(unknown.status == 2 && unknown.error.contains("unknown option --report-onyl"), "\(unknown.combined)")
    }
}
