/// The split of the flat buffers of a ``ParameterStore`` into W contiguous blocks, one per rank,
/// for the sharded optimizer update (ZeRO stage 1/2): rank r reduces, clips and updates only
/// the elements of its block and holds only their optimizer state.
///
///     bounds[r] = ⌊r·P / W / a⌋·a  (r < W),  bounds[W] = P,  a = 16 floats (64 bytes)
///     block r   = bounds[r] ..< bounds[r + 1],  counts[r] = bounds[r + 1] − bounds[r]
///
/// Blocks start on 64-byte boundaries and at even indices (gradient noise draws its normals
/// in pairs), and do not depend on the layout of tensors: a tensor may span several blocks.
public struct ParameterShard: Sendable, Equatable {
    /// Alignment of each block's first element, in floats.
    public static let alignment = 16
    /// W + 1 increasing boundaries, from 0 to P.
    public let bounds: [Int]
    /// This rank's index r.
    public let rank: Int

    /// The blocks of P = `parameterCount` floats over `worldSize` ranks, seen from `rank`.
    public init(parameterCount: Int, rank: Int, worldSize: Int) {
        precondition(worldSize > 0 && (0..<worldSize).contains(rank) && parameterCount >= 0,
                     "rank \(rank) of \(worldSize) over \(parameterCount) parameters")
        let a = ParameterShard.alignment
        bounds = (0..<worldSize).map { r in r * parameterCount / worldSize / a * a } + [parameterCount]
        self.rank = rank
    }

    /// W, the number of blocks.
    public var worldSize: Int { bounds.count - 1 }
    /// P, the number of elements over all blocks.
    public var parameterCount: Int { bounds[worldSize] }
    /// counts[r], the number of elements of block r (the counts of the collectives).
    public var counts: [Int] { (0..<worldSize).map { bounds[$0 + 1] - bounds[$0] } }
    /// This rank's block.
    public var range: Range<Int> { bounds[rank]..<bounds[rank + 1] }
}
