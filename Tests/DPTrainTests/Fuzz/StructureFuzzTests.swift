import DPTrain
import Foundation
import Testing

/// Structure-aware fuzzing of every reader through the command line, under a 2 GB address-space
/// limit and a time limit per input: inputs whose structure lies (huge declared dimensions,
/// nested aliases, deep nesting, long lines, wide headers, shapes and offsets past the data)
/// must end with a clean exit — 0 or a one-line error — never a crash, a hang or an
/// allocation failure. Byte-flip fuzzing of the same parsers is ``ParserFuzzTests``.
///
/// The suite runs a few inputs per reader; `DPTRAIN_FUZZ_SECONDS=300` runs each reader for
/// that long (the README quotes the 5-minute pass), and `DPTRAIN_FUZZ_READERS=npz,csv` limits a
/// long pass to some readers (so two passes can share the cores).
@Suite("Structure-aware fuzzing under limits", .serialized)
struct StructureFuzzTests {
    static var budget: Double? { Double(ProcessInfo.processInfo.environment["DPTRAIN_FUZZ_SECONDS"] ?? "") }
    static let inputsPerReader = 3
    static let timeLimit = 20.0

    enum Reader: String, CaseIterable, Sendable {
        case config, study, idx, npy, npz, csv, checkpoint, safetensors
    }

    /// One hostile input of `reader` in `directory`, and the dptrain arguments that read it.
    static func input(_ reader: Reader, _ generator: inout SplitMix64, in directory: URL,
                      samples: (checkpoint: [UInt8], safetensors: [UInt8])) throws -> [String] {
        func pick<T>(_ values: [T]) -> T { values[generator.nextInt(below: values.count)] }
        func write(_ name: String, _ bytes: [UInt8]) throws -> String {
            let url = directory.appendingPathComponent(name)
            try Data(bytes).write(to: url)
            return url.path
        }
        func config(_ data: String, _ input: String) throws -> [String] {
            ["train", try write("fuzz.yaml", Array(HostileInputs.config(data: data, input: input).utf8)), "--dry-run"]
        }
        let huge: [UInt32] = [0, 1, 28, 65_535, 1 << 24, 0x7FFF_FFFF, 0xFFFF_FFFF]
        switch reader {
        case .config, .study:
            let text = pick([
                StructuredInputGenerators.billionLaughs(levels: 2 + generator.nextInt(below: 12),
                                                        fanout: 2 + generator.nextInt(below: 12), prefix: ["name: bomb"]),
                "name: deep\nmodel: " + StructuredInputGenerators.nestedFlowLists(depth: pick([100, 10_000, 200_000])),
                StructuredInputGenerators.nestedBlockLists(depth: pick([100, 10_000])),
                "name: " + String(repeating: "x", count: pick([1 << 16, 1 << 22, 1 << 24])) + "\n",
                (0..<pick([1_000, 100_000])).map { "k\($0): \($0)" }.joined(separator: "\n"),
            ])
            let file = try write("fuzz.yaml", Array(text.utf8))
            return reader == .config ? ["train", file, "--dry-run"] : ["study", file, "--dry-run"]
        case .idx:
            let root = directory.appendingPathComponent("idx")
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            let dimensions = (0..<(1 + generator.nextInt(below: 4))).map { _ in pick(huge) }
            let type = pick([0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E, 0x42] as [UInt8])
            let images = HostileInputs.idx(type: type, dimensions: dimensions, payload: [UInt8](repeating: 1, count: 256))
            // The labels file lies too: its declared count, its values (255 in 10 classes), its
            // rank, its type (floats that are NaN), or a count that differs from the images'.
            let labels = pick([
                HostileInputs.idx(dimensions: [pick(huge)], payload: [UInt8](repeating: 0, count: 64)),
                HostileInputs.idx(dimensions: [64], payload: [UInt8](repeating: 0xFF, count: 64)),
                HostileInputs.idx(dimensions: [8, 8], payload: [UInt8](repeating: 1, count: 64)),
                HostileInputs.idx(type: 0x0D, dimensions: [16], payload: [UInt8](repeating: 0xFF, count: 64)),
                HostileInputs.idx(dimensions: [3], payload: [0, 1, 2]),
            ])
            let gzip = generator.nextInt(below: 2) == 0
            for (stem, bytes) in [("train-images-idx3-ubyte", images), ("train-labels-idx1-ubyte", labels),
                                  ("t10k-images-idx3-ubyte", images), ("t10k-labels-idx1-ubyte", labels)] {
                try FileManager.default.removeItem(atPath: root.appendingPathComponent(stem).path + ".gz", ifExists: true)
                try FileManager.default.removeItem(atPath: root.appendingPathComponent(stem).path, ifExists: true)
                _ = try write("idx/" + stem + (gzip ? ".gz" : ""), gzip ? Gzip.compress(bytes) : bytes)
            }
            return try config("{dataset: idx, path: \(root.path)}", "[1, 28, 28]")
        case .npz:
            // A zip (as numpy.savez_compressed writes it) whose x.npy lies about its shape, its
            // deflate stream holding up to 256 MiB of zeros, or whose zip directory lies.
            let shape = pick(["(2147483648,)", "(4294967296, 4294967296)", "(100000, 100000)", "(-3,)", "(16,)"])
            let header = HostileInputs.npy(descr: pick(["<f4", "<f8", "|u1"]), shape: shape, payload: 0)
            let bomb = ZeroBomb(prefix: header, zeroCount: pick([0, 64, 1 << 20, 1 << 28]), gzip: false)
            var archive = zipArchive([("x.npy", bomb.compressed, bomb.crc, bomb.size),
                                      deflatedMember("y.npy", HostileInputs.npy(descr: "<i8", shape: "(16,)", payload: 128))])
            if generator.nextInt(below: 3) == 0 {
                // Lie in the local header's uncompressed size (bytes 22–25 of the first member).
                for offset in 22..<26 { archive[offset] = 0xFF }
            }
            return try config("{dataset: npy, train: \(try write("fuzz.npz", archive))}", "[1]")
        case .npy:
            let shape = pick(["(2147483648,)", "(4294967296, 4294967296)", "(-1,)", "(9223372036854775807,)",
                              "(" + String(repeating: "2, ", count: 70) + ")", "(100000, 100000)", "(3,)"])
            let descr = pick(["<f4", "<f8", "|u1", "<i8", ">f4", "<c16", "O"])
            if generator.nextInt(below: 2) == 0 {
                // Valid features, hostile labels: type, shape, count and values (−1, NaN).
                let x = try write("x.npy", HostileInputs.npy(descr: "<f4", shape: "(3, 1)", payload: 12))
                _ = try write("y.npy", HostileInputs.npy(
                    descr: pick(["<i8", "<i4", "|u1", "<f4", "<f8", ">i8", "|b1", "<U3"]),
                    shape: pick(["(3,)", "(2,)", "(2147483648,)", "(3, 2)", "(-1,)", "(0,)", "()"]),
                    payload: pick([0, 3, 24, 4096]), fill: pick([0, 0xFF, 0x7F])))
                return try config("{dataset: npy, train: \(x)}", "[1]")
            }
            let x = try write("x.npy", HostileInputs.npy(descr: descr, shape: shape, payload: pick([0, 12, 4096])))
            _ = try write("y.npy", HostileInputs.npy(descr: "<i8", shape: "(3,)", payload: 24))
            return try config("{dataset: npy, train: \(x)}", "[1]")
        case .csv:
            let text = pick([
                HostileInputs.wideCSV(width: pick([10_000, 1_000_000])),
                "a,label\n" + String(repeating: "9", count: pick([1 << 20, 1 << 24])) + ",1\n",
                "a,label\n" + String(repeating: "1,0\n", count: pick([10, 1 << 20])),
                String(repeating: ",", count: 1 << 20) + "\n",
                // Hostile label columns: negative, past the classes, fractional, not finite, empty.
                "a,label\n1,-1\n2,0\n",
                "a,label\n1,300\n2,9223372036854775808\n",
                "a,label\n1,0.5\n2,1\n",
                "a,label\n1,nan\n2,1e400\n",
                "a,label\n1,\n2,1\n",
            ])
            return try config("{dataset: csv, train: \(try write("fuzz.csv", Array(text.utf8)))}", "[1]")
        case .checkpoint:
            return ["inspect", try write("fuzz.ckpt", mutateCheckpoint(samples.checkpoint, &generator))]
        case .safetensors:
            return ["inspect", try write("fuzz.safetensors", mutateSafetensors(samples.safetensors, &generator))]
        }
    }

