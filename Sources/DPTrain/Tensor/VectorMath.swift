/// Whole-buffer reductions and updates used by the trainer (vectorised by the compiler).
public enum VectorMath {
    /// Σ xᵢ² over `count` floats: 16 Float lanes per block of 4096 elements, blocks summed in
    /// Double (fast and accurate to ~1e-7 relative). Non-finite when any element is non-finite.
    public static func sumOfSquares(_ x: UnsafePointer<Float>, count: Int) -> Double {
        let raw = UnsafeRawPointer(x)
        var total = 0.0
        var index = 0
        while index + 16 <= count {
            let blockEnd = min(count, index + 4096) & ~15
            var lanes = SIMD16<Float>(repeating: 0)
            while index < blockEnd {
                let v = raw.loadUnaligned(fromByteOffset: index * 4, as: SIMD16<Float>.self)
                lanes += v * v
                index += 16
            }
            total += Double(lanes.sum())
        }
        while index < count {
            total += Double(x[index]) * Double(x[index])
            index += 1
        }
        return total
    }

    /// x ← a·x over `count` floats.
    public static func scale(_ x: UnsafeMutablePointer<Float>, count: Int, by a: Float) {
        for index in 0..<count { x[index] *= a }
    }

    /// A position-weighted checksum Σ (i mod 8191 + 1)·xᵢ in Double: equal buffers give equal
    /// values; differing replicas almost surely do not.
    public static func checksum(_ x: UnsafePointer<Float>, count: Int) -> Double {
        var total = 0.0
        for index in 0..<count { total += Double(index % 8191 + 1) * Double(x[index]) }
        return total
    }
}
