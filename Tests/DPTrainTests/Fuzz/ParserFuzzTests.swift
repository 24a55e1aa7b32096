import Foundation
import Testing
import DPTrain

/// Seeded mutation fuzzing of the parsers that read untrusted bytes: IDX (and gzip), the
/// config parser, checkpoints and safetensors. Each mutated input must either parse or throw
/// a typed error — never crash, trap on overflow, or allocate from an unchecked header value.
/// The suite runs a short budget; set `DPTRAIN_FUZZ_SECONDS` for long runs (the README quotes a
/// 5-minute run per parser).
@Suite("Parser fuzzing")
struct ParserFuzzTests {
    static var budget: Double {
        Double(ProcessInfo.processInfo.environment["DPTRAIN_FUZZ_SECONDS"] ?? "") ?? 2
    }

    /// Applies 1–4 random mutations: bit flips, byte sets to extreme values, truncation,
    /// insertion, duplication of a range, and 32-bit big/little-endian "huge count" writes.
    static func mutate(_ input: [UInt8], _ generator: inout SplitMix64) -> [UInt8] {
        var bytes = input
        for _ in 0..<(1 + generator.nextInt(below: 4)) {
            guard !bytes.isEmpty else { bytes = [UInt8(truncatingIfNeeded: generator.next())]; continue }
            let position = generator.nextInt(below: bytes.count)
            switch generator.nextInt(below: 7) {
            case 0: bytes[position] ^= UInt8(1 << generator.nextInt(below: 8))
            case 1: bytes[position] = [0, 0xFF, 0x7F, 0x80][generator.nextInt(below: 4)]
            case 2: bytes.removeSubrange(position...)
            case 3: bytes.insert(UInt8(truncatingIfNeeded: generator.next()), at: position)
            case 4:
                let end = min(bytes.count, position + 1 + generator.nextInt(below: 64))
                bytes.insert(contentsOf: bytes[position..<end], at: position)
            default:
                let huge: [UInt8] = [0x7F, 0xFF, 0xFF, 0xF0]
                for (offset, byte) in (generator.nextInt(below: 2) == 0 ? huge : huge.reversed()).enumerated()
                    where position + offset < bytes.count {
                    bytes[position + offset] = byte
                }
            }
        }
        return bytes
    }

    /// Runs `body` on mutations of `seed` input for the budget (mutations that leave the bytes
    /// unchanged, such as flipping one bit twice, are skipped); returns (runs, accepted).
    static func fuzz(_ seedInput: [UInt8], seed: UInt64, _ body: ([UInt8]) throws -> Void) -> (Int, Int) {
        var generator = SplitMix64(seed: seed)
        let deadline = Date().addingTimeInterval(budget)
        var runs = 0, accepted = 0
        while Date() < deadline {
            let input = mutate(seedInput, &generator)
            if input == seedInput { continue }
            do { try body(input); accepted += 1 } catch {}
            runs += 1
        }
        return (runs, accepted)
    }

    static func temporaryFile(_ name: String) throws -> URL {
        try CommandRunner.temporaryDirectory("fuzz").appendingPathComponent(name)
    }

    @Test("IDX image files (gzip and raw)")
    func idx() throws {
        var image: [UInt8] = [0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 4]
        image += (0..<48).map { UInt8($0 * 5 % 256) }
        let labels: [UInt8] = [0, 0, 8, 1, 0, 0, 0, 3, 1, 2, 3]
        let imageFile = try Self.temporaryFile("images-idx3-ubyte")
        let labelFile = imageFile.deletingLastPathComponent().appendingPathComponent("labels-idx1-ubyte")
        defer { try? FileManager.default.removeItem(at: imageFile.deletingLastPathComponent()) }
        try Data(labels).write(to: labelFile)
        let raw = Self.fuzz(image, seed: 1) { bytes in
            try Data(bytes).write(to: imageFile)
            _ = try IDXReader.load(imagesPath: imageFile.path, labelsPath: labelFile.path, classCount: 10)
        }
        let gzipFile = imageFile.appendingPathExtension("gz")
        let compressed = Gzip.compress(image)
        let gzip = Self.fuzz(compressed, seed: 2) { bytes in
            try Data(bytes).write(to: gzipFile)
            _ = try IDXReader.load(imagesPath: gzipFile.path, labelsPath: labelFile.path, classCount: 10)
        }
        #expect(raw.0 > 50 && gzip.0 > 50)
        #expect(raw.1 < raw.0)  // most mutations are rejected…
    }

