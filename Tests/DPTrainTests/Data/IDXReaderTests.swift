import DPTrain
import Foundation
import Testing

@Suite("IDX reader")
struct IDXReaderTests {
    /// 3 images of 2×2 (pixel values 0…11) and labels 2, 0, 1.
    let imagePayload: [UInt8] = Array(0..<12).map { UInt8($0 * 20) }
    var images: [UInt8] { idxBytes(type: 0x08, dimensions: [3, 2, 2], payload: imagePayload) }
    var labels: [UInt8] { idxBytes(type: 0x08, dimensions: [3], payload: [2, 0, 1]) }

    @Test("plain and gzipped files read back", arguments: [false, true])
    func roundTrip(gzipped: Bool) throws {
        let dir = DataTemporaryDirectory()
        let suffix = gzipped ? ".gz" : ""
        let imagesPath = dir.write("images" + suffix, gzipped ? Gzip.compress(images) : images)
        let labelsPath = dir.write("labels" + suffix, gzipped ? Gzip.compress(labels) : labels)
        let dataset = try IDXReader.load(imagesPath: imagesPath, labelsPath: labelsPath, classCount: 3)
        #expect(dataset.count == 3)
        #expect(dataset.sampleShape == [1, 2, 2])
        #expect(dataset.featureCount == 4)
        #expect(dataset.labels == [2, 0, 1])
        #expect(dataset.classCount == 3)
        #expect(rowValues(dataset, 0) == [0, 20, 40, 60])
        #expect(rowValues(dataset, 2) == [160, 180, 200, 220])
        #expect(Int(bitPattern: dataset.features.baseAddress!) % 64 == 0)
    }

    @Test func classCountIsInferred() throws {
        let dir = DataTemporaryDirectory()
        let dataset = try IDXReader.load(imagesPath: dir.write("i", images), labelsPath: dir.write("l", labels))
        #expect(dataset.classCount == 3)
    }

    @Test func otherElementTypes() throws {
        let dir = DataTemporaryDirectory()
        // int16 big-endian: -2, 300; float32 big-endian 1.5 = 0x3FC00000, -0.25 = 0xBE800000.
        let shorts = idxBytes(type: 0x0B, dimensions: [1, 2], payload: [0xFF, 0xFE, 0x01, 0x2C])
        let floats = idxBytes(type: 0x0D, dimensions: [1, 2], payload: [0x3F, 0xC0, 0, 0, 0xBE, 0x80, 0, 0])
        let doubles = idxBytes(type: 0x0E, dimensions: [1, 1], payload: [0x40, 0x09, 0x21, 0xFB, 0x54, 0x44, 0x2D, 0x18])
        let int32s = idxBytes(type: 0x0C, dimensions: [1, 1], payload: [0xFF, 0xFF, 0xFF, 0xF6])
        let oneLabel = dir.write("l", idxBytes(type: 0x0C, dimensions: [1], payload: [0, 0, 0, 4]))
        #expect(rowValues(try IDXReader.load(imagesPath: dir.write("a", shorts), labelsPath: oneLabel), 0) == [-2, 300])
        #expect(rowValues(try IDXReader.load(imagesPath: dir.write("b", floats), labelsPath: oneLabel), 0) == [1.5, -0.25])
        #expect(rowValues(try IDXReader.load(imagesPath: dir.write("c", doubles), labelsPath: oneLabel), 0) == [Float(Double.pi)])
        #expect(rowValues(try IDXReader.load(imagesPath: dir.write("d", int32s), labelsPath: oneLabel), 0) == [-10])
        #expect(try IDXReader.load(imagesPath: dir.write("e", shorts), labelsPath: oneLabel).labels == [4])
    }

    @Test func badMagic() throws {
        let dir = DataTemporaryDirectory()
        var bytes = images
        bytes[0] = 0x1F
        let path = dir.write("bad-magic-idx3", bytes)
        expectDataError(.badMagic, mentioning: ["bad-magic-idx3", "byte 0", "1f 00 08 03"]) {
            _ = try IDXReader.load(imagesPath: path, labelsPath: dir.write("l", labels))
        }
    }

