import DPTrain
import Foundation

/// The measurements of `dptrain bench` and their presentation.
struct BenchReport {
    var kernels: String
    var worldSize: Int
    /// How the ranks exchanged ∇ and θ (shared memory or MPI messages).
    var exchange: ExchangePath
    var decomposition: BatchDecomposition
    var parameters: Int
    var gemm: [GEMMBenchmark.Result]
    /// GEMM seconds per optimizer step on one rank: Σ shapes × K.
    var gemmPerStep: Double
    var allReduce: AllReduceBenchmark.Result?
    var allReduceSmall: AllReduceBenchmark.Result?
    /// Per rank: seconds per step in data, forward, backward, communication, optimizer, whole
    /// step, and (overlapping the phases) inside sgemm.
    var phases: [[Double]]
    /// Per rank, bytes: parameters, gradients, optimizer state, buffers, dataset, peak resident
    /// set, anonymous and file-backed resident set now, sample-store size (0 when unknown or
    /// none); see ``MemoryFootprint``.
    var memory: [[Double]]
    /// Bytes of the whole optimizer state (every state buffer over all P parameters): what each
    /// rank holds without sharding, and the sum of the ranks' blocks with it.
    var optimizerStateWhole: Double
    /// Whether the all-reduce can hide behind backward-length compute (2+ ranks over MPI).
    var overlap: OverlapBenchmark.Result?
    /// The measured steps' collectives lined up over the ranks (nil on one rank).
    var timeline: CollectiveTimelineSummary?
    /// Per rank, per measured step: CPU seconds of the process and involuntary context switches
    /// (the kernel took the core away: other processes, OS noise).
    var scheduling: [[Double]]
    var samplesPerSecond: Double

    static let memoryNames = ["parameters", "gradients", "optimizer_state", "buffers", "dataset", "peak_resident",
                              "resident_anonymous", "resident_file", "store"]

    /// Σ in_sgemm / Σ step over all ranks: each rank's wait for the others in the all-reduce
    /// is idle time of that rank, and which rank waits changes from step to step, so the share
    /// of one rank alone varies more than the machine's.
    var gemmShare: Double {
        phases.reduce(0) { $0 + $1[6] } / max(phases.reduce(0) { $0 + $1[5] }, 1e-12)
    }

    /// GEMM flops of one optimizer step on one rank: Σ 2·m·n·k·count over the model's shapes, × K.
    var flopsPerStep: Double {
        gemm.reduce(0) { $0 + $1.shape.flops * Double($1.shape.count) } * Double(decomposition.accumulation)
    }

    /// The hardware ideal of a step: the model's GEMMs at its shapes timed alone (forward and
    /// backward, × K) plus one raw all-reduce of the gradient (0 on one rank), measured in
    /// this process: what a step would cost with every other pass free and nothing waited for.
    var idealStepSeconds: Double { gemmPerStep + (allReduce?.seconds ?? 0) }

    /// Global batch / ``idealStepSeconds``.
    var idealSamplesPerSecond: Double { Double(decomposition.global) / max(idealStepSeconds, 1e-12) }

    /// Measured samples/s ÷ ``idealSamplesPerSecond`` (1 = the hardware ideal).
    var ratioToIdeal: Double { samplesPerSecond / idealSamplesPerSecond }

    /// GEMM GFLOP/s of one rank over the whole step: ``flopsPerStep`` / (global batch / samples/s);
    /// × W for the machine.
    var gflopsOverStep: Double { flopsPerStep * samplesPerSecond / Double(max(decomposition.global, 1)) / 1e9 }

    static let phaseNames = ["data", "forward", "backward", "communication", "optimizer", "step", "in_sgemm"]

