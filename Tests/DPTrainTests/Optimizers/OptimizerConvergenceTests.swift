import DPTrain
import Testing

/// A least-squares problem min ½‖Aθ − y‖² over 5 parameters (a 3-element weight slice and a
/// 2-element bias slice), with y = Aθ* so the solution is θ* = [1, −2, 0.5, 3, −1]. The
/// gradient Aᵀ(Aθ − y) is computed here, by hand, and written into `store.gradients`.
enum LeastSquaresProblem {
    // A is 6×5, row-major, full column rank.
    static let a: [[Double]] = [
        [1.0, 0.2, 0.0, 0.5, 0.0],
        [0.1, 1.0, 0.3, 0.0, 0.4],
        [0.0, 0.2, 1.0, 0.1, 0.0],
        [0.3, 0.0, 0.1, 1.0, 0.2],
        [0.0, 0.5, 0.0, 0.2, 1.0],
        [0.4, 0.1, 0.2, 0.0, 0.3],
    ]
    static let solution: [Double] = [1, -2, 0.5, 3, -1]
    static let y: [Double] = a.map { row in zip(row, solution).reduce(0) { $0 + $1.0 * $1.1 } }

    static func loss(_ theta: [Double]) -> Double {
        var total = 0.0
        for (row, target) in zip(a, y) {
            let r = zip(row, theta).reduce(0) { $0 + $1.0 * $1.1 } - target
            total += 0.5 * r * r
        }
        return total
    }

    /// Runs `steps` updates of `optimizer` (through the protocol, so whatever is passed is what
    /// runs) from θ = 0 at the rates of `schedule` (t = update index); returns the final θ.
    static func fit(_ optimizer: any Optimizer, schedule: any LearningRateSchedule,
                    steps: Int) -> [Double] {
        let store = ParameterStore(specs: [
            ParameterSpec(name: "w", shape: [3], role: .weight),
            ParameterSpec(name: "b", shape: [2], role: .bias),
        ])
        // Start away from 0 so that the layer-wise trust ratios (LARS, LAMB) are not 1.
        for i in 0..<5 { store.values[i] = 0.1 }
        for step in 0..<steps {
            let theta = (0..<5).map { Double(store.values[$0]) }
            store.zeroGradients()
            for (row, target) in zip(a, y) {
                let r = zip(row, theta).reduce(0) { $0 + $1.0 * $1.1 } - target
                for j in 0..<5 { store.gradients[j] += Float(row[j] * r) }
            }
            optimizer.step(store: store, learningRate: Float(schedule.learningRate(at: Double(step))))
        }
        return (0..<5).map { Double(store.values[$0]) }
    }
}

struct ConvergenceCase: Sendable, CustomTestStringConvertible {
    let name: String
    let make: @Sendable () -> any Optimizer
    /// Peak learning rate of a cosine decay over the run.
    let learningRate: Double
    let steps: Int
    var testDescription: String { name }
}

@Suite("Optimizer convergence")
struct OptimizerConvergenceTests {
    static let cases: [ConvergenceCase] = [
        .init(name: "SGD", make: { SGD(parameterCount: 5) }, learningRate: 0.5, steps: 800),
        .init(name: "SGD nesterov", make: { SGD(parameterCount: 5, momentum: 0.9, nesterov: true) },
              learningRate: 0.1, steps: 500),
        .init(name: "AdaGrad", make: { AdaGrad(parameterCount: 5) }, learningRate: 1.0, steps: 1500),
        .init(name: "RMSProp centered momentum",
              make: { RMSProp(parameterCount: 5, momentum: 0.5, centered: true) },
              learningRate: 0.01, steps: 1500),
        .init(name: "Adam", make: { Adam(parameterCount: 5) }, learningRate: 0.1, steps: 1500),
        .init(name: "Adam amsgrad", make: { Adam(parameterCount: 5, amsgrad: true) },
              learningRate: 0.1, steps: 1500),
        .init(name: "AdamW (no decay)", make: { Adam.adamW(parameterCount: 5, weightDecay: 0) },
              learningRate: 0.1, steps: 1500),
        .init(name: "LARS", make: { LARS(parameterCount: 5, trustCoefficient: 0.02) },
              learningRate: 1.0, steps: 3000),
        .init(name: "LAMB (no decay)", make: { LAMB(parameterCount: 5, weightDecay: 0) },
              learningRate: 0.05, steps: 3000),
    ]

    @Test("reaches the least-squares solution", arguments: cases)
    func converges(_ testCase: ConvergenceCase) {
        let optimizer = testCase.make()
        let schedule = CosineDecay(baseLearningRate: testCase.learningRate, duration: Double(testCase.steps))
        let initialLoss = LeastSquaresProblem.loss([Double](repeating: 0.1, count: 5))
        let theta = LeastSquaresProblem.fit(optimizer, schedule: schedule, steps: testCase.steps)
        #expect(optimizer.stepCount == testCase.steps, "the helper must step the given optimizer")
        let finalLoss = LeastSquaresProblem.loss(theta)
        #expect(finalLoss < 1e-4 * initialLoss, "\(testCase.name): loss \(initialLoss) → \(finalLoss)")
        for (value, target) in zip(theta, LeastSquaresProblem.solution) {
            #expect(abs(value - target) < 1e-2, "\(testCase.name): θ = \(theta)")
        }
    }

    @Test("the fit helper steps the optimizer it is given (lr 0 leaves θ, lr 0.1 moves it)")
    func helperUsesOptimizer() {
        let frozen = LeastSquaresProblem.fit(SGD(parameterCount: 5), schedule: ConstantSchedule(learningRate: 0),
                                             steps: 10)
        #expect(frozen == [Double](repeating: Double(Float(0.1)), count: 5))
        let moved = LeastSquaresProblem.fit(SGD(parameterCount: 5), schedule: ConstantSchedule(learningRate: 0.1),
                                            steps: 1)
        #expect(moved != frozen)
    }
}
