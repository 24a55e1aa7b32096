import Foundation
import Testing
import DPTrain

/// The same table as NumPy `.npz` and as CSV trains identically; broken files are reported with
/// their path and the position in them, through the CLI (DESIGN §3.8, §4).
@Suite("NPY and CSV data through the CLI", .serialized,
       .enabled(if: PythonSafeTensors.isAvailable, PythonSafeTensors.unavailableMessage))
struct TabularDataInteropTests {
    static let sampleCount = 512

    /// 512 samples, 4 features (multiples of 1/64 in [-4, 4], exact in float32 and in decimal),
    /// 3 classes from the sign pattern of two feature sums; the label is the third column.
    static func csvText() -> String {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % 513) - 256
        }
        var lines = ["f1,f2,label,f3,f4"]
        for _ in 0..<sampleCount {
            let f = (0..<4).map { _ in Double(next()) / 64 }
            let label = f[0] + f[1] > 0 ? (f[2] - f[3] > 0 ? 2 : 1) : 0
            lines.append("\(f[0]),\(f[1]),\(label),\(f[2]),\(f[3])")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func config(dataset: String, train: String, output: URL) -> String {
        """
        name: tabular-\(dataset)
        seed: 3
        output: \(output.path)
        data: {dataset: \(dataset), train: \(train), normalize: standardize, shuffle: true}
        model:
          input: [4]
          layers: [{dense: 16, activation: relu}, {dense: 3}]
        optimizer: {name: sgd, lr: 0.1, momentum: 0.9}
        batch: {global: 32, micro: 16}
        train: {epochs: 2, log_every: 1, eval_every: 0, noise_every: 0, checkpoint: {every: 0}}
        """
    }

    /// Writes the CSV, then converts it with NumPy into `.npz` archives (x float32 (N, 4), y int64
    /// (N,)): `table.npz` C order, `fortran.npz` the column selection as NumPy returns it
    /// (Fortran order, as pandas' `to_numpy()` often is).
    static func writeFiles(in directory: URL) throws -> (csv: URL, npz: URL, fortran: URL) {
        let csv = directory.appendingPathComponent("table.csv")
        try csvText().write(to: csv, atomically: true, encoding: .utf8)
        let npz = directory.appendingPathComponent("table.npz")
        let fortran = directory.appendingPathComponent("fortran.npz")
        try PythonSafeTensors.run("""
            import sys
            import numpy as np
            table = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1)
            x = table[:, [0, 1, 3, 4]].astype(np.float32)
            y = table[:, 2].astype(np.int64)
            assert (x.astype(np.float64) == table[:, [0, 1, 3, 4]]).all()
            assert x.flags.f_contiguous and not x.flags.c_contiguous
            np.savez(sys.argv[2], x=np.ascontiguousarray(x), y=y)
            np.savez(sys.argv[3], x=x, y=y)
            """, arguments: [csv.path, npz.path, fortran.path])
        return (csv, npz, fortran)
    }

    @Test("the same samples as .npz (C or Fortran order) and as CSV give identical train_loss at every step")
    func identicalLosses() throws {
        let directory = try CommandRunner.temporaryDirectory("interop-tabular")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (csv, npz, fortran) = try Self.writeFiles(in: directory)
        var losses: [[Double]] = []
        var weights: [SafeTensors] = []
        for (name, dataset, file) in [("npy", "npy", npz), ("fortran", "npy", fortran), ("csv", "csv", csv)] {
            let output = directory.appendingPathComponent("run-\(name)")
            let config = directory.appendingPathComponent("\(name).yaml")
            try Self.config(dataset: dataset, train: file.path, output: output).write(to: config, atomically: true, encoding: .utf8)
            let result = try CommandRunner.dptrain(["train", config.path, "--quiet"], timeout: 300)
            #expect(result.status == 0, "\(name): \(result.combined)")
            losses.append(try MetricsLog.read(output.appendingPathComponent("metrics.jsonl"))
                .filter { $0.kind == .step }.compactMap { $0["train_loss"] })
            weights.append(try SafeTensors.read(from: output.appendingPathComponent("final.safetensors")))
        }
        #expect(losses[0].count == 2 * Self.sampleCount / 32)
        #expect(losses[0] == losses[1], "train_loss differs between C- and Fortran-order npz")
        #expect(losses[0] == losses[2], "train_loss differs between npy and csv")
        #expect(weights[0].tensors == weights[1].tensors, "final parameters differ between C- and Fortran-order npz")
        #expect(weights[0].tensors == weights[2].tensors, "final parameters differ between npy and csv")
        #expect(losses[0].last! < losses[0].first!, "the model did not learn")
    }

    /// Trains `config` with `data.train=file` overridden and returns the result.
    func trainExpectingError(_ dataset: String, file: URL, in directory: URL) throws -> CommandRunner.Result {
        let config = directory.appendingPathComponent("bad-\(dataset).yaml")
        try Self.config(dataset: dataset, train: file.path, output: directory.appendingPathComponent("run-bad"))
            .write(to: config, atomically: true, encoding: .utf8)
        return try CommandRunner.dptrain(["train", config.path, "--quiet"])
    }

    @Test("a malformed .npy header inside the .npz: one error line naming the file, member and byte")
    func malformedNPYHeader() throws {
        let directory = try CommandRunner.temporaryDirectory("interop-bad-npy")
        defer { try? FileManager.default.removeItem(at: directory) }
        let bad = directory.appendingPathComponent("bad.npz")
        try PythonSafeTensors.run("""
            import io, sys, zipfile
            import numpy as np
            def npy(a):
                buffer = io.BytesIO(); np.save(buffer, a); return buffer.getvalue()
            x = npy(np.zeros((8, 4), np.float32)).replace(b"'shape': (8, 4)", b"'shape': (8; 4)")
            with zipfile.ZipFile(sys.argv[1], "w") as z:
                z.writestr("x.npy", x)
                z.writestr("y.npy", npy(np.zeros(8, np.int64)))
            """, arguments: [bad.path])
        let result = try trainExpectingError("npy", file: bad, in: directory)
        #expect(result.status != 0)
        let errors = result.error.split(separator: "\n").filter { $0.hasPrefix("error:") }
        #expect(errors.count == 1, "\(result.error)")
        let line = String(errors.first ?? "")
        #expect(line.hasPrefix("error: \(bad.path): member x.npy, byte "), "\(line)")
        #expect(line.contains("malformed header dictionary"), "\(line)")
    }

    @Test("a ragged CSV row and a non-numeric field: one error line naming the file, line and column")
    func brokenCSV() throws {
        let directory = try CommandRunner.temporaryDirectory("interop-bad-csv")
        defer { try? FileManager.default.removeItem(at: directory) }
        var lines = Self.csvText().split(separator: "\n").map(String.init)

        let ragged = directory.appendingPathComponent("ragged.csv")
        var raggedLines = lines
        raggedLines[4] = "0.5,0.25,1,0.125"  // line 5: 4 fields, the header has 5
        try (raggedLines.joined(separator: "\n") + "\n").write(to: ragged, atomically: true, encoding: .utf8)
        let raggedResult = try trainExpectingError("csv", file: ragged, in: directory)
        #expect(raggedResult.status != 0)
        let raggedErrors = raggedResult.error.split(separator: "\n").filter { $0.hasPrefix("error:") }
        #expect(raggedErrors.count == 1, "\(raggedResult.error)")
        #expect(raggedErrors.first?.hasPrefix("error: \(ragged.path): line 5, column 5: the row has the wrong number of fields") == true,
                "\(raggedResult.error)")

        let text = directory.appendingPathComponent("text.csv")
        lines[6] = "0.5,abc,1,0.125,0"  // line 7, column 2
        try (lines.joined(separator: "\n") + "\n").write(to: text, atomically: true, encoding: .utf8)
        let textResult = try trainExpectingError("csv", file: text, in: directory)
        #expect(textResult.status != 0)
        let textErrors = textResult.error.split(separator: "\n").filter { $0.hasPrefix("error:") }
        #expect(textErrors.count == 1, "\(textResult.error)")
        #expect(textErrors.first?.hasPrefix("error: \(text.path): line 7, column 2: non-numeric value in column 'f2'") == true,
                "\(textResult.error)")
    }
}
