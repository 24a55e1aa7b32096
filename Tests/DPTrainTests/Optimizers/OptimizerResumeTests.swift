import DPTrain
import Testing

/// `stepCount` plus `stateBuffers` must be the whole optimizer state: restoring them into a
/// fresh optimizer after step 2 and taking step 3 must give bitwise the same parameters as an
/// uninterrupted run (DESIGN §3.10).
@Suite("Optimizer resume from state")
struct OptimizerResumeTests {
    static let factories: [OptimizerReferenceCase] = OptimizerReferenceTests.cases

    @Test("restored state continues bitwise identically", arguments: factories)
    func resume(_ testCase: OptimizerReferenceCase) {
        let uninterrupted = OptimizerFixture.run(testCase.make(5)).last!

        let store = OptimizerFixture.makeStore()
        let first = testCase.make(5)
        for step in 0..<2 {
            for (i, g) in OptimizerFixture.gradients[step].enumerated() { store.gradients[i] = g }
            first.step(store: store, learningRate: OptimizerFixture.learningRates[step])
        }
        let second = testCase.make(5)
        #expect(second.stateBuffers.map(\.name) == first.stateBuffers.map(\.name))
        for (source, target) in zip(first.stateBuffers, second.stateBuffers) {
            for i in 0..<5 { target.buffer[i] = source.buffer[i] }
        }
        second.stepCount = first.stepCount
        for (i, g) in OptimizerFixture.gradients[2].enumerated() { store.gradients[i] = g }
        second.step(store: store, learningRate: OptimizerFixture.learningRates[2])
        withExtendedLifetime(first) {
            #expect(Array(store.values) == uninterrupted, "\(testCase.name)")
        }
    }
}
