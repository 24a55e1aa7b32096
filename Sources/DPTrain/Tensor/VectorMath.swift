/// Whole-buffer reductions and updates used by the trainer (vectorised by the compiler).
public enum VectorMath {
    /// Σ xᵢ² over `count` floats, accumulated in Float lanes of 16 and summed in Double.
    /// Non-finite when any element is non-finite.
    public static func sumOfSquares(_ x: UnsafePointer<Float>, count: Int) -> Double {
        var lanes = SIMD16<Float>(repeating: 0)
        var index = 0
        let raw = UnsafeRawPointer(x)
        while index + 16 <= count {
            let v = raw.loadUnaligned(fromByteOffset: index * 4, as: SIMD16<Float>.self)
            lanes += v * v
            index += 16
        }
        var total = 0.0
        for lane in 0..<16 { total += Double(lanes[lane]) }
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
