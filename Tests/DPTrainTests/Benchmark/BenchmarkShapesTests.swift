import DPTrain
import Foundation
import Testing

/// `dptrain bench` times GEMM at the shapes the layers really issue; these tests pin those
/// shapes to the layers' own products and check the command end to end on a convolution.
@Suite("Benchmark GEMM shapes")
struct BenchmarkShapesTests {
    @Test("a convolution issues forward, dW and dX products once per sample, with the flops of the convolution")
    func convolutionShapes() {
        // 3×3 convolution, 4 → 8 channels, 10×10 input, padding 1: OH·OW = 100, C·kh·kw = 36.
        let convolution = Conv2D(name: "conv2d.0", inputShape: [4, 10, 10], outputChannels: 8, kernel: (3, 3),
                                 stride: 1, padding: 1)
        let shapes = GEMMBenchmark.modelShapes([convolution], micro: 16)
        #expect(shapes.map(\.label) == ["conv2d.0 forward", "conv2d.0 dW", "conv2d.0 dX"])
        #expect(shapes.map { [$0.m, $0.n, $0.k, $0.count] } == [[8, 100, 36, 16], [8, 36, 100, 16], [36, 100, 8, 16]])
        // Each product costs the convolution's multiply-adds: 2·O·(OH·OW)·(C·kh·kw) per sample.
        for shape in shapes { #expect(shape.flops == 2 * 8 * 100 * 36) }
    }

    @Test("a Winograd convolution issues 16 products per chunk of samples, a last short chunk apart")
    func winogradShapes() throws {
        // 3×3, 16 → 8 channels, 10×10, padding 1: 5×5 = 25 tiles per sample, ⌊784/25⌋ = 31 samples
        // per chunk; micro-batch 40 = one chunk of 31 + a last chunk of 9.
        let convolution = Conv2D(name: "conv2d.0", inputShape: [16, 10, 10], outputChannels: 8, kernel: (3, 3),
                                 stride: 1, padding: 1)
        let chunk = try #require(convolution.winogradChunk)
        #expect(chunk.samples == 31 && chunk.tilesPerSample == 25)
        let shapes = GEMMBenchmark.modelShapes([convolution], micro: 40)
        #expect(shapes.map(\.label) == ["conv2d.0 forward", "conv2d.0 dW", "conv2d.0 dX",
                                        "conv2d.0 forward last", "conv2d.0 dW last", "conv2d.0 dX last"])
        #expect(shapes.map { [$0.m, $0.n, $0.k, $0.count] } == [
            [8, 775, 16, 16], [8, 16, 775, 16], [16, 775, 8, 16],
            [8, 225, 16, 16], [8, 16, 225, 16], [16, 225, 8, 16],
        ])
        // 16 multiply-adds per tile and channel pair: 2·16·O·C·tiles over the micro-batch, for
        // each of forward, dW and dX (against 2·9·O·C·(OH·OW) = 2·36·O·C·tiles directly).
        for pass in ["forward", "dW", "dX"] {
            let flops = shapes.filter { $0.label.hasPrefix("conv2d.0 \(pass)") }
                .reduce(0) { $0 + $1.flops * Double($1.count) }
            #expect(flops == 2 * 16 * 8 * 16 * 25 * 40)
        }
        // Fewer than 8 input channels, or another geometry: im2col + GEMM.
        #expect(Conv2D(name: "c", inputShape: [7, 10, 10], outputChannels: 8, kernel: (3, 3), stride: 1, padding: 1)
            .winogradChunk == nil)
        #expect(Conv2D(name: "c", inputShape: [16, 10, 10], outputChannels: 8, kernel: (3, 3), stride: 2, padding: 1)
            .winogradChunk == nil)
        #expect(Conv2D(name: "c", inputShape: [16, 10, 10], outputChannels: 8, kernel: (3, 3), stride: 1, padding: 0)
            .winogradChunk == nil)
    }

    @Test("residual blocks contribute their convolutions; layers without GEMMs contribute nothing")
    func residualAndOtherLayers() {
        // 2 → 4 channels with stride 2: conv1 (stride 2), conv2, and a 1×1 projection shortcut.
        let block = ResidualBlock.basic(name: "residual.0", inputShape: [2, 4, 4], channels: 4, stride: 2)
        let pool = MaxPool2D(name: "maxpool.1", inputShape: [4, 2, 2], kernel: 2)
        let dense = Dense(name: "dense.3", inputSize: 4, outputSize: 2)
        let shapes = GEMMBenchmark.modelShapes([block, pool, dense], micro: 5)
        let labels = shapes.map(\.label)
        #expect(labels.filter { $0.hasPrefix("residual.0.conv1 ") }.count == 3)
        #expect(labels.filter { $0.hasPrefix("residual.0.conv2 ") }.count == 3)
        #expect(labels.filter { $0.hasPrefix("residual.0.shortcut") }.count == 3)
        #expect(!labels.contains { $0.hasPrefix("maxpool") })
        #expect(Array(labels.suffix(3)) == ["dense.3 forward", "dense.3 dW", "dense.3 dX"])
        #expect(shapes.suffix(3).allSatisfy { $0.count == 1 })
        #expect(shapes.prefix(9).allSatisfy { $0.count == 5 })
    }

    @Test("dptrain bench on a CNN reports its convolution GEMMs and their share of the step")
    func benchOnAConvolutionNetwork() throws {
        let directory = try CommandRunner.temporaryDirectory("bench-cnn")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("cnn.yaml")
        try """
            name: bench-cnn
            output: \(directory.path)/run
            data: {dataset: fashion-mnist}
            model:
              input: [1, 28, 28]
              layers: [{conv2d: 8, kernel: 3, padding: 1, activation: relu}, {maxpool: 2}, {flatten: {}}, {dense: 10}]
            batch: {global: 32, micro: 32}
            """.write(to: config, atomically: true, encoding: .utf8)
        let result = try CommandRunner.dptrain(["bench", config.path, "--steps", "5", "--warmup", "2", "--json"], timeout: 120)
        #expect(result.status == 0, "\(result.combined)")
        let json = try benchJSON(result)
        let gemm = try #require(json["gemm"] as? [[String: Any]])
        let forward = try #require(gemm.first { $0["shape"] as? String == "conv2d.0 forward" })
        #expect(forward["m"] as? Int == 8 && forward["n"] as? Int == 784 && forward["k"] as? Int == 9)
        #expect(forward["count"] as? Int == 32)
        // The first layer's input gradient is never needed, so there is no conv2d.0 dX.
        #expect(!gemm.contains { $0["shape"] as? String == "conv2d.0 dX" })
        // Measured in place: the time inside sgemm is part of the step, never more.
        let share = try #require(json["gemm_share_of_step"] as? Double)
        #expect(share > 0 && share <= 1, "GEMM share \(share)")
        let ranks = try #require(json["ranks"] as? [[String: Any]])
        let inSGEMM = try #require(ranks.first?["in_sgemm_seconds"] as? Double)
        let step = try #require(ranks.first?["step_seconds"] as? Double)
        #expect(inSGEMM > 0 && inSGEMM <= step)
        // The hardware ideal: the GEMMs at these shapes alone (no all-reduce on one rank), the
        // measured rate against it, and the GEMM flops of the step over the measured step time.
        let flops = gemm.reduce(0.0) { total, shape in
            let m = Double(shape["m"] as? Int ?? 0), n = Double(shape["n"] as? Int ?? 0), k = Double(shape["k"] as? Int ?? 0)
            return total + 2 * m * n * k * Double(shape["count"] as? Int ?? 0)
        }
        // conv2d.0: forward and dW (no dX, first layer); dense.3: forward, dW and dX.
        let convolutionFlops: Double = 2 * 8 * 32 * 784 * 9, denseFlops: Double = 2 * 32 * 10 * 1568
        #expect(flops == 2 * convolutionFlops + 3 * denseFlops)
        #expect(json["gemm_flops_per_step"] as? Double == flops)
        let gemmSeconds = try #require(json["gemm_seconds_per_step"] as? Double)
        let idealStep = try #require(json["ideal_step_seconds"] as? Double)
        #expect(idealStep == gemmSeconds)
        let rate = try #require(json["samples_per_second"] as? Double)
        let ideal = try #require(json["ideal_samples_per_second"] as? Double)
        #expect(abs(ideal - 32 / gemmSeconds) <= 1e-9 * ideal)
        let ratio = try #require(json["ratio_to_ideal"] as? Double)
        #expect(abs(ratio - rate / ideal) <= 1e-9 * ratio)
        let gflops = try #require(json["gemm_gflops_over_step"] as? Double)
        #expect(abs(gflops - flops * rate / 32 / 1e9) <= 1e-9 * gflops)
        // Memory: the counted parts are exact for this model (8·1·3·3 + 8 + 10·1568 + 10 floats,
        // momentum-free SGD holds no state; Fashion-MNIST is read from the mapped sample store,
        // so no dataset bytes in the rank's own memory, and the store holds 70,000 × 784 uint8
        // pixels and an Int32 label each, page-aligned sections), and the process held at least
        // the counted bytes at its peak.
        let memory = try #require((json["memory"] as? [[String: Any]])?.first)
        let parameters = 4 * (8 * 9 + 8 + 10 * 1568 + 10)
        #expect(memory["parameters_bytes"] as? Int == parameters && memory["gradients_bytes"] as? Int == parameters)
        #expect(memory["optimizer_state_bytes"] as? Int == 0)
        #expect(memory["dataset_bytes"] as? Int == 0)
        let store = try #require(memory["store_bytes"] as? Int)
        #expect(store >= 70_000 * (784 + 4) && store < 70_000 * (784 + 4) + 6 * 4096 + 4096, "store \(store) bytes")
        let anonymous = try #require(memory["resident_anonymous_bytes"] as? Int)
        #expect(anonymous > 0 && anonymous < 70_000 * 784 * 4, "RssAnon \(anonymous): no Float32 copy of the data")
        let counted = try #require(memory["counted_bytes"] as? Int)
        let buffers = try #require(memory["buffers_bytes"] as? Int)
        // At least the conv output and its gradient for the largest batch (evaluation, 500 rows).
        #expect(buffers >= 2 * 500 * 8 * 784 * 4, "buffers \(buffers)")
        let peak = try #require(memory["peak_resident_bytes"] as? Int)
        #expect(peak >= counted, "peak RSS \(peak) below the counted \(counted) bytes")
    }

    @Test("dptrain bench under mpirun -np 2: both ranks, the all-reduce and the overlap probe")
    func benchOnTwoRanks() throws {
        let directory = try CommandRunner.temporaryDirectory("bench-two")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("mlp.yaml")
        try """
            name: bench-two
            data: {dataset: spirals, samples: 2048, test_samples: 256}
            model:
              input: [2]
              layers: [{dense: 256, activation: relu}, {dense: 256, activation: relu}, {dense: 2}]
            batch: {global: 256, micro: 128}
            """.write(to: config, atomically: true, encoding: .utf8)
        let result = try CommandRunner.mpirun(ranks: 2, ["bench", config.path, "--steps", "5", "--warmup", "2", "--json"],
                                              timeout: 180)
        #expect(result.status == 0, "\(result.combined)")
        let json = try benchJSON(result)
        #expect(json["world"] as? Int == 2)
        // Sharded (the default) on one host: the exchange goes through the node-shared window.
        #expect(json["exchange"] as? String == "shared_memory", "\(json["exchange_detail"] ?? "?")")
        #expect((json["ranks"] as? [[String: Any]])?.count == 2)
        #expect((json["memory"] as? [[String: Any]])?.count == 2)
        let allReduce = try #require(json["allreduce"] as? [String: Any])
        #expect(allReduce["floats"] as? Int == 2 * 256 + 256 + 256 * 256 + 256 + 256 * 2 + 2)
        // The probe ran on both ranks: the same work alone, then with each kind of all-reduce.
        let overlap = try #require(json["overlap"] as? [String: Any])
        let alone = try #require(overlap["compute_seconds"] as? Double)
        let blocking = try #require(overlap["blocking_seconds"] as? Double)
        let overlapped = try #require(overlap["overlapped_seconds"] as? Double)
        #expect(alone > 0 && blocking > 0 && overlapped > 0, "\(overlap)")
        #expect(overlap["pieces"] as? Int == 16)
    }
}

/// The JSON object `dptrain bench --json` printed as its last `{…}` line.
private func benchJSON(_ result: CommandRunner.Result) throws -> [String: Any] {
    let line = result.output.split(separator: "\n").last { $0.hasPrefix("{") }.map(String.init) ?? ""
    return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
}