    static func measure(builder: RunBuilder, decomposition: BatchDecomposition, warmup: Int, steps: Int,
                        communicator: Communicator, timeline: CollectiveTimeline) throws -> BenchReport {
        // 1. GEMM at the model's shapes, every rank at once (as in training).
        let shapes = GEMMBenchmark.modelShapes(builder.model.layers, micro: decomposition.micro)
        try communicator.barrier()
        let gemm = GEMMBenchmark.run(shapes)
        let gemmPerStep = gemm.reduce(0) { $0 + $1.secondsPerMicroBatch } * Double(decomposition.accumulation)

        // 2. All-reduce of the gradient, and of one float (latency).
        let parameters = builder.model.parameterCount
        var allReduce: AllReduceBenchmark.Result?
        var small: AllReduceBenchmark.Result?
        if communicator.worldSize > 1 {
            allReduce = try AllReduceBenchmark.run(communicator: communicator, floats: parameters)
            small = try AllReduceBenchmark.run(communicator: communicator, floats: 1, repetitions: 200)
        }

        // 3. Training steps, timed after the warm-up.
        let trainer = try builder.makeTrainer(writeRunDirectory: false)
        // Time inside sgemm over exactly the measured steps (the final evaluation excluded).
        let clocks = BenchClocks(warmup: warmup, steps: steps, timeline: timeline)
        if warmup == 0 { clocks.start() }
        trainer.observer = clocks
        try trainer.run()
        clocks.stop()
        let gemmInPlace = GEMMClock.stop()
        let timings = trainer.timings
        let count = Double(max(timings.steps, 1))
        let mine = [timings.data, timings.forward, timings.backward, timings.communication, timings.optimizer,
                    timings.wall, gemmInPlace].map { $0 / count }
        let phases = try perRank(mine, communicator: communicator)
        var wall = [timings.wall]
        try communicator.allReduceMax(&wall)
        let scheduling = try perRank([clocks.cpuSeconds / count, clocks.involuntarySwitches / count],
                                     communicator: communicator)
        let lined = try gatherTimeline(timeline.events, communicator: communicator)
        let timelineSummary = lined.flatMap { CollectiveTimelineSummary(events: $0, steps: timings.steps) }
        let footprint = MemoryFootprint.measure(model: builder.model, optimizer: builder.optimizer, data: builder.data)
        let memory = try perRank([footprint.parameters, footprint.gradients, footprint.optimizerState, footprint.buffers,
                                  footprint.dataset, footprint.peakResident ?? 0, footprint.residentAnonymous ?? 0,
                                  footprint.residentFile ?? 0, footprint.store].map(Double.init),
                                 communicator: communicator)
        // 4. The overlap probe, with as much GEMM work as rank 0's backward pass.
        var overlap: OverlapBenchmark.Result?
        if communicator.worldSize > 1, let mpi = (communicator as? ProcessCommunicator)?.mpi {
            overlap = try OverlapBenchmark.run(communicator: mpi, floats: parameters,
                                               computeSeconds: max(phases[0][2], 0.002))
        }
        let environment = ProcessInfo.processInfo.environment
        let kernels = BLASRuntime.coreName + (environment["OPENBLAS_CORETYPE"].map { " (OPENBLAS_CORETYPE=\($0))" } ?? "")
        return BenchReport(kernels: kernels, worldSize: communicator.worldSize, exchange: builder.exchange,
                           decomposition: decomposition,
                           parameters: parameters, gemm: gemm, gemmPerStep: gemmPerStep, allReduce: allReduce,
                           allReduceSmall: small, phases: phases, memory: memory,
                           optimizerStateWhole: Double(builder.optimizer.stateBuffers.count * parameters
                                                       * MemoryLayout<Float>.stride),
                           overlap: overlap, timeline: communicator.worldSize > 1 ? timelineSummary : nil,
                           scheduling: scheduling, samplesPerSecond: Double(timings.samples) / max(wall[0], 1e-12))
    }

    private static func ms(_ seconds: Double) -> String { Format.fixed(seconds * 1000, 3) }

    /// Every rank's `mine` (the same length on every rank), in rank order, on every rank: each
    /// rank fills its own slot of a zero array and one sum all-reduce assembles the rows.
    private static func perRank(_ mine: [Double], communicator: Communicator) throws -> [[Double]] {
        var all = [Double](repeating: 0, count: mine.count * communicator.worldSize)
        for (index, value) in mine.enumerated() { all[communicator.rank * mine.count + index] = value }
        try communicator.allReduceSum(&all)
        return (0..<communicator.worldSize).map { Array(all[($0 * mine.count)..<(($0 + 1) * mine.count)]) }
    }

