import Foundation

/// Reader of the IDX format of MNIST and Fashion-MNIST (plain or gzip-compressed).
///
/// Layout (all integers big-endian):
///
///     byte 0–1   0x00 0x00
///     byte 2     element type: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64
///     byte 3     number of dimensions D (≥ 1)
///     4 … 4+4D   D dimension sizes, uint32 each; the first is the sample count
///     then       product(dimensions) elements, row-major, nothing after them
///
/// Images (`D ≥ 2`) become a ``Dataset`` with one row per sample: `[N, H, W]` files give
/// sample shape `[1, H, W]`, other files `dimensions[1...]`. Values keep their scale (uint8
/// pixels become floats in [0, 255]); ``Normalizer`` rescales them. Labels files have D = 1
/// and an integer element type.
public enum IDXReader {
    /// Element types of the IDX format (byte 2 of the magic).
    public enum ElementType: UInt8, Sendable {
        case uint8 = 0x08, int8 = 0x09, int16 = 0x0B, int32 = 0x0C, float32 = 0x0D, float64 = 0x0E

        /// Bytes per element.
        public var size: Int {
            switch self {
            case .uint8, .int8: return 1
            case .int16: return 2
            case .int32, .float32: return 4
            case .float64: return 8
            }
        }

        var isInteger: Bool { self != .float32 && self != .float64 }
    }

    /// The parsed header of an IDX file.
    public struct Header: Equatable, Sendable {
        /// Element type (byte 2).
        public var elementType: ElementType
        /// Dimension sizes; `dimensions[0]` is the number of samples.
        public var dimensions: [Int]
        /// Bytes before the data: 4 + 4·D.
        public var byteCount: Int { 4 + 4 * dimensions.count }
        /// Elements after the header: product of the dimensions.
        public var elementCount: Int { dimensions.reduce(1, *) }
    }

    /// Loads an image file and a label file into a ``Dataset``.
    ///
    /// - Parameters:
    ///   - imagesPath: IDX file with D ≥ 2 (`.gz` is decompressed transparently).
    ///   - labelsPath: IDX file with D = 1 and an integer type.
    ///   - classCount: labels must lie in `0 ..< classCount`; nil infers max(label) + 1.
    ///   - hint: advice for missing or damaged files (for example the package to reinstall).
    ///   - budget: the memory the declared samples may take as float32 (and the labels as raw
    ///     bytes plus Int32), checked right after each header, before anything is allocated.
    /// - Throws: ``DataError`` naming the file and byte offset for bad magic, unsupported types,
    ///   wrong dimension counts, truncated files, trailing bytes, a sample-count mismatch between
    ///   the two files, a label out of range (naming the sample index and value), or `.tooLarge`
    ///   when a header declares more than `budget` allows.
    public static func load(imagesPath: String, labelsPath: String, classCount: Int? = nil,
                            hint: String = "re-create or re-download the file",
                            budget: MemoryBudget = MemoryBudget.host()) throws -> Dataset {
        let labels = try readLabels(path: labelsPath, hint: hint, budget: budget)
        let images = try FileBytes(path: imagesPath, hint: hint)
        let header = try readHeader(images, hint: hint)
        // The header passed the file-size check; a gzip file can still declare far more than
        // memory holds (it is inflated straight into the floats, so those are what it costs).
        try budget.check(imagesPath, bytes: MemoryBudget.saturatingProduct(header.dimensions + [4]),
                         declares: MemoryBudget.product(header.dimensions) + " samples", position: .byte(4))
        guard header.dimensions.count >= 2 else {
            throw DataError(.badHeader, file: imagesPath, position: .byte(3), problem: "not an image file",
                            expected: "at least 2 dimensions (samples, features…)",
                            found: "\(header.dimensions.count) dimension(s)",
                            hint: "pass the images file as images and the labels file as labels")
        }
        let sampleCount = header.dimensions[0]
        guard sampleCount == labels.values.count else {
            throw DataError(.countMismatch, file: imagesPath, position: .byte(4),
                            problem: "the images and labels files disagree on the number of samples",
                            expected: "\(labels.values.count) images (as in \(labelsPath))",
                            found: "\(sampleCount) images", hint: "use matching images and labels files")
        }
        let classes = classCount ?? Int(labels.values.max() ?? -1) + 1
        if let bad = labels.values.firstIndex(where: { $0 < 0 || Int($0) >= classes }) {
            throw DataError.labelOutOfRange(file: labelsPath, position: .byte(labels.dataOffset + bad * labels.elementSize),
                                            sample: bad, label: Int(labels.values[bad]), classes: classes,
                                            largest: Int(labels.values.max() ?? 0))
        }
        let sampleShape = header.dimensions.count == 3 ? [1] + header.dimensions[1...] : Array(header.dimensions[1...])
        let dataset = Dataset(sampleShape: sampleShape, labels: labels.values, classCount: classes, source: imagesPath)
        try readElements(images, header: header, into: dataset.features.baseAddress!,
                         what: "\(describe(header)) (\(header.elementType))", hint: hint)
        try DataError.checkFinite(dataset, file: imagesPath)
        return dataset
    }

