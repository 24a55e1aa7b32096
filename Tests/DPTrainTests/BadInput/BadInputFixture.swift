import DPTrain
import Foundation

/// The files the bad-input suite runs against, made once per test process in one temporary
/// directory: a finished run and a partial (diverged) run made by the real binary, small valid
/// IDX, NPZ and CSV datasets with one broken copy per case, configs, weights and damaged
/// checkpoints.
///
///     base.yaml        spirals, 2 classes       finished/  partial/   run directories
///     idx.yaml         IDX 2×2 images, 10 classes (data.path set per case)
///     npz.yaml, csv.yaml  4 features, 10 classes (data.train / data.test set per case)
final class BadInputFixture: Sendable {
    /// The fixture directory.
    let directory: URL
    /// Why the fixture could not be made (nil when it is ready).
    let problem: String?

    /// The shared fixture (made on first use).
    static let shared = BadInputFixture()

    /// Path of `name` inside the fixture directory.
    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// The small spirals config the bad inputs start from (the one ``BadInputTableTests`` uses).
    static let base = BadInputTableTests.base

    /// A 10-class model on 4 values per sample, for the IDX (2×2 images), NPZ and CSV data.
    static func tenClasses(_ data: String) -> String {
        """
        name: files
        data: \(data)
        model: {input: [4], layers: [{dense: 8, activation: relu}, {dense: 10}]}
        optimizer: {name: sgd, lr: 0.1}
        batch: {global: 8, micro: 8}
        train: {epochs: 1}
        """
    }

    static let trainCount = 40, testCount = 20

    private init() {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("bad-input-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try BadInputFixture.make(in: directory)
            problem = nil
        } catch {
            problem = "\(error)"
        }
    }