    /// Every rank's events (nil when the ranks recorded different numbers of calls).
    private static func gatherTimeline(_ events: [CollectiveTimeline.Event],
                                       communicator: Communicator) throws -> [[CollectiveTimeline.Event]]? {
        var counts = [Double(events.count), -Double(events.count)]
        try communicator.allReduceMax(&counts)
        guard counts[0] == -counts[1], events.count > 0 else { return nil }
        let rows = try perRank(events.flatMap { [Double($0.kind.rawValue), $0.enter, $0.leave] }, communicator: communicator)
        return rows.map { row in
            stride(from: 0, to: row.count, by: 3).map {
                CollectiveTimeline.Event(kind: CollectiveTimeline.Kind(rawValue: Int(row[$0])) ?? .small,
                                         enter: row[$0 + 1], leave: row[$0 + 2])
            }
        }
    }

    /// The counted bytes of one rank's `memory` row: parameters + gradients + optimizer state +
    /// buffers + dataset (everything but the peak).
    private static func counted(_ memory: [Double]) -> Double { memory[0..<5].reduce(0, +) }

    var table: String {
        var lines = ["dptrain bench | \(worldSize) rank\(worldSize == 1 ? "" : "s") | OpenBLAS kernels \(kernels), "
                        + "\(BLASRuntime.threadCount) thread(s) per rank | \(decomposition) | \(Format.grouped(Double(parameters))) parameters"
                        + " | exchange: \(exchange)",
                     "", "GEMM at the model's shapes (rank 0; C[m×n] += op(A)[m×k]·op(B)[k×n]):",
                     "  shape                        m      n      k  × per micro-batch   ms each   GFLOP/s"]
        for result in gemm {
            lines.append("  " + result.shape.label.padding(toLength: 22, withPad: " ", startingAt: 0)
                + String(format: " %6d %6d %6d  × %-15d %8.3f %9.1f", result.shape.m, result.shape.n, result.shape.k,
                         result.shape.count, result.seconds * 1000, result.gflops))
        }
        let flops = flopsPerStep
        lines.append("  per optimizer step: \(BenchReport.ms(gemmPerStep)) ms of GEMM (K = \(decomposition.accumulation)), "
            + "\(Format.fixed(flops / gemmPerStep / 1e9, 1)) GFLOP/s overall")
        if let allReduce, let small = allReduceSmall {
            lines += ["", "All-reduce (sum, in place, \(worldSize) ranks):",
                      "  \(Format.grouped(Double(allReduce.floats))) floats (\(Format.fixed(allReduce.bytes / 1e6, 2)) MB): "
                        + "\(BenchReport.ms(allReduce.seconds)) ms, algorithm bandwidth \(Format.fixed(allReduce.algorithmBandwidth, 2)) GB/s, "
                        + "bus bandwidth \(Format.fixed(allReduce.busBandwidth, 2)) GB/s",
                      "  1 float (latency): \(Format.fixed(small.seconds * 1e6, 1)) µs"]
        }
        lines += ["", "Training step (ms per optimizer step, steady state):",
                  "  rank " + BenchReport.phaseNames.map { $0.padding(toLength: 15, withPad: " ", startingAt: 0) }.joined()]
        for (rank, values) in phases.enumerated() {
            lines.append("  " + String(rank).padding(toLength: 5, withPad: " ", startingAt: 0)
                + values.map { BenchReport.ms($0).padding(toLength: 15, withPad: " ", startingAt: 0) }.joined())
        }
        let step = phases[0][5]
        let perRank = phases.map { Format.fixed(100 * $0[6] / max($0[5], 1e-12), 1) + "%" }.joined(separator: ", ")
        lines.append("  GEMM share of the step: \(Format.fixed(100 * gemmShare, 1))% measured in place "
            + "(time inside sgemm during the steps / step time, all ranks; per rank \(perRank)); "
            + "\(Format.fixed(100 * gemmPerStep / step, 1))% from the shapes timed alone")
        lines.append("  step / GEMM time = \(Format.fixed(step / gemmPerStep, 3)); exposed communication "
            + "\(BenchReport.ms(phases[0][3])) ms" + (allReduce.map { " (raw all-reduce \(BenchReport.ms($0.seconds)) ms)" } ?? ""))
        lines.append("  throughput: \(Format.grouped(samplesPerSecond)) samples/s; hardware ideal "
            + "\(Format.grouped(idealSamplesPerSecond)) samples/s (GEMMs at the model's shapes alone "
            + "\(BenchReport.ms(gemmPerStep)) ms" + (allReduce.map { " + raw all-reduce \(BenchReport.ms($0.seconds)) ms" } ?? "")
            + " per step); measured / ideal = \(Format.fixed(100 * ratioToIdeal, 1))%")
        lines.append("  GEMM over the whole step: \(Format.fixed(gflopsOverStep, 1)) GFLOP/s per rank"
            + (worldSize > 1 ? ", \(Format.fixed(gflopsOverStep * Double(worldSize), 1)) GFLOP/s for the \(worldSize) ranks" : "")
            + " (\(Format.fixed(flops / 1e9, 3)) GFLOP per rank and step)")
        if let timeline {
            let kinds = CollectiveTimeline.Kind.allCases.filter { kind in timeline.cells[0][kind.rawValue].calls > 0 }
            lines += ["", "Collectives of the measured steps, lined up over the ranks (ms per step; wait = until the last "
                        + "rank arrived, inside = after it; last = share of the calls this rank arrived last at; "
                        + "one clock per host):",
                      "  rank  between   " + kinds.map { ($0.label + " wait/inside/last").padding(toLength: 36, withPad: " ", startingAt: 0) }.joined()
                        + "CPU/step   involuntary switches/step"]
            for rank in 0..<timeline.worldSize {
                let cells = kinds.map { kind -> String in
                    let cell = timeline.cells[rank][kind.rawValue]
                    let last = Format.fixed(100 * Double(cell.lastArrivals) / Double(max(cell.calls, 1)), 0) + "%"
                    return "\(BenchReport.ms(cell.wait)) / \(BenchReport.ms(cell.inside)) / \(last)"
                        .padding(toLength: 36, withPad: " ", startingAt: 0)
                }
                lines.append("  " + String(rank).padding(toLength: 6, withPad: " ", startingAt: 0)
                    + BenchReport.ms(timeline.work[rank]).padding(toLength: 10, withPad: " ", startingAt: 0) + cells.joined()
                    + BenchReport.ms(scheduling[rank][0]).padding(toLength: 11, withPad: " ", startingAt: 0)
                    + Format.fixed(scheduling[rank][1], 1))
            }
            lines.append("  the ranks enter the gradient's collective \(BenchReport.ms(timeline.gradientSkewMedian)) ms apart "
                + "(median; 90th percentile \(BenchReport.ms(timeline.gradientSkewP90)) ms)")
        }
        if let overlap {
            lines += ["", "Overlap probe (can the all-reduce hide behind backward? GEMM work as long as rank 0's backward, "
                        + "in \(overlap.pieces) pieces; medians):",
                      "  compute alone \(BenchReport.ms(overlap.aloneSeconds)) ms; then a blocking all-reduce: "
                        + "\(BenchReport.ms(overlap.blockingSeconds)) ms (exposed \(BenchReport.ms(overlap.blockingExposed)) ms); "
                        + "non-blocking all-reduce started first, MPI_Test after each piece, waited at the end: "
                        + "\(BenchReport.ms(overlap.overlappedSeconds)) ms (exposed \(BenchReport.ms(overlap.overlappedExposed)) ms)"]
        }
        lines += ["", "Memory per rank (MB; counted = parameters + gradients + optimizer state + buffers + dataset;"
                    + " buffers = activations, their gradients and scratch at the largest batch seen;"
                    + " dataset = samples in this rank's own memory; anon/file = RssAnon/RssFile after training,"
                    + " file pages of the mapped store shared by the host's ranks):",
                  "  rank parameters  gradients  optimizer  buffers    dataset    counted    peak RSS   anon RSS   file RSS   peak/counted"]
        for (rank, values) in memory.enumerated() {
            let counted = BenchReport.counted(values)
            let cells = (Array(values[0..<5]) + [counted, values[5], values[6], values[7]]).map {
                Format.fixed($0 / 1e6, 1).padding(toLength: 11, withPad: " ", startingAt: 0)
            }
            lines.append("  " + String(rank).padding(toLength: 5, withPad: " ", startingAt: 0) + cells.joined()
                + (values[5] > 0 ? Format.fixed(values[5] / counted, 2) : "unknown"))
        }
        if let store = memory.first?[8], store > 0 {
            lines.append("  sample store: \(Format.fixed(store / 1e6, 1)) MB mapped read-only (one copy per host in the page cache)")
        }
        if optimizerStateWhole > 0 {
            let share = memory.map { Format.fixed(100 * $0[2] / optimizerStateWhole, 1) + "%" }.joined(separator: ", ")
            lines.append("  optimizer state per rank as a share of the whole state (\(Format.fixed(optimizerStateWhole / 1e6, 1)) MB): "
                + "\(share) (1/W = \(Format.fixed(100 / Double(worldSize), 1))% when the update is sharded, train.shard_optimizer)")
        }
        return lines.joined(separator: "\n")
    }

