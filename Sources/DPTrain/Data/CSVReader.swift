import Foundation

/// Reader of comma-separated tabular data (plain or `.gz`).
///
/// Format: the first line is a header of column names; every further non-empty line is one
/// sample with exactly as many comma-separated fields. The label column (found by name,
/// default `label`) holds non-negative integer class indices; every other column is a numeric
/// feature (anything `Double` parses: `1`, `-2.5`, `3e-4`). Fields may be surrounded by spaces
/// and double quotes; quoted fields may not contain commas. `\r\n` line ends are accepted.
/// The dataset's sample shape is `[d]`, d = columns − 1, features in file column order.
public enum CSVReader {
    /// The longest line accepted: 64 MiB (a row of a million numbers fits many times over).
    public static let maximumLineLength = 1 << 26
    /// The most columns a header may name: 1,048,576.
    public static let maximumColumns = 1 << 20

    /// Loads the CSV file at `path`.
    ///
    /// - Parameters:
    ///   - labelColumn: name of the label column in the header (default `label`).
    ///   - classCount: labels must lie in `0 ..< classCount`; nil infers max(label) + 1.
    ///   - maximumBytes: refuse (decompressed) files larger than this (default 4 GiB).
    ///   - budget: the memory the text and its float32 samples may take (``MemoryBudget``); a
    ///     compressed file is inflated no further than this.
    /// - Throws: ``DataError`` naming the file, line and column: missing label column, ragged
    ///   row, non-numeric field, negative or non-integer label, empty file, a line longer than
    ///   ``maximumLineLength`` or a header wider than ``maximumColumns`` (`.tooLarge`).
    public static func load(path: String, labelColumn: String = "label", classCount: Int? = nil,
                            maximumBytes: Int = 1 << 32, budget: MemoryBudget = MemoryBudget.host()) throws -> Dataset {
        let file = try FileBytes(path: path)
        if !file.isCompressed {
            try budget.check(path, bytes: file.fileSize, declares: "\(MemoryBudget.grouped(file.fileSize)) bytes of text",
                             meaning: "before parsing")
        }
        let bytes = try file.readAll(limit: min(maximumBytes, file.maximumSize, budget.limit))
        return try parse(bytes, file: path, labelColumn: labelColumn, classCount: classCount, budget: budget)
    }

