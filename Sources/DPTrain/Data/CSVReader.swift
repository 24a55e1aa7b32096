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
    /// Loads the CSV file at `path`.
    ///
    /// - Parameters:
    ///   - labelColumn: name of the label column in the header (default `label`).
    ///   - classCount: labels must lie in `0 ..< classCount`; nil infers max(label) + 1.
    ///   - maximumBytes: refuse (decompressed) files larger than this (default 4 GiB).
    /// - Throws: ``DataError`` naming the file, line and column: missing label column, ragged
    ///   row, non-numeric field, negative or non-integer label, empty file.
    public static func load(path: String, labelColumn: String = "label", classCount: Int? = nil,
                            maximumBytes: Int = 1 << 32) throws -> Dataset {
        let file = try FileBytes(path: path)
        let bytes = try file.readAll(limit: min(maximumBytes, file.maximumSize))
        return try parse(bytes, file: path, labelColumn: labelColumn, classCount: classCount)
    }

    /// Parses CSV text (see the type's documentation); `file` is used in messages.
    public static func parse(_ bytes: [UInt8], file: String, labelColumn: String = "label",
                             classCount: Int? = nil) throws -> Dataset {
        var lines = splitLines(bytes)
        // Skip leading blank lines; the first non-blank line is the header.
        while let first = lines.first, isBlank(bytes, first.range) { lines.removeFirst() }
        guard let headerLine = lines.first else {
            throw DataError(.missingField, file: file, position: .line(1, column: nil), problem: "the file is empty",
                            expected: "a header line naming the columns", found: "no lines",
                            hint: "write a header such as `f1,f2,\(labelColumn)`")
        }
        let names = fields(bytes, headerLine.range).map { unquote(text(bytes, $0)) }
        guard let labelIndex = names.firstIndex(of: labelColumn) else {
            throw DataError(.missingField, file: file, position: .line(headerLine.number, column: nil),
                            problem: "the header has no label column",
                            expected: "a column named '\(labelColumn)'",
                            found: "columns " + names.map { "'\($0)'" }.joined(separator: ", "),
                            hint: "rename the column or set data.label_column to one of these names")
        }
        guard names.count >= 2 else {
            throw DataError(.missingField, file: file, position: .line(headerLine.number, column: nil),
                            problem: "no feature columns", expected: "the label and at least one feature column",
                            found: "only '\(labelColumn)'", hint: "add feature columns")
        }
        let rows = lines.dropFirst().filter { !isBlank(bytes, $0.range) }
        let featureCount = names.count - 1
        var labels = [Int32](repeating: 0, count: rows.count)
        var features = [Float](repeating: 0, count: rows.count * featureCount)
        for (r, line) in rows.enumerated() {
            let row = fields(bytes, line.range)
            guard row.count == names.count else {
                throw DataError(.raggedRow, file: file, position: .line(line.number, column: min(row.count, names.count) + 1),
                                problem: "the row has the wrong number of fields",
                                expected: "\(names.count) fields as in the header", found: "\(row.count)",
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
        }
        let classes = classCount ?? Int(labels.max() ?? -1) + 1
        if let bad = labels.firstIndex(where: { Int($0) >= classes }) {
            throw DataError(.badLabel, file: file, position: .line(rows[bad].number, column: labelIndex + 1),
                            problem: "label of sample \(bad) is out of range", expected: "a class in 0..<\(classes)",
                            found: "\(labels[bad])", hint: "labels are class indices 0..<classCount")
        }
        return Dataset(sampleShape: [featureCount], features: features, labels: labels, classCount: classes, source: file)
    }

    // MARK: - Private

    private struct Line { var number: Int; var range: Range<Int> }

    private static func splitLines(_ bytes: [UInt8]) -> [Line] {
        var lines: [Line] = []
        var start = 0, number = 1
        for i in 0..<bytes.count where bytes[i] == UInt8(ascii: "\n") {
            lines.append(Line(number: number, range: start..<(i > start && bytes[i - 1] == UInt8(ascii: "\r") ? i - 1 : i)))
            start = i + 1
            number += 1
        }
        if start < bytes.count { lines.append(Line(number: number, range: start..<bytes.count)) }
        return lines
    }

    private static func isBlank(_ bytes: [UInt8], _ range: Range<Int>) -> Bool {
        bytes[range].allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") }
    }

    private static func fields(_ bytes: [UInt8], _ range: Range<Int>) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var start = range.lowerBound
        for i in range where bytes[i] == UInt8(ascii: ",") {
            result.append(start..<i)
            start = i + 1
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
