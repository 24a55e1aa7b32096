/// A problem with a dataset file or with the data configuration, thrown by every reader in
/// `Data/` (IDX, NPY/NPZ, CSV, gzip), by ``ValidationSplit`` and by ``Augmentation``.
///
/// The ``description`` names the file, the position inside it (byte offset, line and column, or
/// archive member), what was expected, what was found, and how to fix it, for example:
///
///     train-images-idx3-ubyte.gz: byte 16: the file is truncated: header says 60000 images
///     of 28×28, so expected 47040000 bytes of pixel data, found 1234 — re-download the file
///     or reinstall the package (apt-get install --reinstall dataset-fashion-mnist)
public struct DataError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What went wrong, for callers (and tests) that branch on it.
    public enum Kind: String, Sendable {
        /// The file or directory does not exist (or is not a regular file).
        case missingFile
        /// The file exists but could not be read.
        case unreadable
        /// The gzip or deflate stream is damaged.
        case corruptCompression
        /// The file does not start with the format's magic bytes.
        case badMagic
        /// A header field is malformed (dimension count, dict syntax, zip directory, …).
        case badHeader
        /// An element type (IDX type byte, NPY `descr`, zip method) that is not supported.
        case unsupportedType
        /// The file holds fewer bytes than its header promises.
        case truncated
        /// The file holds more bytes than its header promises.
        case trailingBytes
        /// What the file declares would not fit in memory (``MemoryBudget``), or a line or a
        /// header is beyond the reader's fixed limits.
        case tooLarge
        /// Features and labels disagree on the number of samples.
        case countMismatch
        /// A label outside `0 ..< classCount` (or negative, or not an integer).
        case badLabel
        /// A CSV row with the wrong number of fields.
        case raggedRow
        /// A CSV field that is not a number.
        case notNumeric
        /// A required column, array or archive member is absent.
        case missingField
        /// A data setting that cannot work with this dataset (split size, augmentation, …).
        case configuration
        /// A checksum (of a prepared sample store) does not match its contents.
        case checksumMismatch
    }

    /// Where in a file the problem is.
    public enum Position: Equatable, Sendable, CustomStringConvertible {
        /// Nowhere in particular (the whole file, or a setting).
        case none
        /// A byte offset in the (decompressed) file.
        case byte(Int)
        /// A 1-based line, and optionally a 1-based column (CSV fields count as columns).
        case line(Int, column: Int?)
        /// A member of an archive (`.npz`), optionally with a byte offset inside it.
        case member(String, byte: Int?)
        /// An element (sample) index, for example of a label.
        case element(Int)

        /// `byte 16`, `line 3, column 2`, `member x.npy`, `sample 7`, or empty.
        public var description: String {
            switch self {
            case .none: return ""
            case .byte(let offset): return "byte \(offset)"
            case .line(let line, let column?): return "line \(line), column \(column)"
            case .line(let line, nil): return "line \(line)"
            case .member(let name, let offset?): return "member \(name), byte \(offset)"
            case .member(let name, nil): return "member \(name)"
            case .element(let index): return "sample \(index)"
            }
        }
    }

    /// The category of the problem.
    public var kind: Kind
    /// The file concerned, as given by the caller (empty for pure configuration errors).
    public var file: String
    /// Where in the file it is.
    public var position: Position
    /// One phrase saying what is wrong ("the file is truncated").
    public var problem: String
    /// What the reader expected at that position.
    public var expected: String
    /// What it found instead.
    public var found: String
    /// What the user can do about it.
    public var hint: String

    /// Creates an error; see the properties for the meaning of each part.
    public init(_ kind: Kind, file: String, position: Position = .none, problem: String,
                expected: String, found: String, hint: String) {
        self.kind = kind
        self.file = file
        self.position = position
        self.problem = problem
        self.expected = expected
        self.found = found
        self.hint = hint
    }

    /// `file: position: problem: expected …, found … — hint`.
    public var description: String {
        var text = ""
        if !file.isEmpty { text += file + ": " }
        if position != .none { text += position.description + ": " }
        text += problem
        text += ": expected \(expected), found \(found)"
        if !hint.isEmpty { text += " — " + hint }
        return text
    }
}
