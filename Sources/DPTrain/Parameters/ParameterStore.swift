import Foundation

/// All parameters of a model replica in one flat, 64-byte-aligned `Float` buffer, with a
/// same-sized gradient buffer (STYLE B1).
///
/// Layers hold ``ParameterSlice``s and take pointers into these buffers; zeroing the
/// gradients is one `memset`, the gradient all-reduce is one call over ``gradients``, and a
/// checkpoint writes ``values`` in one piece. The layout is fixed when the store is created;
/// the two buffers may move once, into node-shared memory (``moveToSharedMemory(communicator:)``),
/// before anything keeps pointers into them.
public final class ParameterStore {
    /// Every tensor, in layout order (offsets increase).
    public let slices: [ParameterSlice]
    /// Total number of parameters P.
    public let count: Int
    /// The parameters θ, P floats.
    public private(set) var values: UnsafeMutableBufferPointer<Float>
    /// The gradient ∂L/∂θ, P floats; backward passes add into it.
    public private(set) var gradients: UnsafeMutableBufferPointer<Float>
    /// The node-shared windows holding ``values`` and ``gradients`` once moved there; empty
    /// while they are private allocations (which `deinit` frees).
    private var sharedBuffers: [SharedMemoryBuffer] = []

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
        guard sharedBuffers.isEmpty else { return }  // released with the windows
        values.baseAddress?.deallocate()
        gradients.baseAddress?.deallocate()
    }

    /// True when ``values`` and ``gradients`` live in a node-shared window.
    public var isShared: Bool { !sharedBuffers.isEmpty }

    /// Collective: moves ``values`` and ``gradients`` (contents kept) into two MPI-3 shared
    /// windows of the node, so that the sharded update's reduce-scatter of ∇ and all-gather of θ
    /// read the peers' buffers instead of exchanging messages. Call on every rank before any
    /// code keeps pointers into the buffers (the run builder does, right after broadcasting θ).
    /// - Returns: ``ExchangePath/sharedMemory``, or ``ExchangePath/messages(reason:)`` with why
    ///   the buffers stayed private (the same on every rank): several nodes, too little room in
    ///   the shared-memory directory, a communicator without shared memory.
    public func moveToSharedMemory(communicator: Communicator) throws -> ExchangePath {
        guard !isShared else { return .sharedMemory }
        let sharedValues: SharedMemoryBuffer, sharedGradients: SharedMemoryBuffer
        switch try communicator.allocateShared(count: count) {
        case let .allocated(buffer): sharedValues = buffer
        case let .unavailable(reason): return .messages(reason: reason)
        }
        switch try communicator.allocateShared(count: count) {  // without it, θ's window is released
        case let .allocated(buffer): sharedGradients = buffer
        case let .unavailable(reason): return .messages(reason: "gradient window: " + reason)
        }
        sharedValues.local.baseAddress?.update(from: values.baseAddress!, count: count)
        sharedGradients.local.baseAddress?.update(from: gradients.baseAddress!, count: count)
        values.baseAddress?.deallocate()
        gradients.baseAddress?.deallocate()
        values = sharedValues.local
        gradients = sharedGradients.local
        sharedBuffers = [sharedValues, sharedGradients]
        return .sharedMemory
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
