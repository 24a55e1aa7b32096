import DPTrain
import Foundation

/// Generators of hostile inputs: files whose *structure* lies (declared sizes far beyond the
/// data, aliases that expand exponentially, nesting without end, lines without end), as an
/// attacker or a damaged download would write them. Every generator is seeded and small on
/// disk; what it declares is large.
enum HostileInputs {
    /// "Billion laughs": `levels` anchors, each a list of `fanout` aliases of the previous one
    /// (fanout^levels scalars once expanded; the file stays under 1 KB).
    static func aliasBomb(levels: Int = 10, fanout: Int = 10) -> String {
        var lines = ["a0: &a0 [\(Array(repeating: "lol", count: fanout).joined(separator: ", "))]"]
        for level in 1..<levels {
            lines.append("a\(level): &a\(level) [\(Array(repeating: "*a\(level - 1)", count: fanout).joined(separator: ", "))]")
        }
        lines.append("name: bomb")
        return lines.joined(separator: "\n") + "\n"
    }

    /// A YAML document nested `depth` levels deep (`[[[[…]]]]`).
    static func deepYAML(depth: Int) -> String {
        "name: deep\nmodel: " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "\n"
    }

    /// An IDX file (big-endian header) declaring `dimensions` of `type`, followed by `payload`.
    static func idx(type: UInt8 = 0x08, dimensions: [UInt32], payload: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, type, UInt8(dimensions.count)]
        for dimension in dimensions {
            bytes += [UInt8(dimension >> 24), UInt8((dimension >> 16) & 0xFF), UInt8((dimension >> 8) & 0xFF),
                      UInt8(dimension & 0xFF)]
        }
        return bytes + payload
    }

    /// `bytes` gzip'd, with the trailer's ISIZE (uncompressed size mod 2³²) forged to
    /// `claimedSize`, as a file built to pass a size pre-check would be.
    static func gzip(_ bytes: [UInt8], claimingSize claimedSize: Int) -> [UInt8] {
        var compressed = Gzip.compress(bytes)
        let isize = UInt32(truncatingIfNeeded: claimedSize)
        for index in 0..<4 { compressed[compressed.count - 4 + index] = UInt8((isize >> (8 * UInt32(index))) & 0xFF) }
        return compressed
    }

    /// A directory in the MNIST layout whose gzip'd training images declare `count` × 28 × 28
    /// images (the labels file declares and holds `count` labels; the images hold 8 MiB and
    /// their gzip trailer claims the declared size).
    static func idxBombDirectory(in directory: URL, count: UInt32 = 10_000_000) throws -> URL {
        let root = directory.appendingPathComponent("idx-bomb")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        // 8 MiB of incompressible bytes: a compressed file large enough to plausibly expand to
        // the declared 7.8 GB (deflate's ratio is at most ~1032:1), so only the header can tell.
        var generator = SplitMix64(keys: 21, 1)
        let noise = (0..<(8 << 20)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        let images = idx(dimensions: [count, 28, 28], payload: noise)
        let labels = idx(dimensions: [count], payload: [UInt8](repeating: 0, count: Int(count)))
        let small = idx(dimensions: [10, 28, 28], payload: [UInt8](repeating: 0, count: 7840))
        let smallLabels = idx(dimensions: [10], payload: Array(0..<10))
        try Data(gzip(images, claimingSize: 16 + Int(count) * 784)).write(to: root.appendingPathComponent("train-images-idx3-ubyte.gz"))
        for (name, bytes) in [("train-labels-idx1-ubyte.gz", labels), ("t10k-images-idx3-ubyte.gz", small),
                              ("t10k-labels-idx1-ubyte.gz", smallLabels)] {
            try Data(Gzip.compress(bytes)).write(to: root.appendingPathComponent(name))
        }
        return root
    }

    /// An `.npz` whose member `x.npy` declares `declaredFloats` float32 values and whose deflate
    /// stream holds `zeroBytes` bytes of zeros (a decompression bomb), plus a valid `y.npy`.
    /// Written by Python's zipfile (streaming, so nothing large is ever in memory).
    static func npzBomb(at path: URL, declaredFloats: Int = 2_147_483_648, zeroBytes: Int = 2_147_483_648) throws {
        let script = """
            import sys, zipfile
            path, declared, zeros = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
            def npy(descr, shape):
                header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape)
                header += ' ' * ((64 - (10 + len(header) + 1) % 64) % 64) + '\\n'
                return b'\\x93NUMPY\\x01\\x00' + len(header).to_bytes(2, 'little') + header.encode('latin1')
            with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
                with archive.open('x.npy', 'w', force_zip64=True) as member:
                    member.write(npy('<f4', '(%d,)' % declared))
                    chunk = bytes(1 << 22)
                    left = zeros
                    while left > 0:
                        member.write(chunk[:min(left, len(chunk))])
                        left -= len(chunk)
                archive.writestr('y.npy', npy('<i4', '(%d,)' % declared))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, path.path, String(declaredFloats), String(zeroBytes)]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path.path])
        }
    }

    /// An NPY file whose header declares `shape` of `descr` and holds `payload` bytes.
    static func npy(descr: String = "<f4", shape: String, payload: Int = 64) -> [UInt8] {
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"
        header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
        let length = header.utf8.count
        return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)]
            + Array(header.utf8) + [UInt8](repeating: 0, count: payload)
    }

    /// A CSV file with one line of `width` columns (header) and a few rows, or one enormous line.
    static func wideCSV(width: Int) -> String {
        (0..<width).map { "c\($0)" }.joined(separator: ",") + ",label\n" + Array(repeating: "1", count: width + 1)
            .joined(separator: ",") + "\n"
    }

    /// A safetensors file whose 8-byte header length is `length` (the JSON header follows).
    static func safetensors(headerLength: UInt64, json: String) -> [UInt8] {
        withUnsafeBytes(of: headerLength.littleEndian) { Array($0) } + Array(json.utf8)
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
