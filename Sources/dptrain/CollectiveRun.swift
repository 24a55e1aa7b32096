import ArgumentParser
import DPTrain
import Foundation

/// Runs a command's body on every rank and turns any error into one message and a
/// job-wide exit (DESIGN §3.8).
///
/// - With one rank: print `error: …` to stderr and exit non-zero.
/// - With several: rank 0 prints and calls `MPI_Abort` at once, which ends every rank. Other
///   ranks wait a moment before printing, so an error every rank hits (a bad config, a missing
///   file) is printed once, by rank 0; an error only one rank hits is still printed by that
///   rank, and its `MPI_Abort` ends ranks blocked in collectives, so the job never hangs.
enum CollectiveRun {
    static func run(_ body: (ProcessCommunicator) throws -> Void) throws {
        let communicator: ProcessCommunicator
        do {
            communicator = ProcessCommunicator(base: try World.makeCommunicator())
        } catch {
            fail(error, rank: 0, worldSize: 1, communicator: nil)
        }
        do {
            try body(communicator)
            try communicator.mpi?.finalize()
        } catch let error as CleanExit {
            throw error
        } catch {
            fail(error, rank: communicator.rank, worldSize: communicator.worldSize,
                 communicator: communicator)
        }
    }

    static func fail(_ error: Error, rank: Int, worldSize: Int, communicator: ProcessCommunicator?) -> Never {
        let text = ErrorText.describe(error)
        if worldSize > 1 {
            if rank != 0 { Thread.sleep(forTimeInterval: 1.5) }
            FileHandle.standardError.write(Data("error (rank \(rank) of \(worldSize)): \(text)\n".utf8))
            communicator?.abort(code: 1)
        }
        FileHandle.standardError.write(Data("error: \(text)\n".utf8))
        exit(1)
    }
}

/// The user-facing text of an error: the library's errors describe themselves (what, where,
/// how to fix); anything else is shown as Swift prints it.
enum ErrorText {
    static func describe(_ error: Error) -> String { String(describing: error) }
}