    /// Parses CSV text (see the type's documentation); `file` is used in messages.
    ///
    /// Two passes over the lines, with no per-line bookkeeping kept: the first checks line
    /// lengths and counts the rows, so the samples are allocated once (after `budget` allows
    /// them); the second fills them.
    public static func parse(_ bytes: [UInt8], file: String, labelColumn: String = "label",
                             classCount: Int? = nil, budget: MemoryBudget = MemoryBudget.host()) throws -> Dataset {
        // Pass 1: line lengths, the header (the first non-blank line), the number of rows.
        var headerLine: Line?
        var rowCount = 0
        try forEachLine(bytes) { line in
            guard line.range.count <= maximumLineLength else {
                throw DataError(.tooLarge, file: file, position: .line(line.number, column: nil), problem: "the line is too long",
                                expected: "at most \(MemoryBudget.grouped(maximumLineLength)) bytes per line",
                                found: "\(MemoryBudget.grouped(line.range.count)) bytes",
                                hint: "check the file (a binary file, or missing line ends?)")
            }
            if isBlank(bytes, line.range) { return }
            if headerLine == nil { headerLine = line } else { rowCount += 1 }
        }
        guard let headerLine else {
            throw DataError(.missingField, file: file, position: .line(1, column: nil), problem: "the file is empty",
                            expected: "a header line naming the columns", found: "no lines",
                            hint: "write a header such as `f1,f2,\(labelColumn)`")
        }
        let columnCount = bytes[headerLine.range].reduce(1) { $0 + ($1 == UInt8(ascii: ",") ? 1 : 0) }
        guard columnCount <= maximumColumns else {
            throw DataError(.tooLarge, file: file, position: .line(headerLine.number, column: nil),
                            problem: "the header names too many columns",
                            expected: "at most \(MemoryBudget.grouped(maximumColumns)) columns",
                            found: "\(MemoryBudget.grouped(columnCount))",
                            hint: "check the file; one sample per line, one column per feature")
        }
        let names = fields(bytes, headerLine.range).map { unquote(text(bytes, $0)) }
        guard let labelIndex = names.firstIndex(of: labelColumn) else {
            let shown = names.prefix(20).map { "'\($0.count > 40 ? String($0.prefix(40)) + "…" : $0)'" }
            throw DataError(.missingField, file: file, position: .line(headerLine.number, column: nil),
                            problem: "the header has no label column",
                            expected: "a column named '\(labelColumn)'",
                            found: "columns " + shown.joined(separator: ", ") + (names.count > 20 ? ", … (\(names.count) in all)" : ""),
                            hint: "rename the column or set data.label_column to one of these names")
        }
        guard names.count >= 2 else {
            throw DataError(.missingField, file: file, position: .line(headerLine.number, column: nil),
                            problem: "no feature columns", expected: "the label and at least one feature column",
                            found: "only '\(labelColumn)'", hint: "add feature columns")
        }
        let featureCount = names.count - 1
        try budget.check(file, bytes: MemoryBudget.saturatingSum([bytes.count, MemoryBudget.saturatingProduct([rowCount, featureCount + 1, 4])]),
                         declares: "\(MemoryBudget.grouped(rowCount)) rows × \(MemoryBudget.grouped(featureCount)) features",
                         position: .line(headerLine.number, column: nil), meaning: "with the text, as float32")
        var labels = [Int32](repeating: 0, count: rowCount)
        var features = [Float](repeating: 0, count: rowCount * featureCount)
        var r = 0
        // Pass 2: the rows.
        try forEachLine(bytes) { line in
            guard line.number > headerLine.number, !isBlank(bytes, line.range) else { return }
            let row = fields(bytes, line.range, atMost: names.count + 1)
            guard row.count == names.count else {
                let found = row.count > names.count ? "more than \(names.count)" : "\(row.count)"
                throw DataError(.raggedRow, file: file, position: .line(line.number, column: min(row.count, names.count) + 1),
                                problem: "the row has the wrong number of fields",
                                expected: "\(names.count) fields as in the header", found: found,
                                hint: "fix the row (a missing or extra comma?)")
            }
            var f = r * featureCount
            for (c, range) in row.enumerated() {
                let field = unquote(text(bytes, range))
                if c == labelIndex {
                    guard let label = Int32(field), label >= 0 else {
                        throw DataError(.badLabel, file: file, position: .line(line.number, column: c + 1),
                                        problem: "bad label in column '\(labelColumn)'",
                                        expected: "a non-negative integer class index", found: "'\(field)'",
                                        hint: "labels are class indices 0, 1, …")
                    }
                    labels[r] = label
                } else {
                    guard let value = Double(field), value.isFinite else {
                        throw DataError(.notNumeric, file: file, position: .line(line.number, column: c + 1),
                                        problem: "non-numeric value in column '\(names[c])'",
                                        expected: "a finite number", found: field.isEmpty ? "an empty field" : "'\(field)'",
                                        hint: "every column except '\(labelColumn)' must be numeric")
                    }
                    features[f] = Float(value)
                    f += 1
                }
            }
            r += 1
        }
        let classes = classCount ?? Int(labels.max() ?? -1) + 1
        if let bad = labels.firstIndex(where: { Int($0) >= classes }) {
            throw DataError.labelOutOfRange(file: file,
                                            position: .line(lineNumber(ofRow: bad, in: bytes, after: headerLine.number),
                                                            column: labelIndex + 1),
                                            sample: bad, label: Int(labels[bad]), classes: classes,
                                            largest: Int(labels.max() ?? 0))
        }
        return Dataset(sampleShape: [featureCount], features: features, labels: labels, classCount: classes, source: file)
    }

    // MARK: - Private

    private struct Line { var number: Int; var range: Range<Int> }

    /// Calls `body` with each line (1-based number, byte range without `\r\n`/`\n`).
    private static func forEachLine(_ bytes: [UInt8], _ body: (Line) throws -> Void) rethrows {
        var start = 0, number = 1
        for i in 0..<bytes.count where bytes[i] == UInt8(ascii: "\n") {
            try body(Line(number: number, range: start..<(i > start && bytes[i - 1] == UInt8(ascii: "\r") ? i - 1 : i)))
            start = i + 1
            number += 1
        }
        if start < bytes.count { try body(Line(number: number, range: start..<bytes.count)) }
    }

    /// The line number of data row `row` (0-based, blank lines skipped) after the header line.
    private static func lineNumber(ofRow row: Int, in bytes: [UInt8], after headerNumber: Int) -> Int {
        var seen = 0, result = 0
        forEachLine(bytes) { line in
            guard result == 0, line.number > headerNumber, !isBlank(bytes, line.range) else { return }
            if seen == row { result = line.number }
            seen += 1
        }
        return result
    }

    private static func isBlank(_ bytes: [UInt8], _ range: Range<Int>) -> Bool {
        bytes[range].allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") }
    }

    /// The comma-separated fields of `range`; stops after `limit` fields (a row with more is
    /// wrong anyway, and a hostile one may hold millions).
    private static func fields(_ bytes: [UInt8], _ range: Range<Int>, atMost limit: Int = .max) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var start = range.lowerBound
        for i in range where bytes[i] == UInt8(ascii: ",") {
            result.append(start..<i)
            start = i + 1
            if result.count == limit { return result }
        }
        result.append(start..<range.upperBound)
        return result
    }

    private static func text(_ bytes: [UInt8], _ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self).trimmingCharacters(in: .whitespaces)
    }

    private static func unquote(_ field: String) -> String {
        if field.count >= 2, field.hasPrefix("\""), field.hasSuffix("\"") {
            return String(field.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
        }
        return field
    }
}
