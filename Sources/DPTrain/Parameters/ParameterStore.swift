import Foundation

/// All parameters of a model replica in one flat, 64-byte-aligned `Float` buffer, with a
/// same-sized gradient buffer (STYLE B1).
///
/// Layers hold ``ParameterSlice``s and take pointers into these buffers; zeroing the
/// gradients is one `memset`, the gradient all-reduce is one call over ``gradients``, and a
/// checkpoint writes ``values`` in one piece. The layout is fixed when the store is created.
public final class ParameterStore {
    /// Every tensor, in layout order (offsets increase).
    public let slices: [ParameterSlice]
    /// Total number of parameters P.
    public let count: Int
    /// The parameters θ, P floats.
    public let values: UnsafeMutableBufferPointer<Float>
    /// The gradient ∂L/∂θ, P floats; backward passes add into it.
    public let gradients: UnsafeMutableBufferPointer<Float>

    /// Lays out `specs` one after another and allocates zeroed values and gradients.
    /// Precondition: names are unique.
    public init(specs: [ParameterSpec]) {
        var slices: [ParameterSlice] = []
        var offset = 0
        for spec in specs {
            slices.append(ParameterSlice(spec: spec, offset: offset))
            offset += spec.count
        }
        precondition(Set(specs.map(\.name)).count == specs.count, "parameter names must be unique")
        self.slices = slices
        self.count = offset
        self.values = ParameterStore.allocate(offset)
        self.gradients = ParameterStore.allocate(offset)
    }

    deinit {
        values.baseAddress?.deallocate()
        gradients.baseAddress?.deallocate()
    }

    /// The slice named `name`, if any.
    public func slice(named name: String) -> ParameterSlice? { slices.first { $0.name == name } }

    /// Pointer to the first value of `slice`.
    public func values(of slice: ParameterSlice) -> UnsafeMutablePointer<Float> {
        values.baseAddress! + slice.offset
    }

    /// Pointer to the first gradient element of `slice`.
    public func gradients(of slice: ParameterSlice) -> UnsafeMutablePointer<Float> {
        gradients.baseAddress! + slice.offset
    }

    /// Sets every gradient to zero (one memset).
    public func zeroGradients() {
        memset(gradients.baseAddress!, 0, count * MemoryLayout<Float>.stride)
    }

    /// A flat buffer of P floats for optimizer state, zero-filled, aligned like the others.
    /// The caller owns it and must deallocate it (optimizers do so in `deinit`).
    public static func allocate(_ count: Int) -> UnsafeMutableBufferPointer<Float> {
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: max(count, 1) * MemoryLayout<Float>.stride, alignment: 64)
        let pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
        return UnsafeMutableBufferPointer(start: pointer, count: count)
    }
}
