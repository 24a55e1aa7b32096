import Foundation

/// The most memory a dataset reader may allocate for what a file *declares*, checked before
/// anything is allocated or decompressed.
///
/// A header (IDX dimensions, an NPY shape, a zip directory entry) is a promise made by the
/// file, not a fact: a 34 MB gzip file can declare 10 million images, a 2 MB `.npz` can declare
/// 8 GB. Readers compute what the declared data would cost in memory — the source bytes they
/// hold *and* the `Float32` samples they become — and call ``check(_:bytes:declares:position:)``
/// before allocating. Plain files are also checked against their real size (a header cannot
/// promise more than the file holds); compressed streams can only be checked against this
/// budget, and are then inflated with the declared size as a hard limit.
///
/// The limit is `data.max_bytes` when the config sets it, otherwise the memory the host can
/// give right now (`MemAvailable` in `/proc/meminfo`; unlimited where that is unknown).
public struct MemoryBudget: Equatable, Sendable {
    /// Where the limit comes from; it decides the wording of the error.
    public enum Source: Equatable, Sendable {
        /// `data.max_bytes` in the config.
        case configured
        /// The host's available memory (`MemAvailable`).
        case hostAvailable
        /// Nothing is known (no `/proc/meminfo`): only file sizes bound what is read.
        case unlimited
    }

    /// The limit in bytes.
    public var limit: Int
    /// Where ``limit`` comes from.
    public var source: Source

    /// A budget of `limit` bytes from `source`.
    public init(limit: Int, source: Source) {
        self.limit = limit
        self.source = source
    }

    /// `data.max_bytes` when given (`maxBytes` non-nil), otherwise ``host()``.
    public init(maxBytes: Int?) {
        if let maxBytes {
            self.init(limit: maxBytes, source: .configured)
        } else {
            self = MemoryBudget.host()
        }
    }

    /// The memory the host can give now: `MemAvailable` from `/proc/meminfo`, or an unlimited
    /// budget when that cannot be read.
    public static func host() -> MemoryBudget {
        if let kilobytes = availableKilobytes() {
            return MemoryBudget(limit: kilobytes.multipliedReportingOverflow(by: 1024).overflow ? Int.max : kilobytes * 1024,
                                source: .hostAvailable)
        }
        return MemoryBudget(limit: Int.max, source: .unlimited)
    }

    /// Throws ``DataError`` `.tooLarge` when `bytes` (what the declared data would occupy in
    /// memory; `Int.max` for a size that overflows) exceed the limit.
    ///
    /// - Parameters:
    ///   - file: the path, for the message.
    ///   - bytes: the memory the declared contents need.
    ///   - declares: what the file declares, for example `10,000,000 × 28 × 28 samples`.
    ///   - position: where the declaration is (the header's byte offset or the archive member).
    ///   - meaning: how `bytes` are counted, after the size (default `as float32`).
    public func check(_ file: String, bytes: Int, declares: String, position: DataError.Position = .none,
                      meaning: String = "as float32") throws {
        guard bytes > limit else { return }
        let need = bytes == Int.max ? "more than the address space" : MemoryBudget.format(bytes: bytes)
        let have: String, hint: String
        switch source {
        case .configured:
            have = "data.max_bytes is \(MemoryBudget.format(bytes: limit))"
            hint = "check the file, or raise data.max_bytes if it is real"
        case .hostAvailable, .unlimited:
            have = "this host has \(MemoryBudget.format(bytes: limit)) available"
            hint = "check the file, or set data.max_bytes if it is real and fits once loaded"
        }
        throw DataError(.tooLarge, file: file, position: position,
                        problem: "the file declares \(declares) = \(need) \(meaning); \(have)",
                        expected: "at most \(MemoryBudget.format(bytes: limit))", found: need, hint: hint)
    }

    /// `31.4 GB` (decimal units, one decimal) or `512 bytes`.
    public static func format(bytes: Int) -> String {
        if bytes < 1000 { return "\(bytes) bytes" }
        let units = ["kB", "MB", "GB", "TB", "PB", "EB"]
        var value = Double(bytes) / 1000, unit = 0
        while value >= 1000 && unit < units.count - 1 { value /= 1000; unit += 1 }
        return String(format: "%.1f %@", value, units[unit])
    }

    /// `10,000,000` (thousands separated by commas, independent of the locale).
    public static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var result = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { result.append(",") }
            result.append(c)
        }
        return value < 0 ? "-" + result : result
    }

    /// `a × b × c` with grouped numbers.
    public static func product(_ dimensions: [Int]) -> String {
        dimensions.map(grouped).joined(separator: " × ")
    }

    /// The saturating product of `values` (`Int.max` on overflow or for any negative input).
    public static func saturatingProduct(_ values: [Int]) -> Int {
        var total = 1
        for value in values {
            guard value >= 0 else { return Int.max }
            let (product, overflow) = total.multipliedReportingOverflow(by: value)
            if overflow { return Int.max }
            total = product
        }
        return total
    }

    /// The saturating sum of `values` (`Int.max` on overflow).
    public static func saturatingSum(_ values: [Int]) -> Int {
        var total = 0
        for value in values {
            let (sum, overflow) = total.addingReportingOverflow(value)
            if overflow { return Int.max }
            total = sum
        }
        return total
    }

    private static func availableKilobytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
            let number = line.dropFirst("MemAvailable:".count).split(separator: " ").first
            return number.flatMap { Int($0) }
        }
        return nil
    }
}
