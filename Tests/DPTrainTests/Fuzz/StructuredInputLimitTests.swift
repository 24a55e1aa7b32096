import Foundation
import Testing
import DPTrain

/// Issue 21, structured inputs: YAML configs, study files, overrides, and the JSON/YAML inside
/// checkpoints and safetensors files. Each hostile file (from ``StructuredInputGenerators``)
/// must be refused quickly with the exact error kind and a message naming the file; each limit
/// leaves legitimate inputs alone.
@Suite("Structured input limits")
struct StructuredInputLimitTests {
    /// A hostile input must be refused in well under this (the issue allows 5 s end to end).
    static let quick: Duration = .seconds(1)

    /// Runs `body`, which must throw; returns the error and how long it took.
    static func refusal(_ body: () throws -> Void) -> (error: Error?, elapsed: Duration) {
        var caught: Error?
        let elapsed = ContinuousClock().measure {
            do { try body() } catch { caught = error }
        }
        return (caught, elapsed)
    }

    static func write(_ text: String, _ name: String) throws -> String {
        let url = try CommandRunner.temporaryDirectory("limits").appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    static func write(_ data: Data, _ name: String) throws -> String {
        let url = try CommandRunner.temporaryDirectory("limits").appendingPathComponent(name)
        try data.write(to: url)
        return url.path
    }

    /// A real checkpoint of the small spirals model.
    static func legitimateCheckpoint() throws -> Checkpoint {
        let config = try TrainingTestSupport.config(TrainingTestSupport.spirals, ["model.layers.0.dense=4", "model.layers.2.dense=4"])
        let builder = try RunBuilder(config: config, communicator: LocalCommunicator())
        return try builder.makeTrainer(writeRunDirectory: false).makeCheckpoint()
    }

    // MARK: - YAML: alias bombs

    @Test("generator: the billion-laughs file is under 1 KB and really nests aliases 10 levels")
    func billionLaughsGenerator() {
        let bomb = StructuredInputGenerators.billionLaughs()
        #expect(bomb.utf8.count < 1024)
        #expect(bomb.contains("lol9: &lol9 [*lol8, *lol8, *lol8, *lol8, *lol8, *lol8, *lol8, *lol8, *lol8, *lol8]"))
    }

    @Test("a billion-laughs config file is refused at its first anchor, naming file and line")
    func configAliasBomb() throws {
        let file = try Self.write(StructuredInputGenerators.billionLaughs(prefix: ["name: bomb", "seed: 1"]), "bomb.yaml")
        let (error, elapsed) = Self.refusal { _ = try TrainingConfig.load(file: file) }
        #expect(error as? ConfigError == .anchorsNotSupported(file: file, line: 3))
        #expect("\(error!)" == "\(file): line 3: YAML anchors and aliases (&name / *name) are not supported in "
            + "dptrain configs; write the values out")
        #expect(elapsed < Self.quick)
    }

    @Test("a billion-laughs study file is refused the same way")
    func studyAliasBomb() throws {
        let file = try Self.write(StructuredInputGenerators.billionLaughs(prefix: ["base: ../x.yaml"]), "bomb-study.yaml")
        let (error, elapsed) = Self.refusal { _ = try Study.load(file: file) }
        #expect(error as? ConfigError == .anchorsNotSupported(file: file, line: 2))
        #expect("\(error!)".contains(file))
        #expect(elapsed < Self.quick)
    }

    @Test("a billion-laughs key=value override is refused, naming the override")
    func overrideAliasBomb() throws {
        let override = "model.layers=" + StructuredInputGenerators.billionLaughsFlow()
        let base = try ConfigValue.parse(yaml: TrainingTestSupport.spirals, file: "spirals.yaml")
        let (error, elapsed) = Self.refusal { _ = try base.applying(overrides: [override]) }
        #expect(error as? ConfigError == .anchorsNotSupported(file: "override '\(override)'", line: 1))
        #expect(elapsed < Self.quick)
    }

