import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Finds, verifies and (when needed) prepares the sample store of a dataset read from files.
///
/// The store of a dataset lives in the cache directory (`data.cache`; default `data-cache`
/// next to the run directory, i.e. in the parent of `output`) as
/// `<kind>-<16 hex digits>.dpstore`, the digits a checksum of the kind and the absolute source
/// paths. It is used when it verifies (``SampleStore/open(path:)``) and its recorded source
/// fingerprints (path, size, modification time) match the files now; otherwise it is rebuilt,
/// with a note on stderr saying why. One process per host builds: the others block on an
/// exclusive `flock` of `<store>.lock` and then find the finished store; the build writes a
/// temporary file and renames it (``StoreWriter``), so no rank maps a partial store.
public enum StoreCache {
    /// What ``open(_:directory:budget:)`` did.
    public struct Outcome {
        /// The verified, mapped store.
        public var store: SampleStore
        /// Whether this process prepared it (false: it was reused).
        public var built: Bool
        /// Seconds spent preparing it (0 when reused).
        public var seconds: Double
        /// Why an existing store was not used (nil when there was none or it was reused).
        public var reason: String?
    }

    /// The cache directory of a run: `data.cache` when set, else `data-cache` in the parent
    /// directory of `output` (`runs/data-cache` for `output: runs/NAME`).
    public static func directory(data: DataConfig, output: String) -> String {
        if let cache = data.cache { return cache }
        let parent = (output as NSString).deletingLastPathComponent
        return ((parent.isEmpty ? "." : parent) as NSString).appendingPathComponent("data-cache")
    }

    /// The source files of `kind` as they are now, or nil when it is not read from files or a
    /// file is missing (the reader then reports which).
    public static func sources(of kind: DatasetKind) -> [String]? {
        func present(_ path: String) -> String? { FileManager.default.fileExists(atPath: path) ? absolute(path) : nil }
        switch kind {
        case let .fashionMNIST(directory), let .idx(directory):
            var files: [String] = []
            for stem in ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"] {
                let base = (directory as NSString).appendingPathComponent(stem)
                // The reader's choice: the .gz file when present, else the plain one.
                guard let file = present(base + ".gz") ?? present(base) else { return nil }
                files.append(file)
            }
            return files
        case let .npy(train, test), let .csv(train, test, _):
            let files = [train] + (test.map { [$0] } ?? [])
            let found = files.compactMap(present)
            return found.count == files.count ? found : nil
        case .spirals, .linearRegression, .store:
            return nil
        }
    }

    /// The fingerprint of each file (size and modification time now).
    public static func fingerprints(_ files: [String]) -> [SourceFingerprint] {
        files.map { file in
            var status = stat()
            guard stat(file, &status) == 0 else { return SourceFingerprint(path: file, size: -1, modified: -1) }
            return SourceFingerprint(path: file, size: Int(status.st_size),
                                     modified: Int64(status.st_mtim.tv_sec) * 1_000_000_000 + Int64(status.st_mtim.tv_nsec))
        }
    }

    /// The store file of `kind` (read from `sources`) in `directory`.
    public static func storePath(_ kind: DatasetKind, sources: [String], directory: String) -> String {
        var identity = "\(kind)\n" + sources.joined(separator: "\n")
        if case let .csv(_, _, labelColumn) = kind { identity += "\nlabel_column=\(labelColumn)" }
        let name = "\(kind)-\(SampleStore.hex(StoreChecksum.of(identity))).\(SampleStoreFile.fileExtension)"
        return (directory as NSString).appendingPathComponent(name)
    }

    /// The verified store of `kind` (read from files) in `directory`, prepared first when it
    /// is missing, damaged or stale. Returns nil for kinds not read from files, or when a
    /// source file is missing (the caller's reader then throws the precise error).
    ///   `classCount` and `sampleSize` (the model's, when known) only sharpen the readers' error
    ///   messages while preparing; the store records the classes its labels imply.
    /// - Throws: ``DataError`` from the readers while preparing, or when the directory is not
    ///   writable.
    public static func open(_ kind: DatasetKind, directory: String, budget: MemoryBudget,
                            classCount: Int? = nil, sampleSize: Int? = nil) throws -> Outcome? {
        guard let files = sources(of: kind) else { return nil }
        let path = storePath(kind, sources: files, directory: directory)
        var reason: String?
        if let store = usable(path, sources: fingerprints(files), reason: &reason) {
            return Outcome(store: store, built: false, seconds: 0, reason: nil)
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw DataError(.unreadable, file: directory, problem: "cannot create the data cache directory",
                            expected: "a writable directory", found: "\(error.localizedDescription)",
                            hint: "set data.cache to a writable directory")
        }
        let lock = Glibc.open(path + ".lock", O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard lock >= 0 else { throw StoreWriter.failure(path + ".lock", "cannot create the lock file") }
        defer { close(lock) }
        while flock(lock, LOCK_EX) != 0 && errno == EINTR {}
        defer { flock(lock, LOCK_UN) }
        // Another process on this host may have prepared it while this one waited.
        let current = fingerprints(files)
        if let store = usable(path, sources: current, reason: &reason) {
            return Outcome(store: store, built: false, seconds: 0, reason: nil)
        }
        if let reason { FileHandle.standardError.write(Data("dptrain: preparing the data store again: \(reason)\n".utf8)) }
        let start = Date()
        let (train, test) = try DataSource.load(kind, seed: 0, classCount: classCount, sampleSize: sampleSize, budget: budget)
        try StoreWriter.write(train: train, test: test, to: path, origin: "\(kind) \(files.joined(separator: ", "))",
                              sources: current)
        let seconds = Date().timeIntervalSince(start)
        let store = try SampleStore.open(path: path)
        return Outcome(store: store, built: true, seconds: seconds, reason: reason)
    }

    /// The store at `path` when it exists, verifies and matches `sources`; otherwise nil with
    /// `reason` saying why (nil when the file does not exist).
    static func usable(_ path: String, sources: [SourceFingerprint], reason: inout String?) -> SampleStore? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            let store = try SampleStore.open(path: path)
            if let stale = store.staleness(against: sources) {
                reason = "\(path) is stale: \(stale)"
                return nil
            }
            return store
        } catch {
            reason = "\(error)"
            return nil
        }
    }

    private static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }
}
