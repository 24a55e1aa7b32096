import Foundation
import Testing
import DPTrain

/// The command line as users meet it: help text, usage errors, exit codes, live output.
@Suite("Command line")
struct CLITests {
    static var smokeConfig: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("configs/smoke.yaml").path
    }

    @Test("help lists the subcommands and exits 0")
    func help() throws {
        let result = try CommandRunner.dptrain(["--help"])
        #expect(result.status == 0)
        for command in ["train", "eval", "bench"] { #expect(result.output.contains("  \(command) ")) }
        #expect(!result.output.contains("test-collectives"))  // hidden
    }

    @Test("a missing argument is a usage error (exit 64) naming it")
    func missingArgument() throws {
        let result = try CommandRunner.dptrain(["train"])
        #expect(result.status == 64)
        #expect(result.error.contains("Missing expected argument '<config>'"))
    }

    @Test("a missing config file: exit 1 and one line naming it")
    func missingConfig() throws {
        let result = try CommandRunner.dptrain(["train", "/nonexistent/run.yaml"])
        #expect(result.status == 1)
        #expect(result.error == "error: cannot read config file /nonexistent/run.yaml: no such file\n")
    }

    @Test("an override without '=' is rejected with the expected form")
    func badOverride() throws {
        let result = try CommandRunner.dptrain(["train", Self.smokeConfig, "optimizer.lr"])
        #expect(result.status == 1)
        #expect(result.error.contains("override 'optimizer.lr': expected key.path=value"))
    }

    @Test("through a pipe: plain log lines, no terminal control codes")
    func pipedOutput() throws {
        let directory = try CommandRunner.temporaryDirectory("pipe")
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try CommandRunner.dptrain(["train", Self.smokeConfig, "output=\(directory.path)", "train.epochs=2",
                                                "train.log_every=16", "train.eval_every=1"])
        #expect(result.status == 0, "\(result.combined)")
        #expect(result.output.contains("step 16 | epoch 0.50 | loss"))
        #expect(result.output.contains("eval  epoch 1.00 | test loss"))
        #expect(!result.output.contains("\u{1B}[") && !result.output.contains("\r"))
    }

    @Test("under mpirun: plain lines even though Open MPI gives ranks a pseudo-terminal; DPTRAIN_TERMINAL decides")
    func outputUnderMPI() throws {
        let directory = try CommandRunner.temporaryDirectory("mpi-pipe")
        defer { try? FileManager.default.removeItem(at: directory) }
        let plain = try CommandRunner.mpirun(ranks: 2, ["train", Self.smokeConfig, "output=\(directory.path)/plain",
                                                        "train.epochs=1", "train.log_every=16"], timeout: 120)
        #expect(plain.status == 0, "\(plain.combined)")
        #expect(plain.output.contains("step 16 | epoch 0.50 | loss"))
        #expect(!plain.output.contains("\u{1B}[") && !plain.output.contains("\r"))
        // What launch/train sets when its own stdout is a terminal.
        let bar = try CommandRunner.mpirun(ranks: 2, ["train", Self.smokeConfig, "output=\(directory.path)/bar",
                                                      "train.epochs=1", "train.log_every=16"], timeout: 120,
                                           environment: ["DPTRAIN_TERMINAL": "1"])
        #expect(bar.status == 0, "\(bar.combined)")
        #expect(bar.output.contains("\r\u{1B}[2Kepoch 1/1 "))
        #expect(bar.output.contains("epoch 1 done | 32 steps | loss"))
    }

    @Test("on a terminal: a progress bar redrawn in place, a summary line per epoch")
    func terminalOutput() throws {
        let directory = try CommandRunner.temporaryDirectory("tty")
        defer { try? FileManager.default.removeItem(at: directory) }
        // script(1) gives the command a pseudo-terminal.
        let command = [CommandRunner.dptrainPath, "train", Self.smokeConfig, "output=\(directory.path)",
                       "train.epochs=2", "train.log_every=16"].joined(separator: " ")
        let result = try CommandRunner.run("/usr/bin/script", ["-qec", command, "/dev/null"], timeout: 60,
                                           environment: ["TERM": "xterm"])
        #expect(result.status == 0, "\(result.combined)")
        #expect(result.output.contains("\r\u{1B}[2Kepoch 1/2 "))
        #expect(result.output.contains("epoch 1 done | 32 steps | loss"))
        #expect(result.output.contains("epoch 2 done | 32 steps"))
        #expect(!result.output.contains("step 16 | epoch"))  // folded into the bar
    }
}