    @Test func unknownType() throws {
        let dir = DataTemporaryDirectory()
        var bytes = images
        bytes[2] = 0x0A
        let path = dir.write("typed-idx3", bytes)
        expectDataError(.unsupportedType, mentioning: ["typed-idx3", "byte 2", "0x0a"]) {
            _ = try IDXReader.load(imagesPath: path, labelsPath: dir.write("l", labels))
        }
    }

    @Test func floatLabelsAreRejected() throws {
        let dir = DataTemporaryDirectory()
        let path = dir.write("float-labels", idxBytes(type: 0x0D, dimensions: [3], payload: [UInt8](repeating: 0, count: 12)))
        expectDataError(.unsupportedType, mentioning: ["float-labels", "labels must be integers"]) {
            _ = try IDXReader.load(imagesPath: dir.write("i", images), labelsPath: path)
        }
    }

    @Test("truncated file, plain and gzipped", arguments: [false, true])
    func truncated(gzipped: Bool) throws {
        let dir = DataTemporaryDirectory()
        let bytes = Array(images.dropLast(5))
        let path = dir.write("short-idx3" + (gzipped ? ".gz" : ""), gzipped ? Gzip.compress(bytes) : bytes)
        let error = expectDataError(.truncated, mentioning: ["short-idx3", "3 images of 2×2", "expected 12 bytes", "found 7 bytes"]) {
            _ = try IDXReader.load(imagesPath: path, labelsPath: dir.write("l", labels))
        }
        #expect(error?.position == .byte(16 + 7))
    }

    @Test func headerLargerThanFileIsRejectedBeforeAllocating() throws {
        let dir = DataTemporaryDirectory()
        // Claims 4 billion × 65535 × 65535 bytes; the file has a few.
        let path = dir.write("huge-idx3.gz", Gzip.compress(idxBytes(type: 0x08, dimensions: [0xFFFF_FFFF, 0xFFFF, 0xFFFF], payload: [1, 2])))
        expectDataError(.truncated, mentioning: ["huge-idx3.gz", "cannot hold"]) {
            _ = try IDXReader.load(imagesPath: path, labelsPath: dir.write("l", labels))
        }
    }

    @Test func trailingBytes() throws {
        let dir = DataTemporaryDirectory()
        let path = dir.write("long-idx3.gz", Gzip.compress(images + [9, 9, 9]))
        let error = expectDataError(.trailingBytes, mentioning: ["long-idx3.gz", "3 extra bytes"]) {
            _ = try IDXReader.load(imagesPath: path, labelsPath: dir.write("l", labels))
        }
        #expect(error?.position == .byte(16 + 12))
    }

    @Test func countMismatch() throws {
        let dir = DataTemporaryDirectory()
        let labelsPath = dir.write("four-labels", idxBytes(type: 0x08, dimensions: [4], payload: [0, 1, 2, 0]))
        let imagesPath = dir.write("three-images", images)
        expectDataError(.countMismatch, mentioning: ["three-images", "4 images", "found 3 images"]) {
            _ = try IDXReader.load(imagesPath: imagesPath, labelsPath: labelsPath)
        }
    }

    @Test func labelOutOfRange() throws {
        let dir = DataTemporaryDirectory()
        let path = dir.write("bad-labels", idxBytes(type: 0x08, dimensions: [3], payload: [2, 7, 1]))
        let error = expectDataError(.badLabel, mentioning: ["bad-labels", "index 1", "0..<3", "found 7"]) {
            _ = try IDXReader.load(imagesPath: dir.write("i", images), labelsPath: path, classCount: 3)
        }
        #expect(error?.position == .byte(9))
    }

    @Test func wrongDimensionCounts() throws {
        let dir = DataTemporaryDirectory()
        let labelsPath = dir.write("l", labels)
        expectDataError(.badHeader, mentioning: ["flat-images", "at least 2 dimensions"]) {
            _ = try IDXReader.load(imagesPath: dir.write("flat-images", idxBytes(type: 8, dimensions: [3], payload: [0, 0, 0])),
                                   labelsPath: labelsPath)
        }
        expectDataError(.badHeader, mentioning: ["images-as-labels", "1 dimension"]) {
            _ = try IDXReader.load(imagesPath: dir.write("i", images), labelsPath: dir.write("images-as-labels", images))
        }
    }