    /// The report as one JSON object (``JSONOutput``: non-finite values are `null`).
    var json: String {
        var fields: [String: Any?] = [
            "kernels": kernels, "world": worldSize, "exchange": exchange.key, "exchange_detail": exchange.description,
            "global_batch": decomposition.global,
            "micro_batch": decomposition.micro, "accumulation": decomposition.accumulation,
            "parameters": parameters, "gemm_seconds_per_step": gemmPerStep,
            "gemm_share_of_step": gemmShare,
            "gemm_share_of_step_from_shapes": gemmPerStep / max(phases[0][5], 1e-12),
            "samples_per_second": samplesPerSecond,
            "ideal_step_seconds": idealStepSeconds, "ideal_samples_per_second": idealSamplesPerSecond,
            "ratio_to_ideal": ratioToIdeal, "gemm_flops_per_step": flopsPerStep,
            "gemm_gflops_over_step": gflopsOverStep,
        ]
        fields["gemm"] = gemm.map { result -> [String: Any?] in
            ["shape": result.shape.label, "m": result.shape.m, "n": result.shape.n, "k": result.shape.k,
             "count": result.shape.count, "seconds": result.seconds, "gflops": result.gflops]
        }
        if let allReduce, let small = allReduceSmall {
            fields["allreduce"] = ["floats": allReduce.floats, "seconds": allReduce.seconds,
                                   "bus_bandwidth_gbs": allReduce.busBandwidth, "latency_seconds": small.seconds] as [String: Any?]
        }
        fields["ranks"] = phases.map { values -> [String: Any?] in
            Dictionary(uniqueKeysWithValues: zip(BenchReport.phaseNames, values).map { ("\($0)_seconds", $1 as Any?) })
        }
        if let timeline {
            fields["timeline"] = (0..<timeline.worldSize).map { rank -> [String: Any?] in
                var row: [String: Any?] = ["between_seconds": timeline.work[rank],
                                           "cpu_seconds": scheduling[rank][0],
                                           "involuntary_switches": scheduling[rank][1]]
                for kind in CollectiveTimeline.Kind.allCases where timeline.cells[rank][kind.rawValue].calls > 0 {
                    let cell = timeline.cells[rank][kind.rawValue]
                    row[kind.label.replacingOccurrences(of: "-", with: "_")] =
                        ["wait_seconds": cell.wait, "inside_seconds": cell.inside,
                         "last_arrivals": cell.lastArrivals, "calls": cell.calls] as [String: Any?]
                }
                return row
            }
            fields["gradient_entry_skew_seconds"] = ["median": timeline.gradientSkewMedian,
                                                      "p90": timeline.gradientSkewP90] as [String: Any?]
        }
        if let overlap {
            fields["overlap"] = ["compute_seconds": overlap.aloneSeconds, "blocking_seconds": overlap.blockingSeconds,
                                 "overlapped_seconds": overlap.overlappedSeconds, "pieces": overlap.pieces] as [String: Any?]
        }
        fields["memory"] = memory.map { values -> [String: Any?] in
            var bytes = Dictionary(uniqueKeysWithValues: zip(BenchReport.memoryNames, values).map {
                ("\($0)_bytes", BenchReport.wholeBytes($1))
            })
            bytes.updateValue(BenchReport.wholeBytes(BenchReport.counted(values)), forKey: "counted_bytes")
            return bytes
        }
        return JSONOutput.text(fields)
    }

