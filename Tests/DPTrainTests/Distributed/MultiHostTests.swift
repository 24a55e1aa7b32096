import Foundation
import Testing
import DPTrain

/// Training across two "hosts" that are network namespaces on this machine (issue 10).
///
/// ``TwoHosts`` builds, for the duration of one test:
/// - namespaces `dptmh-a` and `dptmh-b`, each with loopback and an `eth1` at 10.231.0.1/24 and
///   10.231.0.2/24 (a private test subnet), joined by veth pairs to a bridge `dptmh-br` that holds
///   10.231.0.254/24 in this namespace, where `mpirun` runs. No physical interface is on the
///   bridge: all traffic stays inside the namespaces the test created.
/// - an rsh agent script that Open MPI calls as `AGENT HOST COMMAND...` (like ssh); it runs
///   `ip netns exec <namespace of HOST> sh -c 'COMMAND'` with an emptied environment (`env -i`,
///   as a fresh ssh login would have), so anything a rank needs must be forwarded by the launcher.
///   Host B also gets its own mount namespace with an empty tmpfs over `onlyOnA`: files there
///   exist on host A but not on host B.
/// Hosts are named by their addresses (no /etc/hosts entries). `launch/train` is driven with
/// `--mpi-arg` options for the agent and the TCP transport restricted to the test subnet.
///
/// Everything is removed when the test ends (also on failure), and stale leftovers of a killed
/// test run are removed before setting up. A lock file serialises test processes that would
/// use the same names and subnet.
@Suite("Across hosts (network namespaces)", .serialized,
       .enabled(if: TwoHosts.unavailableReason == nil,
                "needs root and working `ip netns` (network namespaces); skipped on this machine"))
