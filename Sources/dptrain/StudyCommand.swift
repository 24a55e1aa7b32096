import ArgumentParser
import DPTrain
import Foundation

/// `dptrain study STUDY.yaml [--report-only]` — train every run of a study, then write its report.
struct StudyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "study",
        abstract: "Train a family of runs (variants or a grid, over seeds) and write a report.",
        discussion: """
            STUDY is a YAML file (see configs/studies/): a base config, overrides for every \
            run, and either variants or a grid, optional seeds, target and budget. All ranks \
            train each run in turn; each goes to <output>/<variant>-s<seed>/. Runs whose DONE \
            marker exists are skipped and unfinished ones continue from their newest \
            checkpoint, so a killed study resumes where it stopped. A run the study file \
            changed is trained again, its old directory moved aside to \
            <run>.replaced-<date> (never deleted). Afterwards rank 0 writes \
            <output>/report.html, summary.md, summary.csv and report.json from the runs' metrics.jsonl.

            Examples:
              dptrain study configs/studies/smith2017.yaml
              mpirun -n 2 dptrain study configs/studies/lr-batch-grid.yaml
              dptrain study configs/studies/smith2017.yaml --report-only
            """)

    @Argument(help: "The study YAML file.")
    var study: String

    @Flag(help: "Only rebuild the report from the runs already in the output directory.")
    var reportOnly = false

    @Flag(help: "Check the study file and every run's config, list the runs, and exit without training.")
    var dryRun = false

    @Flag(help: "Also print each run's step and evaluation lines (rank 0).")
    var verbose = false

    @Option(help: "Stop after training this many runs (the rest are left for a later invocation).")
    var maxRuns: Int?

    func run() throws {
        try CollectiveRun.run { communicator in
            let study = try Study.load(file: self.study)
            let say: (String) -> Void = { if communicator.isRoot { print($0); fflush(nil) } }
            try study.validateRuns()
            if dryRun {
                say("study \(study.name): \(study.runs.count) runs, every config valid → \(study.output)")
                for run in study.runs { say("  \(run.name) → \(run.directory)") }
                return
            }
            if !reportOnly {
                say("study \(study.name): \(study.runs.count) runs (\(study.variants.count) variant"
                    + "\(study.variants.count == 1 ? "" : "s") × \(study.seeds?.count ?? 1) seed"
                    + "\((study.seeds?.count ?? 1) == 1 ? "" : "s")) on \(communicator.worldSize) rank"
                    + "\(communicator.worldSize == 1 ? "" : "s") → \(study.output)")
                let runner = StudyRunner(study: study, communicator: communicator)
                runner.say = say
                runner.maxRuns = maxRuns
                if verbose, communicator.isRoot { runner.trainingPrinter = { print("  " + $0); fflush(nil) } }
                try runner.run()
            }
            if communicator.isRoot {
                let report = try StudyReport(study: study)
                guard !report.runs.isEmpty else { throw StudyError.noRuns(study: self.study) }
                let files = try report.write()
                for result in report.claimResults { print(result.message) }
                for finding in report.findings { print(finding) }
                print("report: " + files.map(\.path).joined(separator: ", "))
            }
            try communicator.barrier()
        }
    }
}
