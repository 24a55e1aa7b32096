/// A row-major view of `rows × columns` floats owned by someone else (a ``FloatBuffer``,
/// a ``ParameterStore`` or a dataset). Row `r` starts at `base + r·columns`.
///
/// In layers a matrix is a micro-batch: one row per sample, `columns` = features per sample
/// (for images, C·H·W in NCHW order).
public struct Matrix {
    /// First element; the view does not own it.
    public let base: UnsafeMutablePointer<Float>
    public let rows: Int
    public let columns: Int

    public init(base: UnsafeMutablePointer<Float>, rows: Int, columns: Int) {
        self.base = base
        self.rows = rows
        self.columns = columns
    }

    /// rows·columns.
    @inlinable public var count: Int { rows * columns }

    /// Element (row, column).
    @inlinable public subscript(row: Int, column: Int) -> Float {
        get { base[row * columns + column] }
        nonmutating set { base[row * columns + column] = newValue }
    }

    /// Pointer to the first element of `row`.
    @inlinable public func row(_ row: Int) -> UnsafeMutablePointer<Float> { base + row * columns }

    /// The elements as a buffer pointer.
    @inlinable public var buffer: UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: base, count: count)
    }

    /// Copies the elements into an array (for tests and reports, not the hot loop).
    public func toArray() -> [Float] { Array(buffer) }
}
