import ArgumentParser
import DPTrain
import Foundation

/// Hidden helper for the launch scripts: `dptrain config-get CONFIG KEY [key.path=value …]`
/// prints one value of the resolved config (defaults filled in, overrides applied, the whole
/// config validated), so scripts never parse YAML themselves. `launch/train` uses it to find
/// the data files it checks on every host before training; `launch/study` passes `--study`,
/// which reads CONFIG as a study file and prints the key of every run's resolved config, one
/// line per distinct value, in run order.
///
/// A scalar prints as its text, a map or list as YAML, null as an empty line. A key the
/// resolved config does not hold is an error, or an empty line with `--missing-ok`.
struct ConfigGetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config-get",
        abstract: "Print one value of the resolved config (for scripts).",
        shouldDisplay: false)

    @Argument(help: "The YAML config file (a study file with --study).")
    var config: String

    @Argument(help: "The key path, for example data.path or model.layers.0.dense.")
    var key: String

    @Argument(help: "Overrides, each key.path=value.")
    var overrides: [String] = []

    @Flag(help: "Print an empty line instead of failing when the key is not in the resolved config.")
    var missingOk = false

    @Flag(help: "CONFIG is a study file: print the key of every run's config, one line per distinct value.")
    var study = false

    func run() throws {
        let configs: [ConfigValue]
        do {
            if study {
                guard overrides.isEmpty else {
                    throw ConfigError.inconsistent(message: "config-get --study takes no overrides (got \(overrides.joined(separator: " "))): "
                        + "the study file gives every run's overrides")
                }
                let loaded = try Study.load(file: config)
                configs = try loaded.runs.map { try loaded.config(for: $0).resolved }
            } else {
                configs = [try TrainingConfig.load(file: config, overrides: overrides).resolved]
            }
        } catch {
            FileHandle.standardError.write(Data("error: \(ErrorText.describe(error))\n".utf8))
            throw ExitCode(1)
        }
        var printed: [String] = []
        for resolved in configs {
            let text: String
            switch Self.lookup(resolved, path: key.split(separator: ".").map(String.init)) {
            case nil:
                guard missingOk else {
                    FileHandle.standardError.write(Data("error: the resolved config of \(config) has no key '\(key)'\(Self.hint(resolved, key))\n".utf8))
                    throw ExitCode(1)
                }
                text = "\n"
            case let .scalar(value, _)?: text = value + "\n"
            case .null?: text = "\n"
            case let value?: text = value.yaml()
            }
            if !printed.contains(text) { printed.append(text) }
        }
        for text in printed { print(text, terminator: "") }
    }

    /// "; did you mean 'optimizer.lr'? Keys under 'optimizer': …" for the deepest part of `key`
    /// that exists, so a misspelt key points at the right one.
    static func hint(_ resolved: ConfigValue, _ key: String) -> String {
        var parts = key.split(separator: ".").map(String.init)
        let last = parts.removeLast()
        guard case let .map(entries, _)? = lookup(resolved, path: parts) else {
            return "; print the whole config with: dptrain config-get CONFIG '' --missing-ok, or read config.resolved.yaml of a run"
        }
        let keys = entries.map(\.key)
        let prefix = parts.isEmpty ? "" : parts.joined(separator: ".") + "."
        let suggestion = ConfigReader.nearest(to: last, in: keys).map { "; did you mean '\(prefix)\($0)'?" } ?? "."
        return "\(suggestion) Keys \(parts.isEmpty ? "at the top level" : "under '\(parts.joined(separator: "."))'"): "
            + keys.joined(separator: ", ") + "."
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
