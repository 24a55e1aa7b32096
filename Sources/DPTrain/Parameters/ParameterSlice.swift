/// Where one parameter tensor lives in the flat buffers of a ``ParameterStore``:
/// elements `offset ..< offset + count` of the values, the gradients and every optimizer
/// state buffer.
public struct ParameterSlice: Sendable, Equatable {
    public let spec: ParameterSpec
    /// Index of the first element in the flat buffers.
    public let offset: Int

    public var name: String { spec.name }
    public var shape: [Int] { spec.shape }
    public var role: ParameterRole { spec.role }
    public var decays: Bool { spec.decays }
    /// Number of elements.
    public var count: Int { spec.count }
    /// `offset ..< offset + count`.
    public var range: Range<Int> { offset..<(offset + count) }
}
