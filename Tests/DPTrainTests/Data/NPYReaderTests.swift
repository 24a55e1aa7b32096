import DPTrain
import Foundation
import Testing

/// Hand-made `.npy` v1 bytes: magic, version, header padded with spaces and a newline, data.
func npyBytes(header: String, data: [UInt8], version: UInt8 = 1) -> [UInt8] {
    let prefix = version == 1 ? 10 : 12
    var text = Array(header.utf8)
    while (prefix + text.count + 1) % 64 != 0 { text.append(UInt8(ascii: " ")) }
    text.append(UInt8(ascii: "\n"))
    var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [version, 0]
    let n = text.count
    bytes += version == 1 ? [UInt8(n & 255), UInt8(n >> 8)] : [UInt8(n & 255), UInt8((n >> 8) & 255), 0, 0]
    return bytes + text + data
}

func littleEndianFloats(_ values: [Float]) -> [UInt8] {
    values.flatMap { v -> [UInt8] in let b = v.bitPattern; return [0, 8, 16, 24].map { UInt8((b >> $0) & 255) } }
}

@Suite("NPY and NPZ reader")
struct NPYReaderTests {
    @Test func handMadeArray() throws {
        let bytes = npyBytes(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
                             data: littleEndianFloats([1, 2, 3, -4, 5.5, 6]))
        let array = try NPYReader.readArray(bytes, file: "hand.npy")
        #expect(array.shape == [2, 3])
        #expect(array.dataType == .float32)
        #expect(array.values == [1, 2, 3, -4, 5.5, 6])
        let v2 = npyBytes(header: "{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }", data: [7, 8, 255], version: 2)
        #expect(try NPYReader.readArray(v2, file: "v2.npy").values == [7, 8, 255])
    }

    @Test func numpyWrittenFiles() throws {
        let dir = DataTemporaryDirectory()
        let script = """
        import numpy as np, sys, os
        d = sys.argv[1]
        x = np.array([[0.5, -1, 2], [3, 4.25, 5], [6, 7, 8.5], [9, 10, 11]], dtype=np.float32)
        y = np.array([1, 0, 2, 1], dtype=np.int64)
        np.savez(os.path.join(d, 'stored.npz'), x=x, y=y)
        np.savez_compressed(os.path.join(d, 'deflated.npz'), features=x.astype(np.float64), labels=y.astype(np.int32))
        np.savez(os.path.join(d, 'bytes.npz'), x=(x * 2).astype(np.uint8).reshape(4, 1, 3), y=y.astype(np.uint8))
        for version in [(1, 0), (2, 0), (3, 0)]:
            with open(os.path.join(d, 'v%d.npy' % version[0]), 'wb') as f:
                np.lib.format.write_array(f, x, version=version)
        np.save(os.path.join(d, 'big.npy'), x.astype('>f4'))
        np.save(os.path.join(d, 'fortran.npy'), np.asfortranarray(x))
        np.save(os.path.join(d, 'fortran3.npy'), np.asfortranarray(np.arange(24, dtype=np.int32).reshape(2, 3, 4)))
        np.save(os.path.join(d, 'i1.npy'), np.array([-3, 4], dtype=np.int8))
        np.savez(os.path.join(d, 'nolabels.npz'), x=x)
        """
        guard runPython(script, [dir.path]) else { return }
        let expected: [Float] = [0.5, -1, 2, 3, 4.25, 5, 6, 7, 8.5, 9, 10, 11]
        for name in ["stored.npz", "deflated.npz"] {
            let dataset = try NPYReader.load(path: dir.file(name))
            #expect(dataset.count == 4)
            #expect(dataset.sampleShape == [3])
            #expect(Array(dataset.features) == expected)
            #expect(dataset.labels == [1, 0, 2, 1])
            #expect(dataset.classCount == 3)
        }
        let images = try NPYReader.load(path: dir.file("bytes.npz"), classCount: 5)
        #expect(images.sampleShape == [1, 1, 3])
        #expect(rowValues(images, 1) == [6, 8, 10])
        #expect(images.classCount == 5)
        for version in 1...3 {
            let array = try NPYReader.readArray(path: dir.file("v\(version).npy"))
            #expect(array.shape == [4, 3])
            #expect(array.values.map(Float.init) == expected)
        }
        #expect(try NPYReader.readArray(path: dir.file("i1.npy")).values == [-3, 4])
        expectDataError(.unsupportedType, mentioning: ["big.npy", "big-endian", "'>f4'"]) {
            _ = try NPYReader.readArray(path: dir.file("big.npy"))
        }
        // Fortran order (np.asfortranarray, pandas' to_numpy(), a[:, [0, 2]]) reads as C order.
        let fortran = try NPYReader.readArray(path: dir.file("fortran.npy"))
        #expect(fortran.shape == [4, 3])
        #expect(fortran.values.map { Float($0) } == expected)
        #expect(try NPYReader.readArray(path: dir.file("fortran3.npy")).values == (0..<24).map(Double.init))
        expectDataError(.missingField, mentioning: ["nolabels.npz", "'y' or 'labels'", "'x'"]) {
            _ = try NPYReader.load(path: dir.file("nolabels.npz"))
        }
        expectDataError(.badLabel, mentioning: ["stored.npz", "y.npy", "index 2", "0..<2", "found 2"]) {
            _ = try NPYReader.load(path: dir.file("stored.npz"), classCount: 2)
        }
    }

