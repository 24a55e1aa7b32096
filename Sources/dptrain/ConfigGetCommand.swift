import ArgumentParser
import DPTrain
import Foundation

/// Hidden helper for the launch scripts: `dptrain config-get CONFIG KEY [key.path=value …]`
/// prints one value of the resolved config (defaults filled in, overrides applied, the whole
/// config validated), so scripts never parse YAML themselves. `launch/train` uses it to find
/// the data files it checks on every host before training.
///
/// A scalar prints as its text, a map or list as YAML, null as an empty line. A key the
/// resolved config does not hold is an error, or an empty line with `--missing-ok`.
struct ConfigGetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config-get",
        abstract: "Print one value of the resolved config (for scripts).",
        shouldDisplay: false)

    @Argument(help: "The YAML config file.")
    var config: String

    @Argument(help: "The key path, for example data.path or model.layers.0.dense.")
    var key: String

    @Argument(help: "Overrides, each key.path=value.")
    var overrides: [String] = []

    @Flag(help: "Print an empty line instead of failing when the key is not in the resolved config.")
    var missingOk = false

    func run() throws {
        let resolved: ConfigValue
        do {
            resolved = try TrainingConfig.load(file: config, overrides: overrides).resolved
        } catch {
            FileHandle.standardError.write(Data("error: \(ErrorText.describe(error))\n".utf8))
            throw ExitCode(1)
        }
        guard let value = Self.lookup(resolved, path: key.split(separator: ".").map(String.init)) else {
            if missingOk { print(""); return }
            FileHandle.standardError.write(Data("error: the resolved config of \(config) has no key '\(key)'\n".utf8))
            throw ExitCode(1)
        }
        switch value {
        case let .scalar(text, _): print(text)
        case .null: print("")
        default: print(value.yaml(), terminator: "")
        }
    }

    static func lookup(_ value: ConfigValue, path: [String]) -> ConfigValue? {
        guard let first = path.first else { return value }
        switch value {
        case let .map(entries, _):
            guard let entry = entries.first(where: { $0.key == first }) else { return nil }
            return lookup(entry.value, path: Array(path.dropFirst()))
        case let .list(items, _):
            guard let index = Int(first), items.indices.contains(index) else { return nil }
            return lookup(items[index], path: Array(path.dropFirst()))
        default:
            return nil
        }
    }
}
