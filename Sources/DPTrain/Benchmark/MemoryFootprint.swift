import Foundation

/// One rank's memory: what training needs to hold, and what the process held at its peak.
///
///     needed = parameters + gradients + optimizer state + buffers + dataset      (bytes)
///     ratio  = peak resident set (VmHWM) / needed
///
/// Parameters and gradients are P floats each; optimizer state is the optimizer's state
/// buffers (P floats per slot: 1 for momentum SGD, 2 for Adam); buffers are every
/// ``FloatBuffer`` alive (activations, their gradients, im2col columns and the batch gathers, at
/// the largest batch seen — the evaluation batch when it is larger than the micro-batch);
/// dataset is the features, labels and targets of the train, validation and test splits this
/// rank holds in its own memory (0 when they are read from a mapped sample store, whose size is
/// ``store``). The resident set now is split into anonymous memory (RssAnon: the heap, the
/// counted parts, runtime and library buffers) and file-backed pages (RssFile: the mapped
/// store's pages this rank has touched — shared by every rank of the host through the page
/// cache — and the executable and libraries). The peak also holds what no formula counts: the Swift runtime, Open MPI's
/// shared-memory segments, OpenBLAS's packing buffers and the file bytes while reading data.
public struct MemoryFootprint: Sendable {
    public var parameters: Int
    public var gradients: Int
    public var optimizerState: Int
    public var buffers: Int
    public var dataset: Int
    /// VmHWM of this process (nil where /proc/self/status is not readable).
    public var peakResident: Int?
    /// RssAnon of this process now (nil where unknown).
    public var residentAnonymous: Int?
    /// RssFile of this process now (nil where unknown).
    public var residentFile: Int?
    /// Size of the mapped sample store file (0 when the data is in memory).
    public var store: Int

    /// The sum of the counted parts, in bytes.
    public var needed: Int { parameters + gradients + optimizerState + buffers + dataset }

    /// The figures of this process now (call after training, when every buffer has grown).
    public static func measure(model: Sequential, optimizer: Optimizer, data: TrainingData) -> MemoryFootprint {
        let floatBytes = MemoryLayout<Float>.stride
        let splits = [data.train, data.validation, data.test].compactMap { $0 }
        let datasetBytes = splits.reduce(0) {
            $0 + $1.features.count * floatBytes + $1.labels.count * MemoryLayout<Int32>.stride
                + ($1.targetValues?.count ?? 0) * floatBytes
        }
        return MemoryFootprint(parameters: model.store.count * floatBytes, gradients: model.store.count * floatBytes,
                               optimizerState: optimizer.stateBuffers.reduce(0) { $0 + $1.buffer.count * floatBytes },
                               buffers: FloatBuffer.liveBytes, dataset: datasetBytes,
                               peakResident: statusBytes("VmHWM"), residentAnonymous: statusBytes("RssAnon"),
                               residentFile: statusBytes("RssFile"), store: data.store?.fileSize ?? 0)
    }

    /// The unit /proc/self/status gives sizes in (`VmHWM:    123456 kB`).
    private static let kilobyteUnit = "kB"

    /// The peak resident set size (VmHWM) of this process in bytes, from /proc/self/status.
    public static func peakResidentBytes() -> Int? { statusBytes("VmHWM") }

    /// The size field `name` (`VmHWM`, `RssAnon`, `RssFile`, …) of /proc/self/status in bytes.
    public static func statusBytes(_ name: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix(name + ":") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 3, let kilobytes = Int(fields[1]), fields[2] == kilobyteUnit else { return nil }
            return kilobytes * 1024
        }
        return nil
    }
}
