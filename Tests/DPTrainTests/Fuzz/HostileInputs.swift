import DPTrain
import Foundation

/// Generators of hostile inputs: files whose *structure* lies (declared sizes far beyond the
/// data, aliases that expand exponentially, nesting without end, lines without end), as an
/// attacker or a damaged download would write them. Every generator is seeded and small on
/// disk; what it declares is large.
enum HostileInputs {
    /// An IDX file (big-endian header) declaring `dimensions` of `type`, followed by `payload`.
    static func idx(type: UInt8 = 0x08, dimensions: [UInt32], payload: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, type, UInt8(dimensions.count)]
        for dimension in dimensions {
            bytes += [UInt8(dimension >> 24), UInt8((dimension >> 16) & 0xFF), UInt8((dimension >> 8) & 0xFF),
                      UInt8(dimension & 0xFF)]
        }
        return bytes + payload
    }

    /// A directory in the MNIST layout whose gzip'd training images declare `count` × 28 × 28
    /// images and really expand to them (a ``ZeroBomb``: 7.6 MB on disk for 7.84 GB, inside
    /// deflate's ~1032:1 ratio, so only the header can tell); the labels file declares and holds
    /// `count` labels.
    static func idxBombDirectory(in directory: URL, count: Int = 10_000_000) throws -> URL {
        let root = directory.appendingPathComponent("idx-bomb")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let images = ZeroBomb(prefix: idx(dimensions: [UInt32(count), 28, 28], payload: []), zeroCount: count * 784, gzip: true)
        let labels = ZeroBomb(prefix: idx(dimensions: [UInt32(count)], payload: []), zeroCount: count, gzip: true)
        let small = idx(dimensions: [10, 28, 28], payload: [UInt8](repeating: 0, count: 7840))
        let smallLabels = idx(dimensions: [10], payload: Array(0..<10))
        for (name, bytes) in [("train-images-idx3-ubyte.gz", images.compressed), ("train-labels-idx1-ubyte.gz", labels.compressed),
                              ("t10k-images-idx3-ubyte.gz", Gzip.compress(small)),
                              ("t10k-labels-idx1-ubyte.gz", Gzip.compress(smallLabels))] {
            try Data(bytes).write(to: root.appendingPathComponent(name))
        }
        return root
    }

    /// An NPY file whose header declares `shape` of `descr` and holds `payload` bytes, each
    /// `fill` (0xFF: −1 as a signed integer, NaN as a float).
    static func npy(descr: String = "<f4", shape: String, payload: Int = 64, fill: UInt8 = 0) -> [UInt8] {
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"
        header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
        let length = header.utf8.count
        return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)]
            + Array(header.utf8) + [UInt8](repeating: fill, count: payload)
    }

    /// A CSV file with one line of `width` columns (header) and a few rows, or one enormous line.
    static func wideCSV(width: Int) -> String {
        (0..<width).map { "c\($0)" }.joined(separator: ",") + ",label\n" + Array(repeating: "1", count: width + 1)
            .joined(separator: ",") + "\n"
    }

    /// A smoke-size config reading `data` (a `data:` mapping in flow style) for `model.input`.
    static func config(data: String, input: String, classes: Int = 10) -> String {
        """
        name: hostile
        output: runs/hostile
        data: \(data)
        model:
          input: \(input)
          layers: [{flatten: {}}, {dense: \(classes)}]
        batch: {global: 8, micro: 8}
        train: {epochs: 1}
        """
    }
}
