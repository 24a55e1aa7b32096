import DPTrain
import Foundation

/// Startup check that every rank runs the same resolved config and the same dptrain version
/// (DESIGN §3.4 needs identical replicas). Rank 0's config is broadcast; a rank whose own
/// config differs fails naming the first differing key, which aborts the job.
enum ConfigAgreement {
    /// Keys that legitimately differ between ranks: none today (the data path may differ per host
    /// only if it names the same files, which dptrain cannot check).
    static func check(_ config: TrainingConfig, communicator: Communicator) throws {
        guard communicator.worldSize > 1 else { return }
        let mine = "version \(DPTrainVersion.string)\n" + config.resolvedYAML
        var bytes = Array(mine.utf8)
        try communicator.broadcast(bytes: &bytes, root: 0)
        let rootText = String(decoding: bytes, as: UTF8.self)
        guard rootText != mine else { return }
        let rootVersion = rootText.split(separator: "\n").first.map(String.init) ?? ""
        guard rootVersion == "version \(DPTrainVersion.string)" else {
            throw ConfigError.inconsistent(message:
                "rank \(communicator.rank) runs dptrain \(DPTrainVersion.string) but rank 0 runs \(rootVersion.dropFirst(8)); "
                + "install the same build on every host")
        }
        let rootConfig = try ConfigValue.parse(yaml: String(rootText.drop { $0 != "\n" }.dropFirst()), file: "rank 0's config")
        let path = config.resolved.firstDifference(from: rootConfig) ?? "(unknown)"
        throw ConfigError.inconsistent(message:
            "rank \(communicator.rank) was started with a different config than rank 0: \(path) is "
            + "\(config.resolved.value(at: path)?.inline ?? "(absent)") here but \(rootConfig.value(at: path)?.inline ?? "(absent)") "
            + "on rank 0. Start every rank with the same config file and overrides")
    }
}