    /// A byte count as a JSON integer (nil, printed as `null`, when it is not finite).
    private static func wholeBytes(_ value: Double) -> Any? { value.isFinite ? Int(value) : nil }

    /// The α-β prediction table (see ``ScalingModel``).
    var prediction: String {
        let rank0 = phases[0]
        let perSample = (rank0[0] + rank0[1] + rank0[2]) / Double(decomposition.micro * decomposition.accumulation)
        let model = ScalingModel(computePerSample: perSample, optimizerSeconds: rank0[4],
                                 gradientBytes: Double(parameters) * 4)
        var networks = [ScalingModel.Network.ethernet10, .infiniband100]
        if let allReduce, let small = allReduceSmall {
            networks.insert(.measured(smallSeconds: small.seconds, largeSeconds: allReduce.seconds,
                                      largeBytes: allReduce.bytes), at: 0)
        }
        var lines = ["", "Predicted scaling (α-β model; compute \(Format.fixed(perSample * 1e6, 2)) µs/sample, "
            + "optimizer \(BenchReport.ms(rank0[4])) ms/step, gradient \(Format.fixed(Double(parameters) * 4 / 1e6, 2)) MB):"]
        for network in networks {
            lines.append("  \(network.name): α = \(Format.fixed(network.alpha * 1e6, 2)) µs, "
                + "1/β = \(Format.fixed(1 / network.beta / 1e9, 2)) GB/s")
            lines.append("      W   fixed global batch \(decomposition.global): step ms  samples/s  eff.   | fixed per-rank batch \(decomposition.micro): step ms  samples/s  eff.")
            var ranks = 2
            while ranks <= 1024 {
                let global = model.predict(network: network, ranks: ranks,
                                           samplesPerRank: Double(decomposition.global) / Double(ranks))
                let local = model.predict(network: network, ranks: ranks, samplesPerRank: Double(decomposition.micro))
                lines.append(String(format: "   %5d   %38.3f %10.0f %5.1f%%   | %36.3f %10.0f %5.1f%%", ranks,
                                    global.stepSeconds * 1000, global.samplesPerSecond, global.efficiency * 100,
                                    local.stepSeconds * 1000, local.samplesPerSecond, local.efficiency * 100))
                ranks *= 2
            }
        }
        return lines.joined(separator: "\n")
    }
}

