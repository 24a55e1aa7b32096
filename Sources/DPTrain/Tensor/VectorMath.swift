/// Whole-buffer reductions and updates used by the trainer (vectorised by the compiler).
public enum VectorMath {
    /// Σ xᵢ² over `count` floats: 16 Float lanes per block of 4096 elements, blocks summed in
    /// Double (fast and accurate to ~1e-7 relative). Non-finite when any element is non-finite.
    public static func sumOfSquares(_ x: UnsafePointer<Float>, count: Int) -> Double {
        let raw = UnsafeRawPointer(x)
        return blockedSum(count: count, lanes: { index in
            let v = raw.loadUnaligned(fromByteOffset: index * 4, as: SIMD16<Float>.self)
            return v * v
        }, scalar: { Double(x[$0]) * Double(x[$0]) })
    }

    /// Σ xᵢ over `count` floats, with the same blocking as ``sumOfSquares(_:count:)``
    /// (16 Float lanes per block of at most 4096 elements, blocks summed in Double).
    public static func sum(_ x: UnsafePointer<Float>, count: Int) -> Double {
        let raw = UnsafeRawPointer(x)
        return blockedSum(count: count, lanes: { raw.loadUnaligned(fromByteOffset: $0 * 4, as: SIMD16<Float>.self) },
                          scalar: { Double(x[$0]) })
    }

    /// Σ (xᵢ − μ)² over `count` floats (the deviations in Float, blocks summed in Double).
    public static func sumOfSquaredDeviations(_ x: UnsafePointer<Float>, count: Int, from mean: Double) -> Double {
        let raw = UnsafeRawPointer(x)
        let μ = Float(mean), μs = SIMD16<Float>(repeating: Float(mean))
        return blockedSum(count: count, lanes: { index in
            let d = raw.loadUnaligned(fromByteOffset: index * 4, as: SIMD16<Float>.self) - μs
            return d * d
        }, scalar: { let d = Double(x[$0] - μ); return d * d })
    }

    /// (Σ gᵢ, Σ gᵢ·ŷᵢ) over `count` floats of `g` and `y`, with ŷᵢ = (yᵢ − centre)·scale
    /// computed in Float (defaults: ŷ = y); blocks summed in Double. Batch norm's backward
    /// passes its input and the forward's μ and 1/σ to get Σ g·x̂ without storing x̂.
    public static func sumAndDot(_ g: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count: Int,
                                 centre: Float = 0, scale: Float = 1) -> (sum: Double, dot: Double) {
        let gRaw = UnsafeRawPointer(g), yRaw = UnsafeRawPointer(y)
        let centres = SIMD16<Float>(repeating: centre), scales = SIMD16<Float>(repeating: scale)
        var sum = 0.0, dot = 0.0
        var index = 0
        while index + 16 <= count {
            let blockEnd = min(count, index + 4096) & ~15
            var sumLanes = SIMD16<Float>(repeating: 0), dotLanes = SIMD16<Float>(repeating: 0)
            while index < blockEnd {
                let a = gRaw.loadUnaligned(fromByteOffset: index * 4, as: SIMD16<Float>.self)
                let b = (yRaw.loadUnaligned(fromByteOffset: index * 4, as: SIMD16<Float>.self) - centres) * scales
                sumLanes += a
                dotLanes += a * b
                index += 16
            }
            sum += Double(sumLanes.sum())
            dot += Double(dotLanes.sum())
        }
        while index < count {
            sum += Double(g[index])
            dot += Double(g[index]) * Double((y[index] - centre) * scale)
            index += 1
        }
        return (sum, dot)
    }

    /// Σ over element indices `0 ..< count`: `lanes(i)` gives elements i … i+15 (Float within a
    /// block of at most 4096 elements), `scalar(i)` one element of the tail; blocks summed in Double.
    @inline(__always)
    private static func blockedSum(count: Int, lanes: (Int) -> SIMD16<Float>, scalar: (Int) -> Double) -> Double {
        var total = 0.0
        var index = 0
        while index + 16 <= count {
            let blockEnd = min(count, index + 4096) & ~15
            var accumulator = SIMD16<Float>(repeating: 0)
            while index < blockEnd {
                accumulator += lanes(index)
                index += 16
            }
            total += Double(accumulator.sum())
        }
        while index < count {
            total += scalar(index)
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
