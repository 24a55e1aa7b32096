import DPTrain
import Foundation
import Testing

@Suite("CSV reader")
struct CSVReaderTests {
    @Test func roundTrip() throws {
        let dir = DataTemporaryDirectory()
        let path = dir.write("table.csv", text: "a, \"b\" ,label,c\r\n0.5,-1,1,2\r\n3,4.25,0,5\n\n6,7,2,8.5e0\n")
        let dataset = try CSVReader.load(path: path)
        #expect(dataset.count == 3)
        #expect(dataset.sampleShape == [3])
        #expect(Array(dataset.features) == [0.5, -1, 2, 3, 4.25, 5, 6, 7, 8.5])
        #expect(dataset.labels == [1, 0, 2])
        #expect(dataset.classCount == 3)
        let gz = dir.write("table.csv.gz", Gzip.compress(Array("x,y\n1,0\n2,1\n".utf8)))
        let other = try CSVReader.load(path: gz, labelColumn: "y", classCount: 4)
        #expect(Array(other.features) == [1, 2] && other.labels == [0, 1] && other.classCount == 4)
    }

    @Test func raggedRow() throws {
        let dir = DataTemporaryDirectory()
        let path = dir.write("ragged.csv", text: "f1,f2,label\n1,2,0\n3,1\n")
        let error = expectDataError(.raggedRow, mentioning: ["ragged.csv", "line 3", "expected 3 fields", "found 2"]) {
            _ = try CSVReader.load(path: path)
        }
        #expect(error?.position == .line(3, column: 3))
    }

    @Test func nonNumericField() throws {
        let dir = DataTemporaryDirectory()
        let path = dir.write("words.csv", text: "f1,f2,label\n1,2,0\n3,abc,1\n")
        let error = expectDataError(.notNumeric, mentioning: ["words.csv", "line 3, column 2", "'f2'", "'abc'"]) {
            _ = try CSVReader.load(path: path)
        }
        #expect(error != nil)
        expectDataError(.notNumeric, mentioning: ["empty.csv", "line 2, column 1", "empty field"]) {
            _ = try CSVReader.load(path: dir.write("empty.csv", text: "f1,label\n,0\n"))
        }
    }

    @Test func labelProblems() throws {
        let dir = DataTemporaryDirectory()
        expectDataError(.missingField, mentioning: ["nolabel.csv", "line 1", "'label'", "'f1', 'target'", "label_column"]) {
            _ = try CSVReader.load(path: dir.write("nolabel.csv", text: "f1,target\n1,0\n"))
        }
        expectDataError(.badLabel, mentioning: ["negative.csv", "line 3, column 2", "'-1'"]) {
            _ = try CSVReader.load(path: dir.write("negative.csv", text: "f1,label\n1,0\n2,-1\n"))
        }
        expectDataError(.badLabel, mentioning: ["fraction.csv", "line 2, column 2", "'1.5'"]) {
            _ = try CSVReader.load(path: dir.write("fraction.csv", text: "f1,label\n1,1.5\n"))
        }
        expectDataError(.badLabel, mentioning: ["range.csv", "line 2", "0..<2", "found 3"]) {
            _ = try CSVReader.load(path: dir.write("range.csv", text: "f1,label\n1,3\n"), classCount: 2)
        }
    }

    @Test func sameDataAsNPY() throws {
        let dir = DataTemporaryDirectory()
        let script = """
        import numpy as np, sys, os
        rng = np.random.default_rng(3)
        x = rng.normal(size=(20, 4)).astype(np.float32)
        y = rng.integers(0, 5, size=20)
        np.savez(os.path.join(sys.argv[1], 'd.npz'), x=x, y=y)
        with open(os.path.join(sys.argv[1], 'd.csv'), 'w') as f:
            f.write('p,q,label,r,s\\n')
            for row, label in zip(x, y):
                v = [repr(float(t)) for t in row]
                f.write(','.join(v[:2] + [str(label)] + v[2:]) + '\\n')
        """
        guard runPython(script, [dir.path]) else { return }
        let fromNPY = try NPYReader.load(path: dir.file("d.npz"), classCount: 5)
        let fromCSV = try CSVReader.load(path: dir.file("d.csv"), classCount: 5)
        #expect(fromNPY.count == 20 && fromCSV.count == 20)
        #expect(fromNPY.sampleShape == fromCSV.sampleShape)
        #expect(Array(fromNPY.features) == Array(fromCSV.features))
        #expect(fromNPY.labels == fromCSV.labels)
        #expect(Set(fromNPY.features).count > 70)  // real data, not all zeros
    }
}
