/// The tensor element types dptrain reads from safetensors files (the header's `dtype`).
enum SafeTensorsDataType: String {
    /// float32, little-endian: what dptrain writes.
    case float32 = "F32"
    /// float64, little-endian: converted to Float when read.
    case float64 = "F64"

    /// Bytes per element: 4 or 8.
    var byteCount: Int {
        switch self {
        case .float32: return 4
        case .float64: return 8
        }
    }

    /// Element `index` of the little-endian tensor data at `base`, as Float (float64 rounded).
    @inline(__always)
    func element(_ index: Int, of base: UnsafeRawPointer) -> Float {
        switch self {
        case .float32:
            return Float(bitPattern: UInt32(littleEndian: base.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self)))
        case .float64:
            return Float(Double(bitPattern: UInt64(littleEndian: base.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self))))
        }
    }
}