struct MultiHostTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let smoke = repository.appendingPathComponent("configs/smoke.yaml").path
    /// Logged every step and checkpointed every quarter epoch (8 steps), so a kill lands between
    /// checkpoints; the watchdog is short so a stuck job would end quickly.
    static let overrides = ["train.log_every=1", "train.checkpoint.every=0.25", "train.stall_timeout=10"]
    static let stallTimeout = 10.0

    @Test("(a) 2 ranks on 2 hosts over TCP give the same final.safetensors bytes as shared memory on one host")
    func tcpMatchesSharedMemory() throws {
        let hosts = try TwoHosts()
        defer { hosts.tearDown() }
        let local = hosts.directory.appendingPathComponent("local")
        let reference = try CommandRunner.mpirun(ranks: 2, ["train", Self.smoke, "output=\(local.path)"] + Self.overrides,
                                                 timeout: 180, environment: ["OMPI_MCA_btl": "self,vader"])
        #expect(reference.status == 0, "\(reference.combined)")
        #expect(reference.output.contains("exchange: shared memory\n"), "\(reference.output)")
        let remote = hosts.directory.appendingPathComponent("hosts")
        let result = try hosts.launchTrain(["--host", hosts.hostList, Self.smoke, "output=\(remote.path)"] + Self.overrides)
        #expect(result.status == 0 && !result.timedOut, "\(result.combined)")
        #expect(result.output.contains("done: 640 steps"), "\(result.combined)")
        // One rank per host: no node-shared window, the exchange falls back to messages.
        #expect(result.output.contains("exchange: MPI messages (the 2 ranks are not all on one node)\n"), "\(result.output)")
        // Byte-identical, measured: with W = 2 every reduced element is a + b, and IEEE addition is
        // commutative, so neither the transport (tcp vs vader vs the node-shared window) nor Open MPI's choice of all-reduce
        // algorithm (made by coll/tuned from message size and W, not from the transport) can change
        // a bit. Both hosts run the same CPU, so both pick the same OpenBLAS kernels.
        let expected = try Data(contentsOf: local.appendingPathComponent("final.safetensors"))
        let actual = try Data(contentsOf: remote.appendingPathComponent("final.safetensors"))
        #expect(actual == expected, "final.safetensors differs between 2 hosts over TCP and 1 host over shared memory")
    }

    @Test("(b) SIGKILL of the rank on host B ends the whole job within the watchdog timeout; --resume finishes it")
    func remoteRankKilledThenResumed() throws {
        let hosts = try TwoHosts()
        defer { hosts.tearDown() }
        let local = hosts.directory.appendingPathComponent("local")
        let reference = try CommandRunner.mpirun(ranks: 2, ["train", Self.smoke, "output=\(local.path)", "--quiet"] + Self.overrides,
                                                 timeout: 180, environment: ["OMPI_MCA_btl": "self,vader"])
        #expect(reference.status == 0, "\(reference.combined)")

        let output = hosts.directory.appendingPathComponent("killed")
        let arguments = ["--host", hosts.hostList, Self.smoke, "output=\(output.path)", "--quiet"] + Self.overrides
        // 5 ms per step (640 steps): slow enough to kill mid-run. The launcher forwards DPTRAIN_FAULT.
        let job = try hosts.startLaunchTrain(arguments, environment: ["DPTRAIN_FAULT": "slow-steps@5"])
        defer { job.stop() }
        let killStep = 150
        let deadline = Date().addingTimeInterval(120)
        while ResumeTests.loggedSteps(output) < killStep, job.process.isRunning, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.02)
        }
        let victims = hosts.trainingProcesses(in: "dptmh-b", marker: "output=\(output.path)")
        #expect(victims.count == 1, "rank processes in namespace dptmh-b: \(victims)")
        try #require(!victims.isEmpty)
        let killed = Date()
        for pid in victims { kill(pid, SIGKILL) }
        let ended = job.wait(timeout: Self.stallTimeout + 20)
        let seconds = Date().timeIntervalSince(killed)
        #expect(ended, "the job was still running \(Self.stallTimeout + 20) s after the kill")
        #expect(seconds <= Self.stallTimeout + 5, "the job took \(seconds) s to end after the kill")
        #expect(job.process.terminationStatus != 0)
        let message = job.output()
        #expect(message.contains("rank 1") && message.contains("10.231.0.2") && message.contains("signal 9"),
                "no clear message naming the killed rank and host:\n\(message)")
        #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent("DONE").path))
        #expect(hosts.trainingProcesses(in: "dptmh-a", marker: "output=\(output.path)").isEmpty,
                "the rank on host A outlived the job")

        // The same command again: launch/train resumes from the newest checkpoint by default.
        let resumed = try hosts.launchTrain(arguments)
        #expect(resumed.status == 0 && !resumed.timedOut, "\(resumed.combined)")
        #expect(resumed.output.contains("resuming from"), "\(resumed.output)")
        let expected = try Data(contentsOf: local.appendingPathComponent("final.safetensors"))
        let actual = try Data(contentsOf: output.appendingPathComponent("final.safetensors"))
        #expect(actual == expected, "the resumed run's weights differ from an uninterrupted run")
    }

    @Test("(c) a hostfile naming a host without the data path fails before training, naming host and path")
    func missingDataOnOneHost() throws {
        let hosts = try TwoHosts()
        defer { hosts.tearDown() }
        let data = hosts.onlyOnA.appendingPathComponent("fashion-mnist")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        let config = hosts.directory.appendingPathComponent("idx.yaml")
        try """
            name: idx-on-hosts
            data: {dataset: idx, path: \(data.path)}
            model: {input: [784], layers: [{dense: 10}]}
            batch: {global: 64, micro: 32}
            train: {epochs: 1}
            """.write(to: config, atomically: true, encoding: .utf8)
        let hostfile = hosts.directory.appendingPathComponent("hostfile")
        try "# two namespaces on this machine\n10.231.0.1 slots=1\n10.231.0.2 slots=1\n"
            .write(to: hostfile, atomically: true, encoding: .utf8)
        let output = hosts.directory.appendingPathComponent("run")
        let result = try hosts.launchTrain(["--hostfile", hostfile.path, config.path, "output=\(output.path)"])
        #expect(!result.timedOut && result.status != 0)
        #expect(result.error.contains("\(data.path) (data.path) does not exist on host 10.231.0.2"), "\(result.combined)")
        #expect(!result.error.contains("on host 10.231.0.1"), "\(result.combined)")
        // Before training: no rank started, so no run directory was written.
        #expect(!FileManager.default.fileExists(atPath: output.path))
        #expect(!result.combined.contains("MPI_ABORT"))
    }
}

/// Two network namespaces joined by a bridge, and an rsh agent for Open MPI (see ``MultiHostTests``).
final class TwoHosts {
    static let subnet = "10.231.0.0/24"
    static let addresses = ["10.231.0.1", "10.231.0.2"]
    static let namespaces = ["dptmh-a", "dptmh-b"]
    static let bridge = "dptmh-br"
    static let bridgeVeths = ["dptmh-va", "dptmh-vb"]
    static let lockPath = "/tmp/dptrain-multihost-test.lock"

    let directory: URL
    /// Files here exist on host A (and for mpirun) but not on host B.
    let onlyOnA: URL
    let agent: URL
    private var lockDescriptor: Int32 = -1
    private var tornDown = false
    var hostList: String { Self.addresses.joined(separator: ",") }

