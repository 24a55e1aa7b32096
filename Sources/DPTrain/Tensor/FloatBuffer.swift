import Synchronization

/// A growable block of floats owned by a layer or the trainer, 64-byte aligned.
///
/// It reallocates only when asked for more than its capacity, so once every buffer has seen
/// the largest micro-batch the training loop allocates nothing. Contents are not preserved
/// across a growth. ``liveBytes`` counts the bytes of all buffers of the process (activations,
/// their gradients and layer scratch) for `dptrain bench`'s memory figures.
public final class FloatBuffer {
    /// Bytes held by every FloatBuffer of the process right now.
    public static var liveBytes: Int { live.load(ordering: .relaxed) }
    private static let live = Atomic<Int>(0)

    public private(set) var capacity: Int
    public private(set) var base: UnsafeMutablePointer<Float>

    /// Creates a zero-filled buffer of `capacity` floats.
    public init(capacity: Int = 0) {
        self.capacity = max(capacity, 1)
        self.base = FloatBuffer.allocate(self.capacity)
    }

    deinit {
        base.deallocate()
        FloatBuffer.live.subtract(capacity * MemoryLayout<Float>.stride, ordering: .relaxed)
    }

    /// A `rows × columns` view of the buffer, growing it (and zero-filling) if needed.
    public func matrix(rows: Int, columns: Int) -> Matrix {
        reserve(rows * columns)
        return Matrix(base: base, rows: rows, columns: columns)
    }

    /// Ensures room for `count` floats.
    public func reserve(_ count: Int) {
        guard count > capacity else { return }
        base.deallocate()
        FloatBuffer.live.subtract(capacity * MemoryLayout<Float>.stride, ordering: .relaxed)
        capacity = count
        base = FloatBuffer.allocate(count)
    }

    private static func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Float>.stride,
                                                   alignment: 64)
        let pointer = raw.bindMemory(to: Float.self, capacity: count)
        pointer.initialize(repeating: 0, count: count)
        live.add(count * MemoryLayout<Float>.stride, ordering: .relaxed)
        return pointer
    }
}
