/// Reader of NumPy's `.npy` arrays and `.npz` archives of them.
///
/// `.npy` layout (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html):
///
///     byte 0–5   \x93NUMPY
///     byte 6–7   version: 1.0 (header length uint16 LE), 2.0 or 3.0 (uint32 LE; 3.0 is UTF-8)
///     then       header: a Python dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (N, d), }
///     then       product(shape) elements, C order, nothing after them
///
/// Supported `descr`: `<f4`, `<f8`, `|u1`, `|i1`, `<i4`, `<i8`. Big-endian (`>`) data is
/// rejected with a hint to convert (`a.astype('<f4')`). `fortran_order: True` arrays (what
/// `np.save` writes for column-major arrays such as pandas' `DataFrame.to_numpy()` or `a[:, [0, 2]]`)
/// are read and reordered to C order, so they give the same values as `np.ascontiguousarray(a)`.
///
/// A dataset file is an `.npz` (written by `numpy.savez` or `numpy.savez_compressed`) with
///  - features under key `x` or `features`: shape `(N, d)` → sample shape `[d]`; `(N, H, W)` →
///    `[1, H, W]`; `(N, C, H, W)` → `[C, H, W]`; float32, float64 or uint8 (kept unscaled);
///  - labels under key `y` or `labels`: shape `(N,)` or `(N, 1)`, any supported integer type,
///    each in `0 ..< classCount`.
public enum NPYReader {
    /// Element types (`descr`) that can be read.
    public enum DataType: String, Sendable {
        case float32 = "<f4", float64 = "<f8", uint8 = "|u1", int8 = "|i1", int32 = "<i4", int64 = "<i8"

        /// Bytes per element.
        public var size: Int {
            switch self {
            case .uint8, .int8: return 1
            case .float32, .int32: return 4
            case .float64, .int64: return 8
            }
        }

        var isInteger: Bool { self != .float32 && self != .float64 }
    }

    /// A parsed `.npy` header.
    public struct Header: Equatable, Sendable {
        /// Element type (`descr`).
        public var dataType: DataType
        /// Array shape, C order; `shape[0]` is the sample count for dataset arrays.
        public var shape: [Int]
        /// Byte offset of the first element.
        public var dataOffset: Int
        /// True when the elements are stored in Fortran (column-major) order; ``NPYReader/readArray(_:file:member:)``
        /// reorders them, so its arrays are always C order.
        public var fortranOrder = false
        /// Number of elements: product of the shape.
        public var elementCount: Int { shape.reduce(1, *) }
    }

    /// An array read from a `.npy` file or `.npz` member: its header and its bytes, converted
    /// on demand (never through an intermediate `[Double]` of the whole array).
    public struct Array: Sendable {
        /// The parsed header.
        public var header: Header
        /// The whole `.npy` file, header included.
        public var bytes: [UInt8]
        /// The header's shape.
        public var shape: [Int] { header.shape }
        /// The header's element type.
        public var dataType: DataType { header.dataType }

        /// Element `i` as a Double (exact for all supported types).
        public func value(at i: Int) -> Double {
            bytes.withUnsafeBytes { raw in NPYReader.element(raw.baseAddress! + header.dataOffset, i, header.dataType) }
        }

        /// All elements as Doubles (small arrays: labels, tests).
        public var values: [Double] {
            bytes.withUnsafeBytes { raw in
                let p = raw.baseAddress! + header.dataOffset
                return (0..<header.elementCount).map { NPYReader.element(p, $0, header.dataType) }
            }
        }

