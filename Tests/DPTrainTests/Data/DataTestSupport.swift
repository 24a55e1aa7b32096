import DPTrain
import Foundation
import Testing

/// A fresh temporary directory for one test, removed by the caller with `cleanUp()`.
final class DataTemporaryDirectory {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "dptrain-data-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `bytes` to `name` and returns the full path.
    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) -> String {
        let file = (path as NSString).appendingPathComponent(name)
        _ = FileManager.default.createFile(atPath: file, contents: Data(bytes))
        return file
    }

    @discardableResult
    func write(_ name: String, text: String) -> String { write(name, Array(text.utf8)) }

    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }
}

/// IDX bytes: magic 00 00 type D, big-endian dimensions, payload.
func idxBytes(type: UInt8, dimensions: [UInt32], payload: [UInt8]) -> [UInt8] {
    var bytes: [UInt8] = [0, 0, type, UInt8(dimensions.count)]
    for d in dimensions { bytes += [UInt8(d >> 24), UInt8((d >> 16) & 255), UInt8((d >> 8) & 255), UInt8(d & 255)] }
    return bytes + payload
}

/// Runs `python3 -c script` with `arguments`; returns false (and records why) if it fails.
@discardableResult
func runPython(_ script: String, _ arguments: [String]) -> Bool {
    let process = Process()
    // The python3 on PATH (the one with numpy), not necessarily /usr/bin/python3.
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script] + arguments
    let errors = Pipe()
    process.standardError = errors
    do { try process.run() } catch {
        Issue.record("cannot run python3: \(error)")
        return false
    }
    let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    if process.terminationStatus != 0 {
        Issue.record("python3 failed: \(message)")
        return false
    }
    return true
}

/// Expects `body` to throw a ``DataError`` of `kind` whose description contains every string of
/// `mentions` (the file name, the position, the found value…). Returns the error.
@discardableResult
func expectDataError(_ kind: DataError.Kind, mentioning mentions: [String],
                     sourceLocation: SourceLocation = #_sourceLocation,
                     _ body: () throws -> Void) -> DataError? {
    do {
        try body()
        Issue.record("expected a DataError .\(kind), nothing was thrown", sourceLocation: sourceLocation)
        return nil
    } catch let error as DataError {
        #expect(error.kind == kind, "wrong kind in: \(error.description)", sourceLocation: sourceLocation)
        for text in mentions {
            #expect(error.description.contains(text), "'\(text)' missing from: \(error.description)",
                    sourceLocation: sourceLocation)
        }
        return error
    } catch {
        Issue.record("expected a DataError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// The features of row `index` as an array.
func rowValues(_ dataset: Dataset, _ index: Int) -> [Float] {
    Array(UnsafeBufferPointer(start: dataset.row(index), count: dataset.featureCount))
}