    @Test func malformedHeader() throws {
        // The dict is not closed: the error names the byte where '}' or ',' was expected.
        let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1) "
        let bytes = npyBytes(header: header, data: littleEndianFloats([1]))
        let dir = DataTemporaryDirectory()
        let path = dir.write("broken.npy", bytes)
        let error = expectDataError(.badHeader, mentioning: ["broken.npy", "malformed header", "',' or '}'"]) {
            _ = try NPYReader.readArray(path: path)
        }
        // The parser runs off the end of the header (past its padding): the offset is where the
        // 4 data bytes start.
        #expect(error?.position == .byte(bytes.count - 4))
        expectDataError(.badMagic, mentioning: ["notnumpy.npy", "\\x93NUMPY"]) {
            _ = try NPYReader.readArray(path: dir.write("notnumpy.npy", Array("hello world, not numpy".utf8)))
        }
        expectDataError(.badHeader, mentioning: ["noshape.npy", "'shape'"]) {
            _ = try NPYReader.readArray(path: dir.write("noshape.npy",
                npyBytes(header: "{'descr': '<f4', 'fortran_order': False}", data: [])))
        }
        expectDataError(.unsupportedType, mentioning: ["complex.npy", "'<c8'"]) {
            _ = try NPYReader.readArray(path: dir.write("complex.npy",
                npyBytes(header: "{'descr': '<c8', 'fortran_order': False, 'shape': (1,)}", data: [])))
        }
    }

    @Test func sizeChecks() throws {
        let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }"
        expectDataError(.truncated, mentioning: ["short.npy", "(2, 2)", "16 bytes", "found 12 bytes"]) {
            _ = try NPYReader.readArray(npyBytes(header: header, data: littleEndianFloats([1, 2, 3])), file: "short.npy")
        }
        expectDataError(.trailingBytes, mentioning: ["long.npy", "20 bytes"]) {
            _ = try NPYReader.readArray(npyBytes(header: header, data: littleEndianFloats([1, 2, 3, 4, 5])), file: "long.npy")
        }
    }

    @Test func corruptArchive() throws {
        let dir = DataTemporaryDirectory()
        let script = """
        import numpy as np, sys
        np.savez_compressed(sys.argv[1], x=np.arange(1000, dtype=np.float32).reshape(100, 10), y=np.zeros(100, dtype=np.int64))
        """
        let path = dir.file("damaged.npz")
        guard runPython(script, [path]) else { return }
        var bytes = Array(FileManager.default.contents(atPath: path)!)
        for i in 120..<200 { bytes[i] ^= 0xA5 }
        dir.write("damaged.npz", bytes)
        let error = expectDataError(.corruptCompression, mentioning: ["damaged.npz", "x.npy"]) {
            _ = try NPYReader.load(path: path)
        }
        #expect(error != nil)
        expectDataError(.badMagic, mentioning: ["plain.npz", "zip"]) {
            _ = try NPYReader.load(path: dir.write("plain.npz", [1, 2, 3, 4, 5]))
        }
    }
}
