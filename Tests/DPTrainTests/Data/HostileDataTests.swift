import DPTrain
import Foundation
import Testing

/// Files that declare far more than they hold, or more than memory holds (issue 21): each is
/// refused from its header, before anything of the declared size is allocated or inflated,
/// with a ``DataError`` that names the file and what it declares — within a few seconds.
@Suite("Hostile data files")
struct HostileDataTests {
    /// A budget the 31.4 GB of the gzip IDX bomb exceeds on any host: the host's when smaller,
    /// else a configured 16 GB.
    static func budgetBelow(_ bytes: Int) -> MemoryBudget {
        let host = MemoryBudget.host()
        return host.limit < bytes ? host : MemoryBudget(limit: 16_000_000_000, source: .configured)
    }

    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = Date()
        try body()
        return Date().timeIntervalSince(start)
    }

    @Test("a 7.6 MB gzip IDX declaring 10,000,000 images of 28×28 is refused before allocating 31.4 GB")
    func gzipIDXBomb() throws {
        let dir = DataTemporaryDirectory()
        let count = 10_000_000
        let header = idxBytes(type: 8, dimensions: [UInt32(count), 28, 28], payload: [])
        let images = ZeroBomb(prefix: header, zeroCount: count * 28 * 28, gzip: true)
        // Real gzip data that expands to the declared size (deflate's ~1030:1 limit lets it
        // pass the compressed-size plausibility check).
        #expect(images.compressed.count * 1032 > count * 784)
        let imagesPath = dir.write("train-images-idx3-ubyte.gz", images.compressed)
        let labels = ZeroBomb(prefix: idxBytes(type: 8, dimensions: [UInt32(count)], payload: []), zeroCount: count, gzip: true)
        let labelsPath = dir.write("train-labels-idx1-ubyte.gz", labels.compressed)
        let budget = Self.budgetBelow(31_360_000_000)
        let elapsed = Self.seconds {
            let error = expectDataError(.tooLarge, mentioning: [
                "train-images-idx3-ubyte.gz", "declares 10,000,000 × 28 × 28 samples = 31.4 GB as float32",
                budget.source == .configured ? "data.max_bytes is 16.0 GB" : "available",
                "check the file, or",
            ]) {
                _ = try IDXReader.load(imagesPath: imagesPath, labelsPath: labelsPath, classCount: 10, budget: budget)
            }
            #expect(error?.position == .byte(4))
        }
        #expect(elapsed < 5)
    }

    @Test("IDX headers that declare more than the file holds, or sizes that overflow")
    func plainIDXDeclaresTooMuch() throws {
        let dir = DataTemporaryDirectory()
        let labels = dir.write("labels", idxBytes(type: 8, dimensions: [10_000_000], payload: []))
        expectDataError(.truncated, mentioning: ["labels", "10000000 bytes of data", "found 0 bytes"]) {
            _ = try IDXReader.load(imagesPath: labels, labelsPath: labels)
        }
        let oneLabel = dir.write("one-label", idxBytes(type: 8, dimensions: [1], payload: [0]))
        let huge = dir.write("huge-images", idxBytes(type: 8, dimensions: [10_000_000, 28, 28], payload: [1, 2, 3]))
        expectDataError(.truncated, mentioning: ["huge-images", "7840000000 bytes of data", "found 3 bytes"]) {
            _ = try IDXReader.load(imagesPath: huge, labelsPath: oneLabel)
        }
        let overflow = dir.write("overflow-images", idxBytes(type: 0x0E, dimensions: [.max, .max, .max, .max], payload: []))
        expectDataError(.truncated, mentioning: ["overflow-images", "impossibly large size", "overflows"]) {
            _ = try IDXReader.load(imagesPath: overflow, labelsPath: oneLabel)
        }
    }

    @Test("a configured data.max_bytes refuses IDX files whose float32 samples exceed it, counting the floats")
    func idxBudget() throws {
        let dir = DataTemporaryDirectory()
        // 1000 uint8 images of 28×28: 784 kB on disk, 3.1 MB as float32.
        let images = dir.write("i.gz", Gzip.compress(idxBytes(type: 8, dimensions: [1000, 28, 28], payload: [UInt8](repeating: 7, count: 784_000))))
        let labels = dir.write("l", idxBytes(type: 8, dimensions: [1000], payload: [UInt8](repeating: 1, count: 1000)))
        let budget = MemoryBudget(limit: 2_000_000, source: .configured)
        expectDataError(.tooLarge, mentioning: ["i.gz", "1,000 × 28 × 28 samples = 3.1 MB as float32",
                                                "data.max_bytes is 2.0 MB", "raise data.max_bytes"]) {
            _ = try IDXReader.load(imagesPath: images, labelsPath: labels, budget: budget)
        }
        let loaded = try IDXReader.load(imagesPath: images, labelsPath: labels,
                                        budget: MemoryBudget(limit: 3_136_000, source: .configured))
        #expect(loaded.count == 1000 && loaded.features[0] == 7)
        // Labels count raw bytes and Int32s: 5 bytes each.
        let manyLabels = dir.write("many.gz", Gzip.compress(idxBytes(type: 8, dimensions: [1_000_000],
                                                                     payload: [UInt8](repeating: 0, count: 1_000_000))))
        expectDataError(.tooLarge, mentioning: ["many.gz", "1,000,000 labels = 5.0 MB in memory"]) {
            _ = try IDXReader.load(imagesPath: images, labelsPath: manyLabels, budget: budget)
        }
    }

    /// An `.npz` whose `x.npy` declares (2097152, 1024) float32 = 8 GiB and whose deflate stream
    /// holds the header and 2 GiB of zeros (about 2 MB compressed).
    static func npzBomb(poisoned: Bool = false) -> [UInt8] {
        let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2097152, 1024), }"
        let npy = npyBytes(header: header, data: [])
        let bomb = ZeroBomb(prefix: npy, zeroCount: 1 << 31, gzip: false, poisonAfterFirstMiB: poisoned)
        let labels = npyBytes(header: "{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", data: [UInt8](repeating: 0, count: 8))
        return zipArchive([("x.npy", bomb.compressed, bomb.crc, bomb.size), deflatedMember("y.npy", labels)])
    }

    @Test("an .npz member declaring 8 GB over 2 GB of compressed zeros is refused from its header")
    func npzBomb() throws {
        let dir = DataTemporaryDirectory()
        let bytes = Self.npzBomb()
        #expect(bytes.count < 3_000_000)
        let path = dir.write("bomb.npz", bytes)
        let elapsed = Self.seconds {
            expectDataError(.truncated, mentioning: ["bomb.npz", "member x.npy", "shape (2097152, 1024) of <f4",
                                                     "expected 8589934592 bytes of data", "found 2147483648 bytes"]) {
                _ = try NPYReader.load(path: path)
            }
        }
        #expect(elapsed < 5)
    }

    @Test("the .npz bomb is refused without inflating it: damage after its first MiB is never reached")
    func npzBombIsNotInflated() throws {
        // A reader that inflated the member before checking its header would report the
        // corrupt deflate data; one that checks the header first never gets there.
        let dir = DataTemporaryDirectory()
        let path = dir.write("poisoned.npz", Self.npzBomb(poisoned: true))
        expectDataError(.truncated, mentioning: ["poisoned.npz", "member x.npy", "shape (2097152, 1024)"]) {
            _ = try NPYReader.load(path: path)
        }
    }

    @Test("an .npz member within its directory size but beyond data.max_bytes is refused before inflating")
    func npzBudget() throws {
        let dir = DataTemporaryDirectory()
        // 262,144 float32 zeros (1 MiB) + 1 label: 2.1 MB in memory with the float copy.
        let x = npyBytes(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 262144), }", data: [])
        let bomb = ZeroBomb(prefix: x, zeroCount: 1 << 20, gzip: false, poisonAfterFirstMiB: false)
        let y = npyBytes(header: "{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", data: [UInt8](repeating: 0, count: 8))
        let path = dir.write("small.npz", zipArchive([("x.npy", bomb.compressed, bomb.crc, bomb.size), deflatedMember("y.npy", y)]))
        expectDataError(.tooLarge, mentioning: ["small.npz", "member x.npy", "shape (1, 262144) of <f4 in x.npy = 2.1 MB",
                                                "data.max_bytes is 1.0 MB"]) {
            _ = try NPYReader.load(path: path, budget: MemoryBudget(limit: 1_000_000, source: .configured))
        }
        let dataset = try NPYReader.load(path: path, budget: MemoryBudget(limit: 3_000_000, source: .configured))
        #expect(dataset.count == 1 && dataset.featureCount == 262_144)
    }

    @Test("NPY headers: a shape whose product overflows, more than the file holds, an absurd header length")
    func npyHeaders() throws {
        let dir = DataTemporaryDirectory()
        let overflow = npyBytes(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296), }",
                                data: [1, 2, 3, 4])
        expectDataError(.truncated, mentioning: ["overflow.npy", "impossibly large size", "overflows", "found 4 bytes"]) {
            _ = try NPYReader.readArray(path: dir.write("overflow.npy", overflow))
        }
        expectDataError(.truncated, mentioning: ["overflow.npz", "member x.npy", "impossibly large size"]) {
            _ = try NPYReader.load(path: dir.write("overflow.npz", zipArchive([deflatedMember("x.npy", overflow)])))
        }
        let big = npyBytes(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 1000), }", data: [0, 0, 0, 0])
        expectDataError(.truncated, mentioning: ["big.npy", "(100000, 1000)", "400000000 bytes of data", "found 4 bytes"]) {
            _ = try NPYReader.readArray(path: dir.write("big.npy", big))
        }
        // The same header, gzip-compressed over 8 MB of zeros: the size is unknown until
        // inflated, so the budget decides, before the data is read.
        let gz = ZeroBomb(prefix: npyBytes(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (10000, 1000), }", data: []),
                          zeroCount: 8 << 20, gzip: true)
        expectDataError(.tooLarge, mentioning: ["big.npy.gz", "shape (10000, 1000) of <f4 = 80.0 MB", "data.max_bytes is 10.0 MB"]) {
            _ = try NPYReader.readArray(path: dir.write("big.npy.gz", gz.compressed),
                                        budget: MemoryBudget(limit: 10_000_000, source: .configured))
        }
        expectDataError(.truncated, mentioning: ["big.npy.gz", "40000000 bytes of data", "found 8388608 bytes"]) {
            _ = try NPYReader.readArray(path: dir.file("big.npy.gz"), budget: MemoryBudget(limit: 1 << 40, source: .configured))
        }
        // Version 2.0 with a 4 GB header length.
        var long: [UInt8] = [0x93] + Array("NUMPY".utf8) + [2, 0, 0xF0, 0xFF, 0xFF, 0xFF]
        long += Array("{'descr': '<f4', 'shape': (1,)}".utf8)
        expectDataError(.tooLarge, mentioning: ["long.npy", "implausibly long", "4,294,967,280"]) {
            _ = try NPYReader.readArray(path: dir.write("long.npy", long))
        }
    }

    @Test("CSV: a 64 MiB line and a header with two million columns are refused, naming the line")
    func csvLongLineAndWideHeader() throws {
        let dir = DataTemporaryDirectory()
        var text = Array("f1,label\n".utf8)
        text += [UInt8](repeating: UInt8(ascii: "1"), count: CSVReader.maximumLineLength + 1)
        let longPath = dir.write("long.csv", text)
        let elapsed = try Self.seconds {
            expectDataError(.tooLarge, mentioning: ["long.csv", "line 2", "line is too long", "67,108,865 bytes"]) {
                _ = try CSVReader.load(path: longPath)
            }
            let wide = [String](repeating: "c", count: 2_000_000).joined(separator: ",") + ",label\n1\n"
            let widePath = dir.write("wide.csv.gz", Gzip.compress(Array(wide.utf8)))
            expectDataError(.tooLarge, mentioning: ["wide.csv.gz", "line 1", "too many columns", "2,000,001"]) {
                _ = try CSVReader.load(path: widePath)
            }
            // Wide but allowed, without a label column: the message lists a few names, not all.
            let noLabel = [String](repeating: "c", count: 100_000).joined(separator: ",") + "\n"
            let error = expectDataError(.missingField, mentioning: ["nolabel.csv", "(100000 in all)"]) {
                _ = try CSVReader.load(path: dir.write("nolabel.csv", text: noLabel))
            }
            #expect((error?.description.count ?? 0) < 1000)
            _ = try CSVReader.load(path: dir.write("ok.csv", text: "a,label\n1,0\n"))
        }
        #expect(elapsed < 5)
    }

    @Test("CSV: rows × features as float32 beyond data.max_bytes are refused before allocating")
    func csvBudget() throws {
        let dir = DataTemporaryDirectory()
        let text = "a,b,label\n" + String(repeating: "1,2,0\n", count: 100_000)
        let path = dir.write("rows.csv", text: text)
        expectDataError(.tooLarge, mentioning: ["rows.csv", "100,000 rows × 2 features", "data.max_bytes is 1.5 MB"]) {
            _ = try CSVReader.load(path: path, budget: MemoryBudget(limit: 1_500_000, source: .configured))
        }
        #expect(try CSVReader.load(path: path, budget: MemoryBudget(limit: 2_000_000, source: .configured)).count == 100_000)
    }

    @Test("data.max_bytes is read from the config, and only recorded when given")
    func maxBytesKey() throws {
        let given = try TrainingTestSupport.config("model: {layers: [{dense: 10}]}\ndata: {max_bytes: 8_000_000_000}\n")
        #expect(given.data.maxBytes == 8_000_000_000)
        #expect(given.resolved.yaml().contains("max_bytes: 8000000000"))
        let absent = try TrainingTestSupport.config("model: {layers: [{dense: 10}]}\n")
        #expect(absent.data.maxBytes == nil)
        #expect(!absent.resolved.yaml().contains("max_bytes"))
        #expect(throws: (any Error).self) {
            _ = try TrainingTestSupport.config("model: {layers: [{dense: 10}]}\ndata: {max_bytes: 0}\n")
        }
    }

    @Test("MemoryBudget formats sizes and counts the way messages show them")
    func formatting() {
        #expect(MemoryBudget.format(bytes: 31_360_000_000) == "31.4 GB")
        #expect(MemoryBudget.format(bytes: 999) == "999 bytes")
        #expect(MemoryBudget.grouped(10_000_000) == "10,000,000")
        #expect(MemoryBudget.product([10_000_000, 28, 28]) == "10,000,000 × 28 × 28")
        #expect(MemoryBudget.saturatingProduct([Int.max, 2]) == Int.max)
        #expect(MemoryBudget.host().limit > 0)
    }
}
