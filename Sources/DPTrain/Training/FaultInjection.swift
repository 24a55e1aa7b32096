import Foundation

/// Test-only faults, set through the environment variable `DPTRAIN_FAULT` (comma-separated):
///
/// - `nan@S` or `nan@S:R` — the local gradient of rank R (default: every rank) becomes NaN at
///   step S (1-based), before the all-reduce;
/// - `nan-from@S` — every step from S on is NaN (a diverging run);
/// - `stall@S:R` — rank R sleeps forever before step S;
/// - `drift@S:R` — rank R adds 0.001 to element 0 of its reduced gradient at step S, after the
///   all-reduce (unsharded update, `train.shard_optimizer: false`): a finite, silent difference that makes its replica drift from the others
///   (what `train.check_replicas_every` must detect);
/// - `slow-steps@MS` — every step sleeps MS milliseconds (so a test can kill a run mid-way);
/// - `slow-checkpoint@SECONDS` — a checkpoint write pauses that long between writing the
///   temporary file and renaming it (to kill a run inside the write);
/// - `kill-in-checkpoint@S:N` — the checkpoint write of step S stops after N bytes of the
///   temporary file and the process kills itself with SIGKILL (a crash in the middle of a write).
///
/// The test suite uses these to prove the failure handling; they are never set in normal runs.
/// The step faults act through ``FaultInjectingCommunicator``, the checkpoint faults through
/// ``RunDirectory``.
public struct FaultInjection: Equatable, Sendable {
    /// `nan@S[:R]`: (step, rank or nil for every rank) whose local gradient becomes NaN.
    public var nanSteps: [(step: Int, rank: Int?)] = []
    /// `nan-from@S`: every step from S on is NaN.
    public var nanFrom: Int?
    /// `stall@S:R`: rank R blocks forever before step S's all-reduce.
    public var stall: (step: Int, rank: Int)?
    /// `drift@S:R`: rank R's reduced gradient is changed slightly at step S.
    public var drift: (step: Int, rank: Int)?
    /// `slow-checkpoint@SECONDS`: pause between a checkpoint's temporary file and its rename.
    public var checkpointDelay: Double = 0
    /// `kill-in-checkpoint@S:N`: the checkpoint of step S is cut after N bytes by SIGKILL.
    public var checkpointKill: (step: Int, bytes: Int)?
    /// `slow-steps@MS`: seconds every step sleeps.
    public var stepDelay: Double = 0


    /// Equal when the NaN steps, NaN start, stall step, drift and checkpoint faults are.
    public static func == (lhs: FaultInjection, rhs: FaultInjection) -> Bool {
        lhs.nanSteps.map(\.step) == rhs.nanSteps.map(\.step) && lhs.nanFrom == rhs.nanFrom
            && lhs.stall?.step == rhs.stall?.step && lhs.drift?.step == rhs.drift?.step
            && lhs.drift?.rank == rhs.drift?.rank && lhs.checkpointDelay == rhs.checkpointDelay
            && lhs.checkpointKill?.step == rhs.checkpointKill?.step && lhs.checkpointKill?.bytes == rhs.checkpointKill?.bytes
    }

    /// Faults from `DPTRAIN_FAULT` (none when unset).
    public static func fromEnvironment() -> FaultInjection {
        guard let text = ProcessInfo.processInfo.environment["DPTRAIN_FAULT"] else { return FaultInjection() }
        var faults = FaultInjection()
        for item in text.split(separator: ",") {
            let parts = item.split(separator: "@", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            let arguments = parts[1].split(separator: ":").map(String.init)
            let first = Int(arguments[0]), second = arguments.count > 1 ? Int(arguments[1]) : nil
            switch parts[0] {
            case "nan": if let first { faults.nanSteps.append((first, second)) }
            case "nan-from": faults.nanFrom = first
            case "stall": if let first { faults.stall = (first, second ?? 0) }
            case "drift": if let first { faults.drift = (first, second ?? 0) }
            case "slow-checkpoint": faults.checkpointDelay = Double(arguments[0]) ?? 0
            case "kill-in-checkpoint": if let first, let second { faults.checkpointKill = (first, second) }
            case "slow-steps": faults.stepDelay = (Double(arguments[0]) ?? 0) / 1000
            default: continue
            }
        }
        return faults
    }

    /// True when a fault acts on training steps (NaN, stall, drift or slow steps).
    public var hasStepFaults: Bool {
        !nanSteps.isEmpty || nanFrom != nil || stall != nil || drift != nil || stepDelay > 0
    }

    /// `communicator` wrapped to inject the step faults, or unchanged when there are none.
    /// `firstStep` is the number of updates done before (the resumed step).
    public func wrapping(_ communicator: Communicator, firstStep: Int) -> Communicator {
        hasStepFaults ? FaultInjectingCommunicator(base: communicator, faults: self, firstStep: firstStep) : communicator
    }

    /// True when rank `rank`'s gradient must be poisoned at (1-based) step `step`.
    public func poisons(step: Int, rank: Int) -> Bool {
        if let nanFrom, step >= nanFrom { return true }
        return nanSteps.contains { $0.step == step && ($0.rank == nil || $0.rank == rank) }
    }
}