    @Test("config parser")
    func config() throws {
        let text = Array("""
            name: fuzz
            data: {dataset: spirals, samples: 64}
            model: {input: [2], layers: [{dense: 4, activation: relu}, {dropout: 0.1}, {dense: 2}]}
            optimizer: {name: adam, lr: 0.01, betas: [0.9, 0.99]}
            batch: {global: 32, micro: 8, schedule: [{epoch: 1, factor: 2}]}
            lr_schedule: {name: multistep, milestones: [1, 2], warmup: {epochs: 0.5}}
            train: {epochs: 3, early_stopping: {criterion: none}}
            """.utf8)
        let (runs, accepted) = Self.fuzz(text, seed: 3) { bytes in
            let yaml = String(decoding: bytes, as: UTF8.self)
            _ = try TrainingConfig(try ConfigValue.parse(yaml: yaml, file: "fuzz.yaml"))
        }
        #expect(runs > 50 && accepted > 0)
    }

    @Test("checkpoints")
    func checkpoint() throws {
        let config = try TrainingTestSupport.config(TrainingTestSupport.spirals, ["model.layers.0.dense=4", "model.layers.2.dense=4"])
        let builder = try RunBuilder(config: config, communicator: LocalCommunicator())
        let bytes = Array(try builder.makeTrainer(writeRunDirectory: false).makeCheckpoint().serialized())
        let (runs, accepted) = Self.fuzz(bytes, seed: 4) { mutated in
            _ = try Checkpoint.parse(Data(mutated), file: "fuzz.ckpt")
        }
        #expect(runs > 50)
        #expect(accepted == 0)  // the CRC catches every mutation
    }

    @Test("checkpoints with the checksum recomputed: the header and payload parser behind the CRC")
    func checkpointBehindTheChecksum() throws {
        let config = try TrainingTestSupport.config(TrainingTestSupport.spirals, ["model.layers.0.dense=4", "model.layers.2.dense=4"])
        let builder = try RunBuilder(config: config, communicator: LocalCommunicator())
        let trainer = try builder.makeTrainer(writeRunDirectory: false)
        let bytes = Array(try trainer.makeCheckpoint().serialized())
        let body = Array(bytes.dropLast(4))
        let (runs, accepted) = Self.fuzz(body, seed: 6) { mutated in
            // A damaged file whose CRC happens to match (or a hand-edited one): every field is
            // still checked — magic, version, header length, JSON, payload size, then the fit.
            var data = Data(mutated)
            var crc = Checkpoint.crc(data).littleEndian
            withUnsafeBytes(of: &crc) { data.append(contentsOf: $0) }
            let checkpoint = try Checkpoint.parse(data, file: "fuzz.ckpt")
            try checkpoint.validate(against: trainer.model.store, optimizer: trainer.optimizer, file: "fuzz.ckpt")
        }
        #expect(runs > 50)
        #expect(accepted < runs)  // most mutations are caught behind the checksum too
    }

    @Test("safetensors")
    func safetensors() throws {
        let file = SafeTensors(tensors: [.init(name: "dense.0.weight", shape: [2, 3], values: [1, 2, 3, 4, 5, 6]),
                                         .init(name: "dense.0.bias", shape: [2], values: [0.5, -0.5])],
                               metadata: ["format": "dptrain"])
        let (runs, _) = Self.fuzz(Array(try file.serialized()), seed: 5) { mutated in
            _ = try SafeTensors.parse(Data(mutated), file: "fuzz.safetensors")
        }
        #expect(runs > 50)
    }
}