    /// A checkpoint whose JSON header lies about sizes (parameter count, shapes, header length,
    /// shapes that disagree with the parameter count), with a recomputed CRC so the lie reaches
    /// the parser.
    static func mutateCheckpoint(_ bytes: [UInt8], _ generator: inout SplitMix64) -> [UInt8] {
        let length = Int(bytes[12..<20].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
        var header = String(decoding: bytes[20..<(20 + length)], as: UTF8.self)
        var lengthField = UInt64(0)
        switch generator.nextInt(below: 7) {
        case 0: header = header.replacingOccurrences(of: "\"parameterCount\":", with: "\"parameterCount\":9000000000000")
        case 1: header = header.replacingOccurrences(of: "\"shape\":[", with: "\"shape\":[4294967296,4294967296,")
        case 2: lengthField = UInt64.max >> UInt64(generator.nextInt(below: 40))
        // Plausible lies: shapes that are small and valid but do not add up to parameterCount
        // (the payload still matches parameterCount, so only the cross-check can tell).
        case 3: header = header.replacingOccurrences(of: "\"shape\":[", with: "\"shape\":[\(2 + generator.nextInt(below: 3)),")
        case 4:
            var entries = header.components(separatedBy: "\"shape\":[")
            let index = 1 + generator.nextInt(below: max(entries.count - 1, 1))
            if index < entries.count { entries[index] = "0," + entries[index] }  // one tensor of no elements
            header = entries.joined(separator: "\"shape\":[")
        case 5: header = header.replacingOccurrences(of: "\"parameterCount\":", with: "\"parameterCount\":1")
        default: header = String(repeating: "[", count: 100_000) + header
        }
        var out = Array(bytes[0..<12])
        let newLength = lengthField > 0 ? lengthField : UInt64(header.utf8.count)
        out += withUnsafeBytes(of: newLength.littleEndian) { Array($0) }
        out += Array(header.utf8) + Array(bytes[(20 + length)..<(bytes.count - 4)])
        let crc = Checkpoint.crc(Data(out))
        return out + withUnsafeBytes(of: crc.littleEndian) { Array($0) }
    }

    /// A safetensors file whose header lies (shapes, offsets, header length, nesting).
    static func mutateSafetensors(_ bytes: [UInt8], _ generator: inout SplitMix64) -> [UInt8] {
        let length = Int(bytes[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
        var header = String(decoding: bytes[8..<(8 + length)], as: UTF8.self)
        let data = Array(bytes[(8 + length)...])
        switch generator.nextInt(below: 4) {
        case 0: header = header.replacingOccurrences(of: "\"shape\":[", with: "\"shape\":[4294967296,4294967296,")
        case 1: header = header.replacingOccurrences(of: "\"data_offsets\":[", with: "\"data_offsets\":[9000000000000000,")
        case 2:
            let length = UInt64(1) << UInt64(20 + generator.nextInt(below: 43))
            return Array(StructuredInputGenerators.safetensors(headerJSON: Data(header.utf8), declaredHeaderLength: length)) + data
        default: header = String(repeating: "{\"a\":", count: 50_000) + "1" + String(repeating: "}", count: 50_000)
        }
        return Array(StructuredInputGenerators.safetensors(headerJSON: Data(header.utf8))) + data
    }

    /// A real checkpoint and safetensors file of a 2-step spirals run, to mutate.
    static func samples(in directory: URL) throws -> (checkpoint: [UInt8], safetensors: [UInt8]) {
        let config = directory.appendingPathComponent("base.yaml")
        try StudyTestSupport.spiralsBase.write(to: config, atomically: true, encoding: .utf8)
        let output = directory.appendingPathComponent("run")
        let result = try CommandRunner.run(CommandRunner.dptrainPath,
                                           ["train", config.path, "output=\(output.path)", "train.max_steps=2", "--quiet"])
        try #require(result.status == 0, "\(result.combined)")
        let checkpoint = try #require(RunDirectory.checkpointFiles(in: output).last)
        return (Array(try Data(contentsOf: checkpoint)),
                Array(try Data(contentsOf: output.appendingPathComponent("final.safetensors"))))
    }

    /// The readers to fuzz: `DPTRAIN_FUZZ_READERS` (comma-separated names), or all.
    static var selected: [Reader] {
        guard let names = ProcessInfo.processInfo.environment["DPTRAIN_FUZZ_READERS"], !names.isEmpty else {
            return Reader.allCases
        }
        return names.split(separator: ",").compactMap { Reader(rawValue: String($0)) }
    }

    @Test("every reader ends cleanly on hostile structure under 2 GB and a time limit", arguments: selected)
    func reader(_ reader: Reader) throws {
        let directory = try HostileInputTests.directory("fuzz-\(reader.rawValue)")
        var failed = false
        // A failing input is kept (its directory is named in the message) to reproduce it.
        defer { if !failed { try? FileManager.default.removeItem(at: directory) } }
        let samples = try Self.samples(in: directory)
        var generator = SplitMix64(keys: 21, UInt64(Reader.allCases.firstIndex(of: reader)!))
        let started = Date()
        var inputs = 0
        while inputs < Self.inputsPerReader || Date().timeIntervalSince(started) < (Self.budget ?? 0) {
            let arguments = try Self.input(reader, &generator, in: directory, samples: samples)
            let result = try LimitedProcess.run(CommandRunner.dptrainPath, arguments,
                                                addressSpace: HostileInputTests.addressSpace,
                                                timeout: Self.timeLimit, directory: directory)
            let context = "\(reader) input \(inputs) (\(arguments.joined(separator: " "))): \(result.error.prefix(400))"
            #expect(result.signal == nil, "crash: \(context)")
            #expect(!result.timedOut, "hang past \(Self.timeLimit) s: \(context)")
            #expect(result.status == 0 || result.status == 1, "exit \(result.status): \(context)")
            #expect(!result.error.contains("Fatal error"), "\(context)")
            if result.signal != nil || result.timedOut || !(result.status == 0 || result.status == 1) {
                failed = true
                break
            }
            inputs += 1
        }
        if Self.budget != nil { print("structure fuzz \(reader): \(inputs) inputs in \(Int(Date().timeIntervalSince(started))) s") }
    }
}

extension FileManager {
    /// Removes `path` when it exists.
    func removeItem(atPath path: String, ifExists: Bool) throws {
        if fileExists(atPath: path) { try removeItem(atPath: path) }
    }
}
