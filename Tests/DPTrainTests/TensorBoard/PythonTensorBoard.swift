import Testing
import Foundation

/// Runs Python snippets against the real `tensorboard` package (installed with pip on demand).
enum PythonTensorBoard {
    /// True when `python3 -c "import tensorboard"` works, after one `pip install tensorboard`
    /// attempt if it did not. Evaluated once per test process.
    static let isAvailable: Bool = {
        if canImport() { return true }
        _ = try? CommandRunner.run("/usr/bin/env", ["python3", "-m", "pip", "install", "--quiet", "tensorboard"],
                                   timeout: 600)
        return canImport()
    }()

    /// Why the TensorBoard tests are disabled when ``isAvailable`` is false.
    static let unavailableMessage: Comment =
        "python3 cannot import tensorboard and `python3 -m pip install tensorboard` failed: install it to run this test"

    private static func canImport() -> Bool {
        guard let result = try? CommandRunner.run("/usr/bin/env", ["python3", "-c", "import tensorboard"], timeout: 120)
        else { return false }
        return result.status == 0 && !result.timedOut
    }

    /// Runs `python3 -c script arguments…` and decodes its standard output as a JSON object.
    static func runJSON(_ script: String, arguments: [String]) throws -> [String: Any] {
        let result = try CommandRunner.run("/usr/bin/env", ["python3", "-c", script] + arguments, timeout: 120)
        guard result.status == 0, !result.timedOut,
              let object = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
        else {
            throw PythonFailure(message: "python3 exited \(result.status) (timed out: \(result.timedOut))\n"
                + "stdout: \(result.output)\nstderr: \(result.error)")
        }
        return object
    }

    struct PythonFailure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}