    @Test func missingFile() throws {
        let dir = DataTemporaryDirectory()
        let path = dir.file("nowhere-idx3.gz")
        expectDataError(.missingFile, mentioning: [path, "no such file"]) {
            _ = try IDXReader.load(imagesPath: path, labelsPath: dir.write("l", labels))
        }
    }

    @Test func corruptGzip() throws {
        let dir = DataTemporaryDirectory()
        var bytes = Gzip.compress(images)
        for i in 12..<(bytes.count - 8) { bytes[i] ^= 0x5A }
        let path = dir.write("corrupt-idx3.gz", bytes)
        expectDataError(.corruptCompression, mentioning: ["corrupt-idx3.gz", "gzip", "re-download"]) {
            _ = try IDXReader.load(imagesPath: path, labelsPath: dir.write("l", labels))
        }
    }

    @Test func cutGzipStream() throws {
        let dir = DataTemporaryDirectory()
        let bytes = Gzip.compress(images)
        let path = dir.write("cut-idx3.gz", Array(bytes.prefix(bytes.count - 12)))
        expectDataError(.truncated, mentioning: ["cut-idx3.gz"]) {
            _ = try IDXReader.load(imagesPath: path, labelsPath: dir.write("l", labels))
        }
    }

    @Test func gzipMatchesSystemGzip() throws {
        // A file compressed by /bin/gzip (not by our helper) reads the same.
        let dir = DataTemporaryDirectory()
        let plain = dir.write("sys-images", images)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-k", plain]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let dataset = try IDXReader.load(imagesPath: plain + ".gz", labelsPath: dir.write("l", labels))
        #expect(rowValues(dataset, 1) == [80, 100, 120, 140])
    }

    @Test func directoryLayoutAndMissingDirectory() throws {
        let dir = DataTemporaryDirectory()
        dir.write("train-images-idx3-ubyte.gz", Gzip.compress(images))
        dir.write("train-labels-idx1-ubyte", labels)
        dir.write("t10k-images-idx3-ubyte", images)
        let error = expectDataError(.missingFile, mentioning: ["t10k-labels-idx1-ubyte", "apt-get install dataset-fashion-mnist"]) {
            _ = try FashionMNIST.load(directory: dir.path)
        }
        #expect(error != nil)
        dir.write("t10k-labels-idx1-ubyte.gz", Gzip.compress(labels))
        let sets = try FashionMNIST.load(directory: dir.path)
        #expect(sets.train.count == 3 && sets.test.count == 3 && sets.train.classCount == 10)
        expectDataError(.missingFile, mentioning: ["/no/such/fashion", "apt-get install dataset-fashion-mnist"]) {
            _ = try FashionMNIST.load(directory: "/no/such/fashion")
        }
    }
}

@Suite("Fashion-MNIST files")
struct FashionMNISTTests {
    @Test func realFiles() throws {
        let sets = try FashionMNIST.load()
        #expect(sets.train.count == 60000)
        #expect(sets.test.count == 10000)
        #expect(sets.train.sampleShape == [1, 28, 28])
        #expect(sets.train.classHistogram() == [Int](repeating: 6000, count: 10))
        #expect(sets.test.classHistogram() == [Int](repeating: 1000, count: 10))
        #expect(sets.train.labels.prefix(5) == [9, 0, 0, 3, 0])  // first: ankle boot
        #expect(sets.test.labels.prefix(5) == [9, 2, 1, 1, 6])
        // Pixel sums computed with Python's gzip + numpy on the same files.
        #expect(rowValues(sets.train, 0).reduce(0, +) == 76247)
        #expect(rowValues(sets.test, 0).reduce(0, +) == 33456)
        let all = UnsafeBufferPointer(sets.train.features)
        #expect(all.min() == 0 && all.max() == 255)
    }
}