        /// Converts all elements to Float into `destination` (`elementCount` floats).
        public func copy(into destination: UnsafeMutablePointer<Float>) {
            let n = header.elementCount
            bytes.withUnsafeBytes { raw in
                let p = raw.baseAddress! + header.dataOffset
                switch header.dataType {
                case .float32: for i in 0..<n { destination[i] = Float(bitPattern: p.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self).littleEndian) }
                case .uint8: for i in 0..<n { destination[i] = Float(p.load(fromByteOffset: i, as: UInt8.self)) }
                default: for i in 0..<n { destination[i] = Float(NPYReader.element(p, i, header.dataType)) }
                }
            }
        }
    }

    static func element(_ p: UnsafeRawPointer, _ i: Int, _ type: DataType) -> Double {
        switch type {
        case .float32: return Double(Float(bitPattern: p.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self).littleEndian))
        case .float64: return Double(bitPattern: p.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self).littleEndian)
        case .uint8: return Double(p.load(fromByteOffset: i, as: UInt8.self))
        case .int8: return Double(p.load(fromByteOffset: i, as: Int8.self))
        case .int32: return Double(p.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self).littleEndian)
        case .int64: return Double(p.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self).littleEndian)
        }
    }

    /// Parses and validates the header of the `.npy` bytes, checking that exactly
    /// `product(shape) × itemsize` data bytes follow it.
    ///
    /// - Parameters:
    ///   - file: path for messages; `member`: the `.npz` member name, if any.
    ///   - dataSize: the data bytes known to follow the header (from a file size or an archive
    ///     directory) when `bytes` holds only the header; nil when `bytes` is the whole array.
    /// - Throws: ``DataError`` naming the file, member and byte offset.
    public static func parseHeader(_ bytes: [UInt8], file: String, member: String? = nil,
                                   dataSize: Int? = nil) throws -> Header {
        try parseHeader(bytes, file: file, member: member, dataSize: dataSize, checkingSize: true)
    }

    /// ``parseHeader(_:file:member:dataSize:)``, skipping the size check when `checkingSize` is
    /// false (a compressed stream whose length is unknown until it is inflated).
    static func parseHeader(_ bytes: [UInt8], file: String, member: String?, dataSize: Int?,
                            checkingSize: Bool) throws -> Header {
        func position(_ byte: Int) -> DataError.Position { member.map { .member($0, byte: byte) } ?? .byte(byte) }
        let hint = "write the array with numpy.save (or numpy.savez for a dataset)"
        let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
        guard bytes.count >= 10, Swift.Array(bytes[0..<6]) == magic else {
            throw DataError(.badMagic, file: file, position: position(0), problem: "not a .npy array",
                            expected: "the magic \\x93NUMPY", found: describePrefix(bytes), hint: hint)
        }
        let major = bytes[6]
        let headerLength: Int, headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else {
                throw DataError(.truncated, file: file, position: position(8), problem: "the header is cut off",
                                expected: "a 4-byte header length", found: "\(bytes.count - 8) bytes", hint: hint)
            }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        default:
            throw DataError(.unsupportedType, file: file, position: position(6), problem: "unsupported .npy version",
                            expected: "1.0, 2.0 or 3.0", found: "\(major).\(bytes[7])", hint: hint)
        }
        guard headerLength <= maximumHeaderLength else {
            throw DataError(.tooLarge, file: file, position: position(8),
                            problem: "the header is implausibly long",
                            expected: "at most \(MemoryBudget.grouped(maximumHeaderLength)) header bytes",
                            found: "\(MemoryBudget.grouped(headerLength))", hint: hint)
        }
        guard headerStart + headerLength <= bytes.count else {
            throw DataError(.truncated, file: file, position: position(headerStart), problem: "the header is cut off",
                            expected: "\(headerLength) header bytes", found: "\(bytes.count - headerStart)", hint: hint)
        }
        let text = String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
        var parser = DictParser(text: Swift.Array(text.unicodeScalars))
        let dict: [String: DictParser.Value]
        do {
            dict = try parser.parse()
        } catch let error as DictParser.Failure {
            throw DataError(.badHeader, file: file, position: position(headerStart + error.offset),
                            problem: "malformed header dictionary", expected: error.expected,
                            found: error.found, hint: hint)
        }
        guard case .string(let descr)? = dict["descr"] else {
            throw missingKey("descr", file: file, position: position(headerStart), hint: hint)
        }
        guard case .bool(let fortran)? = dict["fortran_order"] else {
            throw missingKey("fortran_order", file: file, position: position(headerStart), hint: hint)
        }
        guard case .tuple(let shape)? = dict["shape"] else {
            throw missingKey("shape", file: file, position: position(headerStart), hint: hint)
        }
        guard let dataType = DataType(rawValue: descr) else {
            let bigEndian = descr.hasPrefix(">")
            throw DataError(.unsupportedType, file: file, position: position(headerStart),
                            problem: bigEndian ? "big-endian data is not supported" : "unsupported dtype",
                            expected: "descr <f4, <f8, |u1, |i1, <i4 or <i8", found: "'\(descr)'",
                            hint: bigEndian ? "convert with a.astype(a.dtype.newbyteorder('<')) before saving"
                                            : "convert with a.astype('float32') (features) or a.astype('int64') (labels)")
        }
        let total = MemoryBudget.saturatingProduct(shape + [dataType.size])
        let dataOffset = headerStart + headerLength
        let present = dataSize ?? bytes.count - dataOffset
        if checkingSize && present < total {
            throw DataError(.truncated, file: file, position: position(dataOffset),
                            problem: "the file is truncated: header says shape \(shapeText(shape)) of \(descr)",
                            expected: total == Int.max ? "an impossibly large size (the shape's product overflows)"
                                                       : "\(total) bytes of data",
                            found: "\(present) bytes", hint: hint)
        }
        if checkingSize && present > total {
            throw DataError(.trailingBytes, file: file, position: position(dataOffset + total),
                            problem: "unexpected bytes after the data: header says shape \(shapeText(shape)) of \(descr)",
                            expected: "\(total) bytes of data", found: "\(present) bytes", hint: hint)
        }
        return Header(dataType: dataType, shape: shape, dataOffset: dataOffset, fortranOrder: fortran && shape.count > 1)
    }

    /// Reads an array from `.npy` bytes (validating the header and size).
    /// Fortran-order data is reordered to C order.
    public static func readArray(_ bytes: [UInt8], file: String, member: String? = nil) throws -> Array {
        let header = try parseHeader(bytes, file: file, member: member)
        guard header.fortranOrder else { return Array(header: header, bytes: bytes) }
        return Array(header: Header(dataType: header.dataType, shape: header.shape, dataOffset: header.dataOffset),
                     bytes: cOrder(bytes, header: header))
    }

    /// `bytes` with the Fortran-order elements after `header.dataOffset` rearranged into C order:
    /// source element (i₀, …, i_{k−1}) at Σ i_j·∏_{l<j} n_l goes to Σ i_j·∏_{l>j} n_l.
    static func cOrder(_ bytes: [UInt8], header: Header) -> [UInt8] {
        let shape = header.shape, size = header.dataType.size, count = header.elementCount
        var result = bytes
        guard count > 0 else { return result }
        var strides = [Int](repeating: 1, count: shape.count)
        for j in stride(from: shape.count - 2, through: 0, by: -1) { strides[j] = strides[j + 1] * shape[j + 1] }
        var index = [Int](repeating: 0, count: shape.count)
        var target = 0
        bytes.withUnsafeBytes { source in
            result.withUnsafeMutableBytes { destination in
                let from = source.baseAddress! + header.dataOffset
                let to = destination.baseAddress! + header.dataOffset
                for element in 0..<count {
                    (to + target * size).copyMemory(from: from + element * size, byteCount: size)
                    // Next Fortran-order position: the first index varies fastest.
                    var j = 0
                    while j < shape.count {
                        index[j] += 1
                        target += strides[j]
                        if index[j] < shape[j] { break }
                        target -= index[j] * strides[j]
                        index[j] = 0
                        j += 1
                    }
                }
            }
        }
        return result
    }

    /// The longest header dictionary accepted (1 MiB; numpy itself refuses more than 10,000
    /// bytes unless told otherwise), so a version-2 length field cannot demand 4 GB.
    public static let maximumHeaderLength = 1 << 20

    /// The magic, version, length field and header dictionary of an array, read through
    /// `read` (which returns up to the next n bytes, fewer at the end). Stops early where the
    /// bytes cannot be a header; ``parseHeader(_:file:member:dataSize:)`` then reports why.
    static func readHeaderBytes(_ read: (Int) throws -> [UInt8]) throws -> [UInt8] {
        var bytes = try read(10)
        guard bytes.count == 10, bytes[0] == 0x93 else { return bytes }
        var length = Int(bytes[8]) | Int(bytes[9]) << 8
        if bytes[6] == 2 || bytes[6] == 3 {
            bytes += try read(2)
            guard bytes.count == 12 else { return bytes }
            length |= Int(bytes[10]) << 16 | Int(bytes[11]) << 24
        }
        guard length <= maximumHeaderLength else { return bytes }
        return bytes + (try read(length))
    }

    /// The memory an array of `header` costs once read: its data bytes plus one float32 per
    /// element (the dataset it becomes); `Int.max` when that overflows.
    static func memoryCost(_ header: Header) -> Int {
        let elements = MemoryBudget.saturatingProduct(header.shape)
        return MemoryBudget.saturatingSum([MemoryBudget.saturatingProduct([elements, header.dataType.size]),
                                           MemoryBudget.saturatingProduct([elements, 4])])
    }

    /// Reads a `.npy` file (plain or gzip-compressed).
    ///
    /// The header is read and checked first — against the file's size for a plain file, and
    /// against `budget` always — and only then are exactly the declared data bytes read; a
    /// compressed file is inflated no further than one byte past them.
    /// - Throws: ``DataError`` naming the file.
    public static func readArray(path: String, budget: MemoryBudget = MemoryBudget.host()) throws -> Array {
        let file = try FileBytes(path: path)
        var bytes = try readHeaderBytes { count in
            var chunk = [UInt8](repeating: 0, count: max(count, 1))
            let got = try chunk.withUnsafeMutableBytes { try file.read(into: $0.baseAddress!, count: count) }
            return Swift.Array(chunk[0..<got])
        }
        let known = file.isCompressed ? nil : file.fileSize - bytes.count
        let header = try parseHeader(bytes, file: path, member: nil, dataSize: known, checkingSize: known != nil)
        try budget.check(path, bytes: memoryCost(header),
                         declares: "shape \(shapeText(header.shape)) of \(header.dataType.rawValue)",
                         position: .byte(8), meaning: "in memory (the array and its float32 copy)")
        let total = header.elementCount * header.dataType.size
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: total))
        let got = try bytes.withUnsafeMutableBytes { try file.read(into: $0.baseAddress! + start, count: total) }
        if got < total {
            throw DataError(.truncated, file: path, position: .byte(start),
                            problem: "the file is truncated: header says shape \(shapeText(header.shape)) of \(header.dataType.rawValue)",
                            expected: "\(total) bytes of data", found: "\(got) bytes",
                            hint: "write the array with numpy.save (or numpy.savez for a dataset)")
        }
        let extra = try file.remainingCount()
        if extra > 0 {
            throw DataError(.trailingBytes, file: path, position: .byte(start + total),
                            problem: "unexpected bytes after the data: header says shape \(shapeText(header.shape)) of \(header.dataType.rawValue)",
                            expected: "\(total) bytes of data",
                            found: "\(MemoryBudget.saturatingSum([total, extra]))\(extra >= 1 << 20 ? " or more" : "") bytes",
                            hint: "write the array with numpy.save (or numpy.savez for a dataset)")
        }
        return try readArray(bytes, file: path)
    }

    /// Loads a dataset from an `.npz` archive with keys `x`/`features` and `y`/`labels`.
    ///
    /// - Parameters:
    ///   - path: the `.npz` file (members stored or deflated).
    ///   - classCount: labels must lie in `0 ..< classCount`; nil infers max(label) + 1.
    ///   - budget: the memory each member's declared array may take (its bytes plus its float32
    ///     copy), checked from the member's header before the member is inflated.
    /// - Throws: ``DataError`` naming the file and member.
    public static func load(path: String, classCount: Int? = nil, budget: MemoryBudget = MemoryBudget.host()) throws -> Dataset {
        let file = try FileBytes(path: path)
        let archive = try ZipArchive(bytes: try file.readAll(limit: file.maximumSize), path: path)
        func member(_ keys: [String], _ role: String) throws -> (String, Array) {
            for key in keys {
                if let entry = archive.entry(named: key + ".npy") {
                    // The member's header first (a few hundred bytes inflated), checked against
                    // the directory's size and the budget; only then the member itself.
                    var prefix: [UInt8] = []
                    let headerBytes = try readHeaderBytes { count in
                        let longer = try archive.prefix(of: entry, count: prefix.count + count)
                        defer { prefix = longer }
                        return Swift.Array(longer[prefix.count...])
                    }
                    let header = try parseHeader(headerBytes, file: path, member: entry.name,
                                                 dataSize: entry.uncompressedSize - headerBytes.count)
                    try budget.check(path, bytes: memoryCost(header),
                                     declares: "shape \(shapeText(header.shape)) of \(header.dataType.rawValue) in \(entry.name)",
                                     position: .member(entry.name, byte: nil),
                                     meaning: "in memory (the array and its float32 copy)")
                    return (entry.name, try readArray(try archive.contents(of: entry), file: path, member: entry.name))
                }
            }
            throw DataError(.missingField, file: path, problem: "no \(role) array in the archive",
                            expected: keys.map { "'\($0)'" }.joined(separator: " or "),
                            found: archive.entries.map { "'\($0.name.replacingSuffix(".npy"))'" }.joined(separator: ", "),
                            hint: "save with numpy.savez(path, x=features, y=labels)")
        }
        let (featureName, features) = try member(["x", "features"], "features")
        let (labelName, labels) = try member(["y", "labels"], "labels")
        return try makeDataset(features: features, labels: labels, classCount: classCount, file: path,
                               featureMember: featureName, labelMember: labelName)
    }

    /// Builds a dataset from a features array and a labels array (see the type's documentation
    /// for the accepted shapes and types).
    public static func makeDataset(features: Array, labels: Array, classCount: Int?, file: String,
                                   featureMember: String? = nil, labelMember: String? = nil) throws -> Dataset {
        let featurePosition: DataError.Position = featureMember.map { .member($0, byte: nil) } ?? .none
        let labelPosition: DataError.Position = labelMember.map { .member($0, byte: nil) } ?? .none
        guard features.shape.count >= 1, features.shape.dropFirst().allSatisfy({ $0 > 0 }),
              [.float32, .float64, .uint8].contains(features.dataType) else {
            throw DataError(.badHeader, file: file, position: featurePosition, problem: "unusable features array",
                            expected: "shape (N, d…) with d > 0 of float32, float64 or uint8",
                            found: "shape \(shapeText(features.shape)) of \(features.dataType.rawValue)",
                            hint: "save features as a 2-D (or image 3-/4-D) float32 array")
        }
        let n = features.shape[0]
        guard labels.dataType.isInteger, labels.shape.count == 1 || (labels.shape.count == 2 && labels.shape[1] == 1) else {
            throw DataError(.badHeader, file: file, position: labelPosition, problem: "unusable labels array",
                            expected: "shape (N,) or (N, 1) of an integer type",
                            found: "shape \(shapeText(labels.shape)) of \(labels.dataType.rawValue)",
                            hint: "save labels with labels.astype('int64')")
        }
        guard labels.shape[0] == n else {
            throw DataError(.countMismatch, file: file, position: labelPosition,
                            problem: "features and labels disagree on the number of samples",
                            expected: "\(n) labels", found: "\(labels.shape[0])", hint: "save matching arrays")
        }
        let labelDoubles = labels.values
        if let bad = labelDoubles.firstIndex(where: { $0 < 0 || $0 > Double(Int32.max) }) {
            throw DataError(.badLabel, file: file, position: labelPosition, problem: "label of sample \(bad) is negative or too large",
                            expected: "a class index ≥ 0", found: "\(Int64(labelDoubles[bad]))",
                            hint: "labels are class indices 0, 1, …")
        }
        let labelValues = labelDoubles.map { Int32($0) }
        let classes = classCount ?? Int(labelValues.max() ?? -1) + 1
        if let bad = labelValues.firstIndex(where: { Int($0) >= classes }) {
            throw DataError.labelOutOfRange(file: file, position: labelPosition, sample: bad, label: Int(labelValues[bad]),
                                            classes: classes, largest: Int(labelValues.max() ?? 0))
        }
        let rest = Swift.Array(features.shape.dropFirst())
        let sampleShape = rest.isEmpty ? [1] : rest.count == 2 ? [1] + rest : rest
        let dataset = Dataset(sampleShape: sampleShape, labels: labelValues, classCount: classes, source: file)
        features.copy(into: dataset.features.baseAddress!)
        try DataError.checkFinite(dataset, file: file, position: featurePosition)
        return dataset
    }

    // MARK: - Private

    private static func missingKey(_ key: String, file: String, position: DataError.Position, hint: String) -> DataError {
        DataError(.badHeader, file: file, position: position, problem: "the header lacks a key",
                  expected: "'\(key)' with a value of the right type", found: "none", hint: hint)
    }

    static func shapeText(_ shape: [Int]) -> String {
        shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }

    private static func describePrefix(_ bytes: [UInt8]) -> String {
        bytes.isEmpty ? "an empty file" : bytes.prefix(6).map { String($0, radix: 16) }.joined(separator: " ")
    }

    /// Parser of the Python dict literal in an `.npy` header.
    struct DictParser {
        enum Value { case string(String), bool(Bool), tuple([Int]) }
        struct Failure: Error { var offset: Int; var expected: String; var found: String }

        let text: [Unicode.Scalar]
        var index = 0

        init(text: [Unicode.Scalar]) { self.text = text }

        mutating func parse() throws -> [String: Value] {
            var result: [String: Value] = [:]
            skipSpace()
            try expect("{")
            while true {
                skipSpace()
                if consume("}") { break }
                let key = try parseString()
                skipSpace()
                try expect(":")
                skipSpace()
                result[key] = try parseValue()
                skipSpace()
                switch peek {
                case ","?: index += 1
                case "}"?: break  // closed at the top of the loop
                default: throw failure("',' or '}'")
                }
            }
            return result
        }

        /// The characters skipped between tokens.
        static let whitespace: Set<Unicode.Scalar> = [" ", "\n", "\t", "\r"]
        /// The characters that open (and close) a Python string.
        static let quotes: Set<Unicode.Scalar> = ["'", "\""]
        /// The digits of an integer.
        static let digits: ClosedRange<Unicode.Scalar> = "0"..."9"

        var peek: Unicode.Scalar? { index < text.count ? text[index] : nil }

        /// Steps over `c` when it is next; returns whether it was.
        mutating func consume(_ c: Unicode.Scalar) -> Bool {
            guard peek == c else { return false }
            index += 1
            return true
        }

        mutating func skipSpace() { while let c = peek, Self.whitespace.contains(c) { index += 1 } }

        func failure(_ expected: String) -> Failure {
            Failure(offset: index, expected: expected, found: peek.map { "'\(Character($0))'" } ?? "the end of the header")
        }

        mutating func expect(_ c: Unicode.Scalar) throws {
            guard consume(c) else { throw failure("'\(Character(c))'") }
        }

        mutating func parseString() throws -> String {
            guard let quote = peek, Self.quotes.contains(quote) else { throw failure("a quoted string") }
            index += 1
            var scalars = String.UnicodeScalarView()
            while let c = peek, c != quote { scalars.append(c); index += 1 }
            try expect(quote)
            return String(scalars)
        }

        mutating func parseValue() throws -> Value {
            switch peek {
            case "'"?, "\""?:
                return .string(try parseString())
            case "("?:
                index += 1
                var values: [Int] = []
                while true {
                    skipSpace()
                    if consume(")") { return .tuple(values) }
                    var digits = ""
                    while let c = peek, Self.digits.contains(c) { digits.unicodeScalars.append(c); index += 1 }
                    _ = consume("L")  // Python 2 long suffix
                    guard let value = Int(digits) else { throw failure("a non-negative integer") }
                    values.append(value)
                    skipSpace()
                    switch peek {
                    case ","?: index += 1
                    case ")"?: break  // closed at the top of the loop
                    default: throw failure("',' or ')'")
                    }
                }
            default:
                break
            }
            for (word, value) in [("True", true), ("False", false)] where text[index...].starts(with: word.unicodeScalars) {
                index += word.unicodeScalars.count
                return .bool(value)
            }
            throw failure("a string, a tuple, True or False")
        }
    }
}

extension String {
    func replacingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
}
