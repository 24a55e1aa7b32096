import Foundation

/// Runs the built `dptrain` binary (alone or under `mpirun`) from tests, with a timeout that
/// turns a hang into a failure.
enum CommandRunner {
    struct Result {
        var status: Int32
        var output: String
        var error: String
        var timedOut: Bool
        var combined: String { output + error }
    }

    /// The `dptrain` executable next to the test bundle (same build configuration).
    static var dptrainPath: String {
        let here = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = here.deletingLastPathComponent()
        // swift test runs .build/<config>/dptrainPackageTests.xctest (a file on Linux).
        for _ in 0..<3 {
            let candidate = directory.appendingPathComponent("dptrain").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            .appendingPathComponent(".build/release/dptrain").path
    }

    /// Environment for ranks: root flags, one BLAS thread.
    static var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        environment["OPENBLAS_NUM_THREADS"] = "1"
        // Keep Open MPI from probing network interfaces it cannot use in sandboxes.
        environment["OMPI_MCA_btl"] = environment["OMPI_MCA_btl"] ?? "self,vader"
        return environment
    }

    /// Runs `executable arguments` with a timeout in seconds.
    static func run(_ executable: String, _ arguments: [String], timeout: Double = 120,
                    environment extra: [String: String] = [:], directory: URL? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var environment = self.environment
        for (key, value) in extra { environment[key] = value }
        process.environment = environment
        if let directory { process.currentDirectoryURL = directory }
        let outputFile = FileManager.default.temporaryDirectory.appendingPathComponent("dpt-out-\(UUID().uuidString)")
        let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("dpt-err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outputFile)
            try? FileManager.default.removeItem(at: errorFile)
        }
        process.standardOutput = try FileHandle(forWritingTo: outputFile)
        process.standardError = try FileHandle(forWritingTo: errorFile)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while process.isRunning {
            if Date() > deadline {
                timedOut = true
                process.terminate()
                Thread.sleep(forTimeInterval: 1)
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                break
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        process.waitUntilExit()
        let output = (try? String(contentsOf: outputFile, encoding: .utf8)) ?? ""
        let error = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
        return Result(status: process.terminationStatus, output: output, error: error, timedOut: timedOut)
    }

    /// Runs `dptrain arguments` on `ranks` MPI ranks (`--oversubscribe` when ranks > cores).
    static func mpirun(ranks: Int, _ arguments: [String], timeout: Double = 120,
                       environment: [String: String] = [:], directory: URL? = nil) throws -> Result {
        var mpiArguments = ["-n", String(ranks)]
        if ranks > ProcessInfo.processInfo.activeProcessorCount { mpiArguments.append("--oversubscribe") }
        return try run("/usr/bin/mpirun", mpiArguments + [dptrainPath] + arguments, timeout: timeout,
                       environment: environment, directory: directory)
    }

    /// Starts `mpirun -n 2 dptrain train CONFIG output=OUTPUT --quiet` in the background with
    /// `DPTRAIN_FAULT` = `fault` (output discarded), for a test that kills it mid-run.
    static func startTraining(_ config: String, output: URL, fault: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/mpirun")
        process.arguments = ["-n", "2", dptrainPath, "train", config, "output=\(output.path)", "--quiet"]
        var environment = self.environment
        environment["DPTRAIN_FAULT"] = fault
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Runs `dptrain arguments` as one process (no MPI).
    static func dptrain(_ arguments: [String], timeout: Double = 120,
                        environment: [String: String] = [:], directory: URL? = nil) throws -> Result {
        try run(dptrainPath, arguments, timeout: timeout, environment: environment, directory: directory)
    }

    /// A fresh temporary directory.
    static func temporaryDirectory(_ name: String = "dptrain-test") throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A new temporary directory named after `name` holding `text` as `name.yaml`: the
    /// directory (the caller removes it) and the config file's path.
    static func configFile(_ text: String, name: String) throws -> (directory: URL, config: String) {
        let directory = try temporaryDirectory(name)
        let file = directory.appendingPathComponent("\(name).yaml")
        try text.write(to: file, atomically: true, encoding: .utf8)
        return (directory, file.path)
    }

    /// Waits (polling every 5 ms, at most `timeout` seconds) until `ready()` holds or the job
    /// `process` ends, then SIGKILLs the last of its rank processes (found by the run's
    /// `output=…` argument) and waits for the job to exit. Returns the rank PIDs it found, for
    /// the caller's checks (two on a 2-rank job).
    static func killOneRank(of process: Process, output: URL, timeout: Double, when ready: () -> Bool) -> [Int32] {
        let deadline = Date().addingTimeInterval(timeout)
        while !ready(), process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.005) }
        let ranks = rankProcesses(containing: "output=\(output.path)")
        if let victim = ranks.last { kill(victim, SIGKILL) }
        process.waitUntilExit()
        return ranks
    }

    /// PIDs of the `dptrain train` (or `subcommand`) rank processes (not mpirun) whose command
    /// line contains `marker` (for example the run's `output=…` argument).
    static func rankProcesses(containing marker: String, subcommand: String = "train") -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            let command = String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
            return command.contains(marker) && !command.contains("mpirun") && command.contains(" \(subcommand) ")
        }
    }
}