    private static func write(_ text: String, _ url: URL) throws {
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    private static func write(_ bytes: [UInt8], _ url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
    }

    private static func make(in d: URL) throws {
        func at(_ name: String) -> URL { d.appendingPathComponent(name) }
        try write(base, at("base.yaml"))
        try write(tenClasses("{dataset: idx, path: \(at("idx-ok").path)}"), at("idx.yaml"))
        try write(tenClasses("{dataset: npy, train: \(at("train.npz").path), test: \(at("test.npz").path)}"), at("npz.yaml"))
        try write(tenClasses("{dataset: csv, train: \(at("train.csv").path), test: \(at("test.csv").path)}"), at("csv.yaml"))

        // Runs made by the real binary: one finished, one that diverged after its first checkpoint.
        let finished = try CommandRunner.dptrain(["train", at("base.yaml").path, "output=\(at("finished").path)", "--quiet"])
        guard finished.status == 0 else { throw FixtureError("the finished run failed: \(finished.combined)") }
        _ = try CommandRunner.dptrain(["train", at("base.yaml").path, "output=\(at("partial").path)", "train.epochs=4",
                                       "--quiet"], environment: ["DPTRAIN_FAULT": "nan-from@12"])
        let partialCheckpoints = (try? FileManager.default.contentsOfDirectory(atPath: at("partial/checkpoints").path)) ?? []
        guard partialCheckpoints.contains(where: { $0.hasSuffix(".ckpt") }) else {
            throw FixtureError("the partial run left no checkpoint: \(partialCheckpoints)")
        }

        // Checkpoints and weights.
        let checkpoints = try FileManager.default.contentsOfDirectory(atPath: at("finished/checkpoints").path)
            .filter { $0.hasSuffix(".ckpt") }.sorted()
        let checkpoint = try [UInt8](Data(contentsOf: at("finished/checkpoints/" + checkpoints.last!)))
        try write(checkpoint, at("run.ckpt"))
        var damaged = checkpoint
        damaged[damaged.count / 2] ^= 0xFF
        try write(damaged, at("damaged.ckpt"))
        try write(Array(checkpoint.prefix(checkpoint.count / 2)), at("truncated.ckpt"))
        try write(Array("not a checkpoint at all\n".utf8), at("text.ckpt"))
        let weights = try [UInt8](Data(contentsOf: at("finished/final.safetensors")))
        try write(weights, at("final.safetensors"))
        try write(Array(weights.prefix(weights.count - 5)), at("truncated.safetensors"))
        try write(Array("not a safetensors file".utf8), at("garbage.safetensors"))
        try write([], at("empty.safetensors"))
        let other = SafeTensors(tensors: [.init(name: "dense.0.weight", shape: [4, 2], values: Array(repeating: 0, count: 8))])
        try other.write(to: at("other.safetensors"))
        try write([0x00, 0xFF, 0x13, 0x37, 0x00, 0x42, 0x99, 0x00] + Array(repeating: 0xAB, count: 64), at("binary.bin"))
        try FileManager.default.createDirectory(at: at("a-directory"), withIntermediateDirectories: true)
        try write("x\n", at("a-file"))
        try write([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x4b, 0xcc], at("idx.yaml.gz"))
        try write("name: broken\nmodel:\n  layers: [{dense: 2}\n  input: [2]\n", at("broken.yaml"))
        try write("- name: a\n- name: b\n", at("list.yaml"))

        try makeIDX(in: d)
        try makeNPZ(in: d)
        try makeCSV(in: d)
        try makeStudies(in: d)
    }

    // MARK: - IDX

    /// Labels 0, 1, …, 9, 0, … for `count` samples.
    static func labels(_ count: Int) -> [Int] { (0..<count).map { $0 % 10 } }

    static func idxImages(_ count: Int, type: UInt8 = 0x08, nanAt: Int? = nil) -> [UInt8] {
        if type == 0x0D {
            var floats = (0..<count * 4).map { Float($0 % 7) }
            if let nanAt { floats[nanAt] = .nan }
            let payload = floats.flatMap { value -> [UInt8] in
                let bits = value.bitPattern
                return [UInt8(bits >> 24), UInt8((bits >> 16) & 255), UInt8((bits >> 8) & 255), UInt8(bits & 255)]
            }
            return idxBytes(type: 0x0D, dimensions: [UInt32(count), 2, 2], payload: payload)
        }
        return idxBytes(type: 0x08, dimensions: [UInt32(count), 2, 2], payload: (0..<count * 4).map { UInt8($0 % 251) })
    }

    static func idxLabels(_ values: [Int]) -> [UInt8] {
        idxBytes(type: 0x08, dimensions: [UInt32(values.count)], payload: values.map { UInt8($0) })
    }

    private static func idxDirectory(_ name: String, in d: URL, trainImages: [UInt8]? = nil, trainLabels: [Int]? = nil,
                                     testImages: [UInt8]? = nil, testLabels: [Int]? = nil,
                                     rawTrainLabels: [UInt8]? = nil, omit: String? = nil) throws {
        let files: [(String, [UInt8])] = [
            ("train-images-idx3-ubyte", trainImages ?? idxImages(trainCount)),
            ("train-labels-idx1-ubyte", rawTrainLabels ?? idxLabels(trainLabels ?? labels(trainCount))),
            ("t10k-images-idx3-ubyte", testImages ?? idxImages(testCount)),
            ("t10k-labels-idx1-ubyte", idxLabels(testLabels ?? labels(testCount))),
        ]
        for (file, bytes) in files where file != omit {
            try write(bytes, d.appendingPathComponent("\(name)/\(file)"))
        }
    }

    private static func makeIDX(in d: URL) throws {
        var badTrain = labels(trainCount); badTrain[3] = 12
        var badTest = labels(testCount); badTest[5] = 10
        try idxDirectory("idx-ok", in: d)
        try idxDirectory("idx-label", in: d, trainLabels: badTrain)
        try idxDirectory("idx-test-label", in: d, testLabels: badTest)
        try idxDirectory("idx-nan", in: d, trainImages: idxImages(trainCount, type: 0x0D, nanAt: 2 * 4 + 1))
        try idxDirectory("idx-truncated", in: d, trainImages: Array(idxImages(trainCount).dropLast(10)))
        var badMagic = idxImages(trainCount); badMagic[0] = 0x42
        try idxDirectory("idx-magic", in: d, trainImages: badMagic)
        try idxDirectory("idx-count", in: d, trainLabels: labels(trainCount - 1))
        try idxDirectory("idx-missing", in: d, omit: "t10k-images-idx3-ubyte")
        try idxDirectory("idx-empty", in: d, trainImages: idxBytes(type: 0x08, dimensions: [0, 2, 2], payload: []),
                         trainLabels: [])
        try idxDirectory("idx-labels-as-images", in: d, trainImages: idxLabels(labels(trainCount)))
    }

    // MARK: - NPZ

    static func npyFloats(_ values: [Float], shape: [Int]) -> [UInt8] {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        return npyBytes(header: "{'descr': '<f4', 'fortran_order': False, 'shape': \(shapeText), }",
                        data: littleEndianFloats(values))
    }

    static func npyInts(_ values: [Int]) -> [UInt8] {
        let payload = values.flatMap { value -> [UInt8] in
            let bits = UInt64(bitPattern: Int64(value))
            return (0..<8).map { UInt8((bits >> (8 * UInt64($0))) & 255) }
        }
        return npyBytes(header: "{'descr': '<i8', 'fortran_order': False, 'shape': (\(values.count),), }", data: payload)
    }

    static func npz(count: Int, width: Int = 4, labels y: [Int]? = nil, bad: (index: Int, value: Float)? = nil,
                    members: [String] = ["x", "y"], floatLabels: Bool = false) -> [UInt8] {
        var x = (0..<count * width).map { Float($0 % 13) / 13 }
        if let bad { x[bad.index] = bad.value }
        let labelValues = y ?? labels(count)
        var list: [(name: String, deflated: [UInt8], crc: UInt32, size: Int)] = []
        if members.contains("x") { list.append(deflatedMember("x.npy", npyFloats(x, shape: [count, width]))) }
        if members.contains("y") {
            list.append(deflatedMember("y.npy", floatLabels ? npyFloats(labelValues.map(Float.init), shape: [count])
                                                           : npyInts(labelValues)))
        }
        return zipArchive(list)
    }

    private static func makeNPZ(in d: URL) throws {
        func at(_ name: String) -> URL { d.appendingPathComponent(name) }
        var badTrain = labels(trainCount); badTrain[3] = 12
        var badTest = labels(testCount); badTest[5] = 10
        try write(npz(count: trainCount), at("train.npz"))
        try write(npz(count: testCount), at("test.npz"))
        try write(npz(count: trainCount, labels: badTrain), at("train-label.npz"))
        try write(npz(count: testCount, labels: badTest), at("test-label.npz"))
        try write(npz(count: trainCount, bad: (2 * 4 + 1, .nan)), at("train-nan.npz"))
        try write(npz(count: testCount, bad: (4 * 4 + 3, .infinity)), at("test-inf.npz"))
        try write(npz(count: 0), at("train-empty.npz"))
        try write(npz(count: trainCount, width: 5), at("train-wide.npz"))
        try write(npz(count: trainCount, members: ["x"]), at("train-no-y.npz"))
        try write(npz(count: trainCount, floatLabels: true), at("train-float-y.npz"))
        try write(npz(count: trainCount, labels: labels(trainCount - 1)), at("train-count.npz"))
        try write(Array("x,y\n1,2\n".utf8), at("train-text.npz"))
    }

    // MARK: - CSV

    static func csv(count: Int, labels y: [Int]? = nil, row: (index: Int, text: String)? = nil) -> String {
        let labelValues = y ?? labels(count)
        var lines = ["label,f1,f2,f3,f4"]
        for i in 0..<count {
            lines.append(row?.index == i ? row!.text : "\(labelValues[i]),\(i % 3),\(i % 5),0.5,\(Double(i) / 10)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func makeCSV(in d: URL) throws {
        func at(_ name: String) -> URL { d.appendingPathComponent(name) }
        var badTrain = labels(trainCount); badTrain[3] = 12
        var badTest = labels(testCount); badTest[5] = 10
        try write(csv(count: trainCount), at("train.csv"))
        try write(csv(count: testCount), at("test.csv"))
        try write(csv(count: trainCount, labels: badTrain), at("train-label.csv"))
        try write(csv(count: testCount, labels: badTest), at("test-label.csv"))
        try write(csv(count: trainCount, row: (6, "3,1,x,0.5,0.1")), at("train-text-field.csv"))
        try write(csv(count: trainCount, row: (6, "3,1,nan,0.5,0.1")), at("train-nan.csv"))
        try write(csv(count: trainCount, row: (8, "3,1,2,0.5")), at("train-ragged.csv"))
        try write(csv(count: trainCount, row: (9, "-1,1,2,0.5,0.1")), at("train-negative.csv"))
        try write(csv(count: 0), at("train-header-only.csv"))
        try write("", at("train-blank.csv"))
    }

    // MARK: - Studies

    private static func makeStudies(in d: URL) throws {
        func study(_ name: String, _ body: String) throws {
            try write("name: \(name)\nbase: base.yaml\noutput: studies/\(name)\n" + body, d.appendingPathComponent("\(name).yaml"))
        }
        try study("grid-empty", "grid: {}\n")
        try study("grid-list", "grid: [optimizer.lr, 0.1]\n")
        try study("grid-scalar", "grid: {optimizer.lr: 0.1}\n")
        try study("grid-typo", "grid: {optimizer.lrr: [0.05, 0.1]}\n")
        try study("grid-empty-axis", "grid: {optimizer.lr: []}\n")
        try study("both", "grid: {optimizer.lr: [0.1]}\nvariants: [{name: a}]\n")
        try study("duplicate", "variants: [{name: a, overrides: [seed=1]}, {name: a, overrides: [seed=2]}]\n")
        try study("misspelt", "varients: [{name: a}]\n")
        try study("plateau", "variants: [{name: a, overrides: [lr_schedule.name=plateau]}]\n")
        try write("name: nobase\nbase: missing.yaml\nvariants: [{name: a}]\n", d.appendingPathComponent("nobase.yaml"))
    }

    // MARK: - Hashes

    /// A digest of every file under `path` — its size, CRC-32 and 64-bit FNV-1a hash — by
    /// relative path (directories as entries too, so a removed or added empty directory is seen).
    static func hashes(of path: String) -> [String: String] {
        var result: [String: String] = [:]
        guard let enumerator = FileManager.default.enumerator(atPath: path) else { return result }
        while let relative = enumerator.nextObject() as? String {
            let full = (path as NSString).appendingPathComponent(relative)
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory)
            if isDirectory.boolValue {
                result[relative + "/"] = "directory"
            } else if let data = FileManager.default.contents(atPath: full) {
                var fnv: UInt64 = 0xcbf2_9ce4_8422_2325
                for byte in data { fnv = (fnv ^ UInt64(byte)) &* 0x100_0000_01b3 }
                let crc = data.withUnsafeBytes { Gzip.crc32($0) }
                result[relative] = "\(data.count) bytes, crc \(crc), fnv \(fnv)"
            } else {
                result[relative] = "unreadable"
            }
        }
        return result
    }
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