    /// The `ip` executable, if installed.
    static let ip: String? = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Why the tests cannot run here (nil: they can). Printed once when they are skipped.
    static let unavailableReason: String? = {
        let reason: String? = {
            guard getuid() == 0 else { return "not root" }
            guard let ip else { return "`ip` not found (apt-get install iproute2)" }
            guard FileManager.default.isExecutableFile(atPath: "/usr/bin/mpirun") else { return "no /usr/bin/mpirun" }
            let probe = "dptmh-probe-\(getpid())"
            guard let added = try? CommandRunner.run(ip, ["netns", "add", probe], timeout: 20), added.status == 0 else {
                return "`ip netns add` failed (no permission for network namespaces)"
            }
            _ = try? CommandRunner.run(ip, ["netns", "del", probe], timeout: 20)
            return nil
        }()
        if let reason {
            FileHandle.standardError.write(Data("MultiHostTests SKIPPED: network namespaces unavailable (\(reason))\n".utf8))
        }
        return reason
    }()

    init() throws {
        lockDescriptor = open(Self.lockPath, O_CREAT | O_RDWR, 0o644)
        guard lockDescriptor >= 0 else { throw SetupError("cannot open \(Self.lockPath)") }
        // Bounded wait for another test process using the same namespaces.
        let deadline = Date().addingTimeInterval(600)
        while flock(lockDescriptor, LOCK_EX | LOCK_NB) != 0 {
            guard Date() < deadline else { close(lockDescriptor); throw SetupError("\(Self.lockPath) stayed locked for 600 s") }
            Thread.sleep(forTimeInterval: 0.2)
        }
        directory = try CommandRunner.temporaryDirectory("multihost")
        onlyOnA = directory.appendingPathComponent("only-on-a")
        agent = directory.appendingPathComponent("agent")
        do {
            try FileManager.default.createDirectory(at: onlyOnA, withIntermediateDirectories: true)
            try writeAgent()
            Self.removeNetwork()
            try createNetwork()
            try checkReachable()
        } catch {
            tearDown()
            throw error
        }
    }

    /// Removes the namespaces, links, temporary files and the lock. Safe to call twice.
    func tearDown() {
        guard !tornDown else { return }
        tornDown = true
        Self.removeNetwork()
        try? FileManager.default.removeItem(at: directory)
        // Open MPI's session directories of the two hosts' daemons, if a killed job left them.
        for namespace in Self.namespaces {
            try? FileManager.default.removeItem(atPath: "/tmp/ompi.\(namespace).\(getuid())")
        }
        if lockDescriptor >= 0 {
            flock(lockDescriptor, LOCK_UN)
            close(lockDescriptor)
        }
    }

    struct SetupError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    @discardableResult
    static func ipCommand(_ arguments: [String], check: Bool = true) throws -> CommandRunner.Result {
        guard let ip else { throw SetupError("`ip` not found") }
        let result = try CommandRunner.run(ip, arguments, timeout: 20)
        if check, result.status != 0 || result.timedOut {
            throw SetupError("ip \(arguments.joined(separator: " ")) failed: \(result.combined)")
        }
        return result
    }

    /// Deletes everything this fixture creates, ignoring what does not exist. Deleting a
    /// namespace deletes the veth ends inside it, and with them their peers on the bridge.
    static func removeNetwork() {
        for veth in bridgeVeths { _ = try? ipCommand(["link", "del", veth], check: false) }
        for namespace in namespaces { _ = try? ipCommand(["netns", "del", namespace], check: false) }
        _ = try? ipCommand(["link", "del", bridge], check: false)
    }

    private func createNetwork() throws {
        try Self.ipCommand(["link", "add", Self.bridge, "type", "bridge"])
        try Self.ipCommand(["addr", "add", "10.231.0.254/24", "dev", Self.bridge])
        try Self.ipCommand(["link", "set", Self.bridge, "up"])
        for (index, namespace) in Self.namespaces.enumerated() {
            try Self.ipCommand(["netns", "add", namespace])
            try Self.ipCommand(["link", "add", Self.bridgeVeths[index], "type", "veth", "peer", "name", "eth1", "netns", namespace])
            try Self.ipCommand(["link", "set", Self.bridgeVeths[index], "master", Self.bridge])
            try Self.ipCommand(["link", "set", Self.bridgeVeths[index], "up"])
            try Self.ipCommand(["-n", namespace, "addr", "add", "\(Self.addresses[index])/24", "dev", "eth1"])
            try Self.ipCommand(["-n", namespace, "link", "set", "eth1", "up"])
            try Self.ipCommand(["-n", namespace, "link", "set", "lo", "up"])
        }
    }

    /// Runs `true` on both hosts through mpirun, so a broken set-up fails here with Open MPI's
    /// own message rather than inside a test.
    private func checkReachable() throws {
        let arguments = ["--host", hostList, "-n", "2"]
            + stride(from: 1, to: mpiOptions.count, by: 2).map { mpiOptions[$0] } + ["true"]
        let result = try CommandRunner.run("/usr/bin/mpirun", arguments, timeout: 30, environment: launcherEnvironment)
        guard result.status == 0, !result.timedOut else {
            throw SetupError("the two namespace hosts cannot be reached through mpirun:\n\(result.combined)")
        }
    }

