import ArgumentParser
import DPTrain
import Foundation

/// `dptrain prepare CONFIG [key.path=value …]` — prepares (or verifies) the sample store of the
/// config's data ahead of a job, so no rank of the job spends its start-up reading data files.
struct PrepareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prepare",
        abstract: "Prepare the config's sample store (data files → one mapped binary file) ahead of a job.",
        discussion: """
            Reads the config's data files (IDX, NPZ or CSV) once and writes their samples in \
            their compact type (uint8 images stay uint8), with labels, shapes, a checksum and \
            the source files' sizes and modification times, into the cache directory \
            (data.cache; default data-cache next to the run directory). A store that exists, \
            verifies and matches its sources is reused; a damaged or stale one is rebuilt. \
            Every rank of a run then maps the store read-only: one copy per host.

            Example:
              dptrain prepare configs/fashion-mnist-mlp.yaml
            """)

    @Argument(help: "The YAML config file.")
    var config: String

    @Argument(help: "Overrides, each key.path=value.")
    var overrides: [String] = []

    func run() throws {
        do {
            let resolved = try TrainingConfig.load(file: config, overrides: overrides)
            let directory = StoreCache.directory(data: resolved.data, output: resolved.output)
            let start = Date()
            guard let outcome = try StoreCache.open(resolved.data.dataset, directory: directory,
                                                    budget: MemoryBudget(maxBytes: resolved.data.maxBytes)) else {
                switch resolved.data.dataset {
                case .store:
                    _ = try DataSource.load(resolved.data.dataset, seed: resolved.seed)
                    print("data.dataset is a store file: it verifies; nothing to prepare")
                case .spirals, .linearRegression:
                    print("data.dataset \(resolved.data.dataset) is generated in memory: nothing to prepare")
                default:
                    // A source file is missing: the reader says which and how to fix it.
                    _ = try DataSource.load(resolved.data.dataset, seed: resolved.seed)
                }
                return
            }
            let header = outcome.store.header
            let counts = header.splits.map { "\(Format.grouped(Double($0.count))) \($0.name)" }.joined(separator: " / ")
            let seconds = Date().timeIntervalSince(start)
            print("\(outcome.built ? "prepared" : "verified") \(outcome.store.path)")
            print("  \(counts) samples of shape \(header.sampleShape), \(header.elementType.rawValue), "
                + "\(MemoryBudget.format(bytes: outcome.store.fileSize)), checksum \(header.checksum)")
            print("  " + (outcome.built ? "prepared in \(Format.fixed(outcome.seconds, 2)) s" : "reused (sources unchanged)")
                + "; \(Format.fixed(seconds, 2)) s in all" + (outcome.reason.map { "; rebuilt because \($0)" } ?? ""))
        } catch {
            FileHandle.standardError.write(Data("error: \(ErrorText.describe(error))\n".utf8))
            throw ExitCode(1)
        }
    }
}
