import DPTrain
import Foundation

/// Process entry: choose OpenBLAS's kernels (which needs a re-exec), then run the CLI.
@main
enum Entry {
    static func main() {
        KernelSelection.reexecIfNeeded()
        if let message = unknownCommandMessage(CommandLine.arguments.dropFirst().first) {
            FileHandle.standardError.write(Data("error: \(message)\n".utf8))
            exit(64)
        }
        DPTrainCommand.main()
    }

    /// The command names `dptrain` lists (`train`, `eval`, …, and `help`).
    static var commandNames: [String] {
        DPTrainCommand.configuration.subcommands.map { $0._commandName } + ["help"]
    }

    /// Every name `dptrain` accepts: the commands and their aliases (`inspect-checkpoint`).
    static var acceptedNames: [String] {
        commandNames + DPTrainCommand.configuration.subcommands.flatMap { $0.configuration.aliases }
    }

    /// For a first argument that is neither an option nor a command (`dptrain trian x.yaml`), a
    /// message naming it, the nearest command and the list; nil otherwise.
    static func unknownCommandMessage(_ first: String?) -> String? {
        guard let first, !first.hasPrefix("-"), !acceptedNames.contains(first) else { return nil }
        var message = "unknown command '\(first)'"
        if let suggestion = ConfigReader.nearest(to: first, in: commandNames) {
            message += "; did you mean '\(suggestion)'?"
        } else {
            message += "."
        }
        message += " Commands: \(commandNames.joined(separator: ", ")) (dptrain help COMMAND for details)."
        if first.hasSuffix(".yaml") || first.hasSuffix(".yml") { message += " To train with a config: dptrain train \(first)" }
        return message
    }
}