    private func writeAgent() throws {
        let path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        // Each host gets its own hostname (UTS namespace), as real hosts have: Open MPI keys its
        // session directories (/tmp/ompi.<hostname>.<uid>) by it, and two daemons sharing one
        // name and one /tmp remove each other's directories (seen as "A call to mkdir was
        // unable to create the desired directory" and a failed daemon start).
        let script = """
            #!/bin/sh
            # rsh agent for Open MPI (written by MultiHostTests): AGENT HOST COMMAND...
            # Runs COMMAND in HOST's network namespace, under HOST's own hostname, with a fresh
            # environment, as ssh would.
            host="$1"; shift
            case "$host" in
              \(Self.addresses[0])) exec ip netns exec \(Self.namespaces[0]) unshare --uts \\
                  sh -c 'hostname \(Self.namespaces[0]) && exec env -i PATH=\(path) HOME=/root sh -c "$*"' sh "$@" ;;
              \(Self.addresses[1])) exec ip netns exec \(Self.namespaces[1]) unshare --uts --mount --propagation private \\
                  sh -c 'hostname \(Self.namespaces[1]) && mount -t tmpfs dptmh-hidden "$1" && shift \\
                         && exec env -i PATH=\(path) HOME=/root sh -c "$*"' sh '\(onlyOnA.path)' "$@" ;;
              *) echo "agent: unknown host $host" >&2; exit 255 ;;
            esac

            """
        try script.write(to: agent, atomically: true, encoding: .utf8)
        chmod(agent.path, 0o755)
    }

    /// `launch/train` options that make mpirun reach the namespaces: the agent, TCP only on the
    /// test subnet (for MPI traffic and Open MPI's own out-of-band channel), and no binding
    /// (both "hosts" share this machine's cores; per-host binding would put both ranks on core 0).
    var mpiOptions: [String] {
        ["--mca", "plm_rsh_agent", agent.path, "--mca", "btl", "tcp,self",
         "--mca", "btl_tcp_if_include", Self.subnet, "--mca", "oob_tcp_if_include", Self.subnet,
         "--bind-to", "none"].flatMap { ["--mpi-arg", $0] }
    }

    var launcherEnvironment: [String: String] {
        ["DPTRAIN_BIN": CommandRunner.dptrainPath, "OMPI_MCA_btl": "tcp,self"]
    }

    var launcher: String { MultiHostTests.repository.appendingPathComponent("launch/train").path }

    /// Runs `launch/train OPTIONS ARGUMENTS` to the end (bounded).
    func launchTrain(_ arguments: [String], timeout: Double = 240) throws -> CommandRunner.Result {
        try CommandRunner.run("/bin/bash", [launcher] + mpiOptions + arguments, timeout: timeout,
                              environment: launcherEnvironment, directory: directory)
    }

    /// A job running in the background with its output in a file.
    final class Job {
        let process: Process
        let log: URL
        init(process: Process, log: URL) { self.process = process; self.log = log }
        func output() -> String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
        /// Waits for the end; false if it is still running after `timeout` seconds.
        func wait(timeout: Double) -> Bool {
            let deadline = Date().addingTimeInterval(timeout)
            while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            return !process.isRunning
        }
        /// Ends the job if it still runs (mpirun ends its ranks on SIGTERM).
        func stop() {
            guard process.isRunning else { return }
            process.terminate()
            if !wait(timeout: 10) { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
    }

    func startLaunchTrain(_ arguments: [String], environment: [String: String]) throws -> Job {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [launcher] + mpiOptions + arguments
        var merged = CommandRunner.environment
        for (key, value) in launcherEnvironment.merging(environment, uniquingKeysWith: { $1 }) { merged[key] = value }
        process.environment = merged
        process.currentDirectoryURL = directory
        let log = directory.appendingPathComponent("job-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return Job(process: process, log: log)
    }

    /// PIDs of `dptrain train` ranks (not mpirun, orted or shells) in `namespace` whose command
    /// line contains `marker`.
    func trainingProcesses(in namespace: String, marker: String) -> [Int32] {
        guard let ip = Self.ip, let result = try? CommandRunner.run(ip, ["netns", "pids", namespace], timeout: 20) else { return [] }
        return result.output.split(separator: "\n").compactMap { Int32($0.trimmingCharacters(in: .whitespaces)) }.filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            let arguments = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            return arguments.first.map { $0.hasSuffix("/dptrain") } == true && arguments.dropFirst().first == "train"
                && arguments.contains { $0.contains(marker) }
        }
    }
}
