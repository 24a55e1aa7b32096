import Foundation

/// What a file is, judged from its first bytes — so a file given in the wrong place (a
/// checkpoint as the config, a config as the weights) is named for what it is:
///
///     "DPTCKPT\0" checkpoint · 1f 8b gzip · "PK\3\4" zip (.npz) · 93 "NUMPY" .npy ·
///     u64 length, then '{' safetensors · NUL bytes in the first 4 KB binary · printable text
public enum FileSignature: String, Sendable {
    case checkpoint = "a dptrain checkpoint"
    case safetensors = "a safetensors weights file"
    case gzip = "gzip-compressed data"
    case zip = "a zip archive (an .npz?)"
    case npy = "a NumPy array (.npy)"
    case binary = "binary data (it holds NUL bytes)"
    case text = "a text file (a YAML config?)"

    /// The kind of `data`, or nil when nothing is recognised.
    public static func of(_ data: Data) -> FileSignature? {
        let bytes = Array(data.prefix(8))
        if bytes == Checkpoint.magic { return .checkpoint }
        if bytes.starts(with: [0x1f, 0x8b]) { return .gzip }
        if bytes.starts(with: [0x50, 0x4b, 0x03, 0x04]) { return .zip }
        if bytes.starts(with: [0x93] + Array("NUMPY".utf8)) { return .npy }
        if data.count > 9, data[data.startIndex + 8] == UInt8(ascii: "{"), bytes[4..<8].allSatisfy({ $0 == 0 }) {
            return .safetensors
        }
        if data.prefix(4096).contains(0) { return .binary }
        if bytes.count == 8, bytes.allSatisfy({ (0x20...0x7e).contains($0) || $0 == 0x0a || $0 == 0x09 || $0 == 0x0d }) {
            return .text
        }
        return nil
    }
}
