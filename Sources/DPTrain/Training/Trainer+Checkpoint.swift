import Foundation

extension Trainer {
    /// A checkpoint of the current state: parameters, optimizer state, progress, early-stopping
    /// best weights and the resolved config (layout: ``Checkpoint``). The optimizer state is
    /// always written whole (P floats per buffer), so a run resumes under any W: with a sharded
    /// update each buffer is all-gathered from the ranks' blocks first, and then every rank
    /// must call this (collectively, in the same order).
    public func makeCheckpoint() throws -> Checkpoint {
        let store = model.store
        var payload = Array(store.values)
        for (_, buffer) in optimizer.stateBuffers { payload += try wholeStateBuffer(buffer) }
        if let best = bestWeights.snapshot { payload += Array(best) }
        var state = self.state
        state.previousWallSeconds = elapsed
        let header = Checkpoint.Header(
            tensors: store.slices.map { .init(name: $0.name, shape: $0.shape) },
            parameterCount: store.count,
            optimizer: optimizer.name,
            optimizerSteps: optimizer.stepCount,
            stateBuffers: optimizer.stateBuffers.map(\.name),
            hasBestParameters: bestWeights.snapshot != nil,
            state: state,
            plateau: plateau?.state,
            worldSize: communicator.worldSize,
            config: config.resolvedYAML,
            dptrainVersion: DPTrainVersion.string)
        return Checkpoint(header: header, payload: payload)
    }

    /// Continues from `checkpoint` (already validated against this model and optimizer):
    /// parameters, optimizer state and step count, best weights, progress and plateau state.
    public func restore(from checkpoint: Checkpoint) {
        let store = model.store
        let count = store.count
        checkpoint.payload.withUnsafeBufferPointer { payload in
            var offset = 0
            store.values.baseAddress!.update(from: payload.baseAddress! + offset, count: count)
            offset += count
            // This rank's block of each state buffer (all of it without a shard).
            let block = optimizerShard?.range ?? 0..<count
            for (_, buffer) in optimizer.stateBuffers {
                buffer.baseAddress!.update(from: payload.baseAddress! + offset + block.lowerBound, count: block.count)
                offset += count
            }
            if checkpoint.header.hasBestParameters {
                bestWeights.copy(from: UnsafeBufferPointer(rebasing: payload[offset..<(offset + count)]))
            }
        }
        optimizer.stepCount = checkpoint.header.optimizerSteps
        state = checkpoint.header.state
        state.noise.windowSamples = Self.noiseWindowSamples(config.train, trainingSamples: data.train.count)
        restartWallClock()
        if let plateau, let values = checkpoint.header.plateau { plateau.state = values }
    }

    /// A state buffer over all P parameters: `buffer` itself without a shard, else the ranks'
    /// blocks all-gathered (collective).
    private func wholeStateBuffer(_ buffer: UnsafeMutableBufferPointer<Float>) throws -> [Float] {
        guard let shard = optimizerShard else { return Array(buffer) }
        var whole = [Float](repeating: 0, count: shard.parameterCount)
        try whole.withUnsafeMutableBufferPointer { target in
            (target.baseAddress! + shard.range.lowerBound).update(from: buffer.baseAddress!, count: shard.range.count)
            try communicator.allGather(target, counts: shard.counts)
        }
        return whole
    }
}
