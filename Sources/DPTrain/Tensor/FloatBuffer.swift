/// A growable block of floats owned by a layer or the trainer, 64-byte aligned.
///
/// It reallocates only when asked for more than its capacity, so once every buffer has seen
/// the largest micro-batch the training loop allocates nothing. Contents are not preserved
/// across a growth.
public final class FloatBuffer {
    public private(set) var capacity: Int
    public private(set) var base: UnsafeMutablePointer<Float>

    /// Creates a zero-filled buffer of `capacity` floats.
    public init(capacity: Int = 0) {
        self.capacity = max(capacity, 1)
        self.base = FloatBuffer.allocate(self.capacity)
    }

    deinit { base.deallocate() }

    /// A `rows × columns` view of the buffer, growing it (and zero-filling) if needed.
    public func matrix(rows: Int, columns: Int) -> Matrix {
        reserve(rows * columns)
        return Matrix(base: base, rows: rows, columns: columns)
    }

    /// Ensures room for `count` floats.
    public func reserve(_ count: Int) {
        guard count > capacity else { return }
        base.deallocate()
        capacity = count
        base = FloatBuffer.allocate(count)
    }

    private static func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Float>.stride,
                                                   alignment: 64)
        let pointer = raw.bindMemory(to: Float.self, capacity: count)
        pointer.initialize(repeating: 0, count: count)
        return pointer
    }
}
