import Testing
import DPTrain

/// The blocks of a sharded optimizer update, and the per-element noise they rely on.
@Suite("Parameter shards")
struct ParameterShardTests {
    @Test("blocks cover 0 ..< P once, in order, start on 16-float boundaries and are near P/W each",
          arguments: [(25_450, 2), (25_450, 4), (1_863_690, 2), (1_863_690, 3), (10, 4), (0, 2), (7, 1)])
    func blocksPartitionTheStore(parameterCount: Int, worldSize: Int) {
        let shards = (0..<worldSize).map { ParameterShard(parameterCount: parameterCount, rank: $0, worldSize: worldSize) }
        #expect(shards.map(\.range.lowerBound).first == 0)
        #expect(shards.last?.range.upperBound == parameterCount)
        for rank in 1..<max(worldSize, 1) where worldSize > 1 {
            #expect(shards[rank].range.lowerBound == shards[rank - 1].range.upperBound)
            #expect(shards[rank].range.lowerBound % ParameterShard.alignment == 0)
        }
        #expect(shards[0].counts.reduce(0, +) == parameterCount)
        #expect(shards.allSatisfy { $0.counts == shards[0].counts })
        for shard in shards {
            #expect(abs(shard.range.count - parameterCount / worldSize) <= ParameterShard.alignment)
        }
    }

    @Test("gradient noise of a block equals that block of the whole buffer's noise")
    func noiseDependsOnTheElementOnly() {
        let noise = GradientNoise(seed: 42, eta: 0.3)
        let count = 1001
        var whole = [Float](repeating: 0, count: count)
        whole.withUnsafeMutableBufferPointer { noise.apply(to: $0.baseAddress!, range: 0..<count, updateCount: 3) }
        for range in [0..<16, 16..<500, 500..<1001, 998..<1001] {
            var block = [Float](repeating: 0, count: range.count)
            block.withUnsafeMutableBufferPointer { noise.apply(to: $0.baseAddress!, range: range, updateCount: 3) }
            #expect(block == Array(whole[range]), "block \(range)")
        }
        #expect(Set(whole).count > count / 2)
    }
}