    @Test("a billion-laughs config saved in a checkpoint header is refused when the checkpoint is read")
    func checkpointConfigAliasBomb() throws {
        let legitimate = try Self.legitimateCheckpoint()
        var header = legitimate.header
        header.config = StructuredInputGenerators.billionLaughs()
        let file = try Self.write(try StructuredInputGenerators.checkpoint(header: header, payloadFloats: legitimate.payload.count),
                                  "bomb.ckpt")
        let (error, elapsed) = Self.refusal { _ = try Checkpoint.read(from: URL(fileURLWithPath: file)) }
        #expect(error as? CheckpointError
            == .savedConfig(file: file, problem: .anchorsNotSupported(file: "its saved config", line: 1)))
        #expect("\(error!)".hasPrefix("checkpoint \(file) is not valid: its saved config: line 1: YAML anchors"))
        #expect(elapsed < Self.quick)
    }

    @Test("one harmless anchor is refused too: the rule is no anchors, not a budget")
    func singleAnchor() {
        #expect(throws: ConfigError.anchorsNotSupported(file: "a.yaml", line: 2)) {
            try ConfigValue.parse(yaml: "name: x\nlr: &rate 0.1\nother: 1\n", file: "a.yaml")
        }
        #expect(throws: ConfigError.anchorsNotSupported(file: "m.yaml", line: 2)) {
            try ConfigValue.parse(yaml: "base: {a: 1}\nmerged: {<<: *base}\n", file: "m.yaml")
        }
    }

    @Test("'&' and '*' inside values are text, not anchors")
    func ampersandAndAsteriskInValues() throws {
        let tree = try ConfigValue.parse(yaml: "name: a&b*c\nnote: '*quoted'\nother: \"&also\"\n# *comment &x\n", file: "ok.yaml")
        #expect(tree.value(at: "name") == .scalar("a&b*c", line: 1))
        #expect(tree.value(at: "note") == .scalar("*quoted", line: 2))
        #expect(tree.value(at: "other") == .scalar("&also", line: 3))
    }

    // MARK: - YAML: depth and size

    @Test("100,000 nested flow lists are refused, not a stack overflow", arguments: [100_000, 65])
    func deepFlowYAML(depth: Int) throws {
        let file = try Self.write(StructuredInputGenerators.nestedFlowLists(depth: depth), "deep.yaml")
        let (error, elapsed) = Self.refusal { _ = try TrainingConfig.load(file: file) }
        #expect(error as? ConfigError == .nestedTooDeep(file: file, line: 1, limit: YAMLInputLimits.maxDepth))
        #expect("\(error!)".hasPrefix("\(file): line 1: lists and maps nest more than 64 levels deep"))
        #expect(elapsed < Self.quick)
    }

    @Test("100,000 nested block lists on one line are refused")
    func deepBlockYAML() throws {
        let (error, elapsed) = Self.refusal {
            _ = try ConfigValue.parse(yaml: StructuredInputGenerators.nestedBlockLists(depth: 100_000), file: "deep.yaml")
        }
        #expect(error as? ConfigError == .nestedTooDeep(file: "deep.yaml", line: 1, limit: YAMLInputLimits.maxDepth))
        #expect(elapsed < Self.quick)
    }

    @Test("nesting up to the limit still parses")
    func nestingAtTheLimit() throws {
        let tree = try ConfigValue.parse(yaml: StructuredInputGenerators.nestedFlowLists(depth: YAMLInputLimits.maxDepth), file: "ok.yaml")
        guard case .list = tree else { Issue.record("expected a list, got \(tree)"); return }
    }

    @Test("a config file over 1 MiB is refused before it is read, with its size and the limit")
    func oversizedConfigFile() throws {
        let text = "name: big\n" + String(repeating: "# padding\n", count: YAMLInputLimits.maxBytes / 10 + 1)
        let file = try Self.write(text, "big.yaml")
        let (error, elapsed) = Self.refusal { _ = try TrainingConfig.load(file: file) }
        #expect(error as? ConfigError == .tooLarge(file: file, bytes: text.utf8.count, limit: YAMLInputLimits.maxBytes))
        #expect("\(error!)".hasPrefix("\(file) is 1.0 MiB (1,048,590 bytes); dptrain reads config and study files of at most 1 MiB"))
        #expect(elapsed < Self.quick)
        let (studyError, _) = Self.refusal { _ = try Study.load(file: file) }
        #expect(studyError as? ConfigError == .tooLarge(file: file, bytes: text.utf8.count, limit: YAMLInputLimits.maxBytes))
    }

    @Test("an endless stream given as the config (/dev/zero) is refused after 1 MiB + 1 byte")
    func endlessConfigStream() throws {
        let (error, elapsed) = Self.refusal { _ = try TrainingConfig.load(file: "/dev/zero") }
        #expect(error as? ConfigError == .tooLarge(file: "/dev/zero", bytes: YAMLInputLimits.maxBytes + 1, limit: YAMLInputLimits.maxBytes))
        #expect("\(error!)".hasPrefix("/dev/zero is larger than 1 MiB; dptrain reads config and study files of at most 1 MiB"))
        #expect(elapsed < Self.quick)
    }

    @Test("YAML syntax errors are still reported by the parser")
    func syntaxErrorsPassThrough() {
        #expect {
            try ConfigValue.parse(yaml: "a: [1, 2\nb: 3\n", file: "broken.yaml")
        } throws: { error in
            guard case let .yaml(file, _)? = error as? ConfigError else { return false }
            return file == "broken.yaml"
        }
    }

    // MARK: - Checkpoints

    @Test("checkpoint: a legitimate checkpoint still round-trips")
    func checkpointRoundTrip() throws {
        let checkpoint = try Self.legitimateCheckpoint()
        let parsed = try Checkpoint.parse(try checkpoint.serialized(), file: "ok.ckpt")
        #expect(parsed.header == checkpoint.header)
        #expect(parsed.payload == checkpoint.payload)
    }

    /// A CRC-valid checkpoint whose first tensor claims one more row than the payload holds
    /// (parameterCount unchanged, so the payload size still matches it): before the shape
    /// cross-check, `inspect` indexed past the payload. Read by the library and by `inspect`.
    @Test("checkpoint: tensor shapes that do not add up to parameterCount are refused, also by inspect")
    func checkpointShapesDisagreeWithParameterCount() throws {
        let legitimate = try Self.legitimateCheckpoint()
        var header = legitimate.header
        let first = header.tensors[0]
        header.tensors[0].shape[0] += 1
        let extra = first.shape.dropFirst().reduce(1, *)
        let data = try StructuredInputGenerators.checkpoint(header: header, payloadFloats: legitimate.payload.count)
        let file = try Self.write(data, "shapes.ckpt")
        let (error, elapsed) = Self.refusal { _ = try Checkpoint.read(from: URL(fileURLWithPath: file)) }
        #expect(error as? CheckpointError == .declaredSize(file: file, declares: "parameterCount \(header.parameterCount)",
            holds: "its \(header.tensors.count) tensors hold \(header.parameterCount + extra) parameters"))
        #expect(elapsed < Self.quick)

        let result = try CommandRunner.dptrain(["inspect", file], timeout: 60)
        #expect(result.status == 1, "\(result.combined)")
        #expect(result.error.contains("checkpoint \(file) is not valid: it declares parameterCount \(header.parameterCount), "
            + "but its \(header.tensors.count) tensors hold \(header.parameterCount + extra) parameters"), "\(result.error)")
        #expect(!result.error.contains("Fatal error"))
    }

    @Test("checkpoint: a header length past the end of the file")
    func checkpointHeaderPastEOF() throws {
        let file = try Self.write(StructuredInputGenerators.checkpoint(headerJSON: Data("{}".utf8), declaredHeaderLength: 1 << 40),
                                  "past-eof.ckpt")
        let (error, elapsed) = Self.refusal { _ = try Checkpoint.read(from: URL(fileURLWithPath: file)) }
        #expect(error as? CheckpointError == .declaredSize(file: file, declares: "a JSON header of 1099511627776 bytes",
                                                           holds: "only 2 bytes follow the 20-byte preamble"))
        #expect("\(error!)".contains("resume from an earlier checkpoint"))
        #expect(elapsed < Self.quick)
    }

    @Test("checkpoint: a JSON header nested 100,000 deep is refused, not a stack overflow")
    func checkpointDeepHeader() throws {
        let data = StructuredInputGenerators.checkpoint(headerJSON: StructuredInputGenerators.nestedJSONArrays(depth: 100_000))
        let (error, elapsed) = Self.refusal { _ = try Checkpoint.parse(data, file: "deep.ckpt") }
        guard case let .limitExceeded(file, what, limit)? = error as? CheckpointError else {
            Issue.record("expected limitExceeded, got \(String(describing: error))"); return
        }
        #expect(file == "deep.ckpt" && limit == "64 levels")
        #expect(what == "its JSON header opens level 65 of nested arrays and objects at header byte 64")
        #expect(elapsed < Self.quick)
    }

    @Test("checkpoint: a JSON header over 16 MiB is refused before decoding")
    func checkpointHugeHeader() throws {
        var json = Data(repeating: UInt8(ascii: " "), count: Checkpoint.maxHeaderBytes)
        json.append(contentsOf: Array("{}".utf8))
        let (error, _) = Self.refusal { _ = try Checkpoint.parse(StructuredInputGenerators.checkpoint(headerJSON: json), file: "big.ckpt") }
        #expect(error as? CheckpointError == .limitExceeded(file: "big.ckpt", what: "its JSON header is 16.0 MiB (16,777,218 bytes)",
                                                            limit: "16 MiB"))
    }

    @Test("checkpoint: a tensor shape whose product overflows Int")
    func checkpointShapeOverflow() throws {
        let legitimate = try Self.legitimateCheckpoint()
        var header = legitimate.header
        header.tensors[0].shape = [1 << 32, 1 << 32]
        let data = try StructuredInputGenerators.checkpoint(header: header, payloadFloats: legitimate.payload.count)
        let (error, elapsed) = Self.refusal { _ = try Checkpoint.parse(data, file: "overflow.ckpt") }
        #expect(error as? CheckpointError == .declaredSize(file: "overflow.ckpt",
            declares: "tensor '\(header.tensors[0].name)' of shape [4294967296, 4294967296]",
            holds: "its element count overflows a 64-bit integer"))
        #expect(elapsed < Self.quick)
    }

    @Test("checkpoint: huge declared dimensions with a matching parameterCount and no payload")
    func checkpointHugeDimensions() throws {
        let legitimate = try Self.legitimateCheckpoint()
        var header = legitimate.header
        var entry = header.tensors[0]
        entry.shape = [100_000, 100_000]
        header.tensors = [entry]
        header.parameterCount = 10_000_000_000
        let data = try StructuredInputGenerators.checkpoint(header: header, payloadFloats: 16)
        let (error, elapsed) = Self.refusal { _ = try Checkpoint.parse(data, file: "huge.ckpt") }
        let buffers = 1 + header.stateBuffers.count + (header.hasBestParameters ? 1 : 0)
        #expect(error as? CheckpointError == .declaredSize(file: "huge.ckpt",
            declares: "\(buffers) buffers of 10000000000 floats (\(buffers * 40_000_000_000) bytes)",
            holds: "the payload is 64 bytes"))
        #expect("\(error!)".hasPrefix("checkpoint huge.ckpt is not valid: it declares \(buffers) buffers"))
        #expect(elapsed < Self.quick)
    }

    @Test("checkpoint: parameterCount that disagrees with the tensor table")
    func checkpointParameterCountMismatch() throws {
        let legitimate = try Self.legitimateCheckpoint()
        var header = legitimate.header
        let real = header.parameterCount
        header.parameterCount = real + 1
        let data = try StructuredInputGenerators.checkpoint(header: header, payloadFloats: legitimate.payload.count)
        #expect(throws: CheckpointError.declaredSize(file: "count.ckpt", declares: "parameterCount \(real + 1)",
                                                     holds: "its \(header.tensors.count) tensors hold \(real) parameters")) {
            try Checkpoint.parse(data, file: "count.ckpt")
        }
    }

    // MARK: - Safetensors

    @Test("safetensors: a legitimate file still round-trips")
    func safetensorsRoundTrip() throws {
        let file = SafeTensors(tensors: [.init(name: "dense.0.weight", shape: [2, 3], values: [1, 2, 3, 4, 5, 6]),
                                         .init(name: "dense.0.bias", shape: [2], values: [0.5, -0.5])],
                               metadata: ["format": "dptrain", "config": "name: x\n"])
        #expect(try SafeTensors.parse(try file.serialized(), file: "ok.safetensors") == file)
    }

    @Test("safetensors: a header length past the end of the file")
    func safetensorsHeaderPastEOF() throws {
        let file = try Self.write(StructuredInputGenerators.safetensors(headerJSON: Data("{}".utf8), declaredHeaderLength: 1 << 40),
                                  "past-eof.safetensors")
        let (error, elapsed) = Self.refusal { _ = try SafeTensors.read(from: URL(fileURLWithPath: file)) }
        #expect(error as? SafeTensorsError == .declaredSize(file: file, declares: "a JSON header of 1099511627776 bytes",
                                                            holds: "only 2 bytes follow the 8-byte length"))
        #expect("\(error!)".hasPrefix("\(file) is not a valid safetensors file: it declares a JSON header"))
        #expect(elapsed < Self.quick)
    }

    @Test("safetensors: a JSON header nested 100,000 deep is refused, not a stack overflow")
    func safetensorsDeepHeader() throws {
        let data = StructuredInputGenerators.safetensors(headerJSON: StructuredInputGenerators.nestedJSONArrays(depth: 100_000))
        let (error, elapsed) = Self.refusal { _ = try SafeTensors.parse(data, file: "deep.safetensors") }
        guard case let .limitExceeded(file, what, _)? = error as? SafeTensorsError else {
            Issue.record("expected limitExceeded, got \(String(describing: error))"); return
        }
        #expect(file == "deep.safetensors" && what.contains("opens level 65 of nested arrays and objects"))
        #expect(elapsed < Self.quick)
    }

    @Test("safetensors: a shape whose byte size overflows Int")
    func safetensorsShapeOverflow() throws {
        let header = StructuredInputGenerators.safetensorsHeader(shape: [Int.max / 2, 4], offsets: [0, 8])
        let data = StructuredInputGenerators.safetensors(headerJSON: header, dataBytes: 8)
        #expect(throws: SafeTensorsError.declaredSize(file: "overflow.safetensors",
                                                      declares: "tensor 'dense.0.weight' of shape [\(Int.max / 2), 4] and dtype F32",
                                                      holds: "its size in bytes overflows a 64-bit integer")) {
            try SafeTensors.parse(data, file: "overflow.safetensors")
        }
    }

    @Test("safetensors: huge declared dimensions and tensor offsets past the end of the file")
    func safetensorsOffsetsPastEOF() throws {
        let huge = StructuredInputGenerators.safetensorsHeader(shape: [100_000, 100_000], offsets: [0, 40_000_000_000])
        let (error, elapsed) = Self.refusal {
            _ = try SafeTensors.parse(StructuredInputGenerators.safetensors(headerJSON: huge, dataBytes: 16), file: "huge.safetensors")
        }
        #expect(error as? SafeTensorsError == .declaredSize(file: "huge.safetensors",
            declares: "tensor 'dense.0.weight' at data_offsets [0, 40000000000]", holds: "the data section is 16 bytes"))
        #expect(elapsed < Self.quick)
        let short = StructuredInputGenerators.safetensorsHeader(shape: [2], offsets: [0, 8])
        #expect(throws: SafeTensorsError.declaredSize(file: "short.safetensors", declares: "tensor 'dense.0.weight' at data_offsets [0, 8]",
                                                      holds: "the data section is 4 bytes")) {
            try SafeTensors.parse(StructuredInputGenerators.safetensors(headerJSON: short, dataBytes: 4), file: "short.safetensors")
        }
    }

    @Test("safetensors: tensors that claim the same bytes are refused")
    func safetensorsOverlap() throws {
        let header = Data(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#.utf8)
        #expect {
            try SafeTensors.parse(StructuredInputGenerators.safetensors(headerJSON: header, dataBytes: 8), file: "overlap.safetensors")
        } throws: { error in
            guard case let .declaredSize(file, _, holds)? = error as? SafeTensorsError else { return false }
            return file == "overlap.safetensors" && holds.contains("overlap")
        }
    }

    // MARK: - The command line, end to end

    @Test("dptrain train and study on a billion-laughs file: one error line naming the file, within 5 s",
          arguments: ["train", "study"])
    func commandLineAliasBomb(command: String) throws {
        let file = try Self.write(StructuredInputGenerators.billionLaughs(prefix: ["name: bomb", "seed: 1"]), "bomb.yaml")
        let start = ContinuousClock.now
        let result = try CommandRunner.run(CommandRunner.dptrainPath, [command, file], timeout: 20)
        #expect(!result.timedOut)
        #expect(ContinuousClock.now - start < .seconds(5))
        #expect(result.status != 0)
        #expect(result.error.contains("\(file): line 3: YAML anchors and aliases (&name / *name) are not supported"), "\(result.combined)")
    }

    @Test("dptrain inspect on a damaged checkpoint with a 100,000-deep header: an error, not a crash")
    func inspectDeepHeader() throws {
        var data = StructuredInputGenerators.checkpoint(headerJSON: StructuredInputGenerators.nestedJSONArrays(depth: 100_000))
        data[data.count - 1] ^= 0xFF  // a wrong CRC sends inspect down its lenient path
        let file = try Self.write(data, "deep.ckpt")
        let result = try CommandRunner.run(CommandRunner.dptrainPath, ["inspect", file], timeout: 20)
        #expect(!result.timedOut)
        #expect(result.status == 1, "\(result.combined)")
        #expect(result.error.contains("checkpoint \(file) is not valid"), "\(result.combined)")
    }
}
