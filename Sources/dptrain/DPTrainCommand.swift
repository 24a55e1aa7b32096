import ArgumentParser
import DPTrain

/// `dptrain` — distributed data-parallel training over MPI.
struct DPTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dptrain",
        abstract: "Distributed data-parallel neural-network training over MPI and OpenBLAS.",
        discussion: """
            Run one rank directly (`dptrain train CONFIG`) or many under MPI \
            (`mpirun -n 2 dptrain train CONFIG`, or the `launch/train` script).
            """,
        version: DPTrainVersion.string,
        subcommands: [TrainCommand.self, EvalCommand.self, StudyCommand.self, InspectCommand.self, ExportCommand.self,
                      NoiseScaleCommand.self, BenchCommand.self, PrepareCommand.self, TestCollectivesCommand.self, ConfigGetCommand.self]
    )
}