    /// Loads a directory in the MNIST layout: `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`,
    /// `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`, each plain or with `.gz`.
    ///
    /// - Parameters:
    ///   - classCount: labels must lie in `0 ..< classCount`; nil infers it from the training labels.
    ///   - installHint: advice when the directory or a file is missing.
    ///   - damagedHint: advice when a file is malformed.
    ///   - budget: the memory limit for what the headers declare (see ``MemoryBudget``).
    /// - Throws: ``DataError`` `.missingFile` naming the directory or file; any ``load(imagesPath:labelsPath:classCount:hint:budget:)`` error.
    public static func loadDirectory(_ directory: String, classCount: Int?, installHint: String,
                                     damagedHint: String = "re-create or re-download the file",
                                     budget: MemoryBudget = MemoryBudget.host()) throws
        -> (train: Dataset, test: Dataset) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DataError(.missingFile, file: directory, problem: "the dataset directory does not exist",
                            expected: "a directory with train-images-idx3-ubyte.gz and the other IDX files",
                            found: isDirectory.boolValue ? "nothing" : "no such directory", hint: installHint)
        }
        func path(_ stem: String) throws -> String {
            let base = (directory as NSString).appendingPathComponent(stem)
            for candidate in [base + ".gz", base] where FileManager.default.fileExists(atPath: candidate) {
                return candidate
            }
            throw DataError(.missingFile, file: base + ".gz", problem: "a dataset file is missing",
                            expected: "\(stem).gz or \(stem) in \(directory)", found: "neither", hint: installHint)
        }
        let train = try load(imagesPath: try path("train-images-idx3-ubyte"), labelsPath: try path("train-labels-idx1-ubyte"),
                             classCount: classCount, hint: damagedHint, budget: budget)
        let test = try load(imagesPath: try path("t10k-images-idx3-ubyte"), labelsPath: try path("t10k-labels-idx1-ubyte"),
                            classCount: classCount ?? train.classCount, hint: damagedHint, budget: budget)
        guard train.sampleShape == test.sampleShape else {
            throw DataError(.countMismatch, file: test.source, problem: "test images have a different shape from training images",
                            expected: "\(train.sampleShape)", found: "\(test.sampleShape)",
                            hint: "use training and test files from the same dataset")
        }
        return (train, test)
    }

    /// Reads and validates the header of an IDX file positioned at its start.
    public static func readHeader(_ file: FileBytes, hint: String) throws -> Header {
        let magic = try file.readExactly(4, what: "the 4-byte IDX magic", hint: hint)
        guard magic[0] == 0, magic[1] == 0 else {
            throw DataError(.badMagic, file: file.path, position: .byte(0), problem: "not an IDX file",
                            expected: "magic 00 00 <type> <dims>", found: hexString(magic),
                            hint: "the file is not in IDX format (or is compressed without a .gz name); \(hint)")
        }
        guard let type = ElementType(rawValue: magic[2]) else {
            throw DataError(.unsupportedType, file: file.path, position: .byte(2), problem: "unknown IDX element type",
                            expected: "0x08 (uint8), 0x09, 0x0B, 0x0C, 0x0D or 0x0E",
                            found: "0x" + hex(magic[2]), hint: hint)
        }
        let dimensionCount = Int(magic[3])
        guard dimensionCount >= 1 else {
            throw DataError(.badHeader, file: file.path, position: .byte(3), problem: "bad dimension count",
                            expected: "at least 1 dimension", found: "0", hint: hint)
        }
        let raw = try file.readExactly(4 * dimensionCount, what: "the \(dimensionCount) dimension sizes", hint: hint)
        var dimensions: [Int] = []
        var total = type.size
        for d in 0..<dimensionCount {
            let value = Int(raw[4 * d]) << 24 | Int(raw[4 * d + 1]) << 16 | Int(raw[4 * d + 2]) << 8 | Int(raw[4 * d + 3])
            dimensions.append(value)
            let (product, overflow) = total.multipliedReportingOverflow(by: value)
            total = overflow ? Int.max : product
        }
        if d0Invalid(dimensions) {
            throw DataError(.badHeader, file: file.path, position: .byte(4), problem: "a feature dimension is zero",
                            expected: "dimension sizes ≥ 1 after the sample count",
                            found: dimensions.map(String.init).joined(separator: "×"), hint: hint)
        }
        let available = file.maximumSize - 4 - 4 * dimensionCount
        guard total <= available else {
            if !file.isCompressed {
                throw DataError(.truncated, file: file.path, position: .byte(4 + 4 * dimensionCount + max(available, 0)),
                                problem: "the file is truncated: header says \(describe(Header(elementType: type, dimensions: dimensions)))",
                                expected: total == Int.max ? "an impossibly large size (the dimensions' product overflows)" : "\(total) bytes of data",
                                found: "\(max(available, 0)) bytes", hint: hint)
            }
            throw DataError(.truncated, file: file.path, position: .byte(4 + 4 * dimensionCount),
                            problem: "the file is truncated: header says \(describe(Header(elementType: type, dimensions: dimensions)))",
                            expected: total == Int.max ? "an impossibly large size (the dimensions' product overflows)" : "\(total) bytes of data",
                            found: "a \(file.fileSize)-byte file\(file.isCompressed ? " (compressed), which cannot hold that much" : "")",
                            hint: hint)
        }
        return Header(elementType: type, dimensions: dimensions)
    }

    // MARK: - Private

    private struct Labels {
        var values: [Int32]
        var dataOffset: Int
        var elementSize: Int
    }

    private static func readLabels(path: String, hint: String, budget: MemoryBudget) throws -> Labels {
        let file = try FileBytes(path: path, hint: hint)
        let header = try readHeader(file, hint: hint)
        // Held twice: the raw elements, then one Int32 each.
        try budget.check(path, bytes: MemoryBudget.saturatingProduct([header.elementCount, header.elementType.size + 4]),
                         declares: MemoryBudget.grouped(header.elementCount) + " labels", position: .byte(4),
                         meaning: "in memory (raw and as Int32)")
        guard header.dimensions.count == 1 else {
            throw DataError(.badHeader, file: path, position: .byte(3), problem: "not a labels file",
                            expected: "1 dimension (the sample count)", found: "\(header.dimensions.count) dimensions",
                            hint: "pass the labels file (idx1) as labels and the images file (idx3) as images")
        }
        guard header.elementType.isInteger else {
            throw DataError(.unsupportedType, file: path, position: .byte(2), problem: "labels must be integers",
                            expected: "element type 0x08, 0x09, 0x0B or 0x0C",
                            found: "0x" + hex(header.elementType.rawValue), hint: hint)
        }
        let count = header.dimensions[0]
        let bytes = try readPayload(file, header: header, what: "\(count) labels", hint: hint)
        defer { bytes.deallocate() }
        let p = UnsafeRawPointer(bytes.baseAddress!)
        let values: [Int32]
        switch header.elementType {
        case .uint8: values = (0..<count).map { Int32(p.load(fromByteOffset: $0, as: UInt8.self)) }
        case .int8: values = (0..<count).map { Int32(p.load(fromByteOffset: $0, as: Int8.self)) }
        case .int16: values = (0..<count).map { Int32(Int16(bigEndian: p.loadUnaligned(fromByteOffset: 2 * $0, as: Int16.self))) }
        default: values = (0..<count).map { Int32(bigEndian: p.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self)) }
        }
        return Labels(values: values, dataOffset: header.byteCount, elementSize: header.elementType.size)
    }

    /// Reads exactly the header's elements as floats into `destination`, then checks that
    /// nothing follows them.
    private static func readElements(_ file: FileBytes, header: Header, into destination: UnsafeMutablePointer<Float>,
                                     what: String, hint: String) throws {
        // Converted in chunks of 256 Ki elements, so a file never sits in memory twice (as
        // bytes and as floats): the peak is the floats plus one chunk.
        let count = header.elementCount
        let size = header.elementType.size
        let chunk = 1 << 18
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: chunk * size, alignment: 64)
        defer { buffer.deallocate() }
        var done = 0
        while done < count {
            let n = min(chunk, count - done)
            let got = try file.read(into: buffer, count: n * size)
            guard got == n * size else {
                throw DataError(.truncated, file: file.path, position: .byte(header.byteCount + done * size + got),
                                problem: "the file is truncated: header says \(what)",
                                expected: "\(count * size) bytes of data", found: "\(done * size + got) bytes", hint: hint)
            }
            convert(buffer, type: header.elementType, into: destination + done, count: n)
            done += n
        }
        let extra = try file.remainingCount()
        guard extra == 0 else {
            throw DataError(.trailingBytes, file: file.path, position: .byte(header.byteCount + count * size),
                            problem: "unexpected bytes after the data: header says \(what)",
                            expected: "the end of the file", found: "\(extra)\(extra >= 1 << 20 ? " or more" : "") extra bytes",
                            hint: "the file is damaged or its header is wrong; \(hint)")
        }
    }

    /// Big-endian IDX elements of `type` at `source` → Float.
    private static func convert(_ source: UnsafeRawPointer, type: ElementType, into destination: UnsafeMutablePointer<Float>,
                                count: Int) {
        switch type {
        case .uint8:
            let p = source.assumingMemoryBound(to: UInt8.self)
            for i in 0..<count { destination[i] = Float(p[i]) }
        case .int8:
            let p = source.assumingMemoryBound(to: Int8.self)
            for i in 0..<count { destination[i] = Float(p[i]) }
        case .int16:
            for i in 0..<count { destination[i] = Float(Int16(bigEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self))) }
        case .int32:
            for i in 0..<count { destination[i] = Float(Int32(bigEndian: source.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))) }
        case .float32:
            for i in 0..<count {
                destination[i] = Float(bitPattern: UInt32(bigEndian: source.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
            }
        case .float64:
            for i in 0..<count {
                destination[i] = Float(Double(bitPattern: UInt64(bigEndian: source.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))))
            }
        }
    }

    /// Reads exactly the header's data bytes (caller deallocates) and checks nothing follows.
    private static func readPayload(_ file: FileBytes, header: Header, what: String, hint: String) throws
        -> UnsafeMutableRawBufferPointer {
        let byteCount = header.elementCount * header.elementType.size
        let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: max(byteCount, 1), alignment: 64)
        do {
            let got = try file.read(into: bytes.baseAddress!, count: byteCount)
            guard got == byteCount else {
                throw DataError(.truncated, file: file.path, position: .byte(header.byteCount + got),
                                problem: "the file is truncated: header says \(what)",
                                expected: "\(byteCount) bytes of data", found: "\(got) bytes", hint: hint)
            }
            let extra = try file.remainingCount()
            guard extra == 0 else {
                throw DataError(.trailingBytes, file: file.path, position: .byte(header.byteCount + byteCount),
                                problem: "unexpected bytes after the data: header says \(what)",
                                expected: "the end of the file", found: "\(extra)\(extra >= 1 << 20 ? " or more" : "") extra bytes",
                                hint: "the file is damaged or its header is wrong; \(hint)")
            }
        } catch {
            bytes.deallocate()
            throw error
        }
        return bytes
    }

    private static func d0Invalid(_ dimensions: [Int]) -> Bool { dimensions.dropFirst().contains(0) }

    static func describe(_ header: Header) -> String {
        let dims = header.dimensions
        let rest = dims.dropFirst().map(String.init).joined(separator: "×")
        if dims.count == 1 { return "\(dims[0]) elements" }
        return "\(dims[0]) \(dims.count == 3 ? "images" : "samples") of \(rest)"
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
    }

    private static func hexString(_ bytes: [UInt8]) -> String { bytes.map(hex).joined(separator: " ") }
}