/// Restarts the step timings, the GEMM clock, the collective timeline and the CPU-time count
/// after the warm-up steps and stops them after the measured ones.
private final class BenchClocks: TrainingObserver {
    let warmup: Int
    let steps: Int
    let timeline: CollectiveTimeline
    /// CPU seconds of this process over the measured steps (user + system).
    private(set) var cpuSeconds = 0.0
    /// Involuntary context switches of this process over the measured steps.
    private(set) var involuntarySwitches = 0.0
    private var startUsage: (cpu: Double, switches: Double)?

    init(warmup: Int, steps: Int, timeline: CollectiveTimeline) {
        self.warmup = warmup
        self.steps = steps
        self.timeline = timeline
    }

    /// This process's CPU seconds and involuntary context switches so far (getrusage).
    private static func usage() -> (cpu: Double, switches: Double) {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6
        return (cpu, Double(usage.ru_nivcsw))
    }

    /// Starts the GEMM clock, the timeline and the CPU-time count.
    func start() {
        GEMMClock.start()
        timeline.isRecording = true
        startUsage = Self.usage()
    }

    /// Stops them (once; later calls do nothing).
    func stop() {
        guard let startUsage else { return }
        GEMMClock.stop()
        timeline.isRecording = false
        let now = Self.usage()
        cpuSeconds = now.cpu - startUsage.cpu
        involuntarySwitches = now.switches - startUsage.switches
        self.startUsage = nil
    }

    func trainer(_ trainer: Trainer, didStep progress: StepProgress) {
        if progress.step == warmup {
            trainer.resetTimings()
            start()
        }
        if progress.step == warmup + steps { stop() }
    }
}
