import DPTrain
import Testing

/// One optimizer configuration and the torch/numpy trajectory it must reproduce.
struct OptimizerReferenceCase: Sendable, CustomTestStringConvertible {
    let name: String
    let make: @Sendable (Int) -> any Optimizer
    let expected: [[Double]]
    var relativeTolerance = 1e-6
    var absoluteTolerance = 1e-7
    var testDescription: String { name }
}

/// Three steps of every optimizer and variant on ``OptimizerFixture``, against literals in
/// `OptimizerReferenceValues.swift`, produced by `Tests/Reference/optimizer_reference_values.py` (torch.optim in float64
/// for SGD/AdaGrad/RMSProp/Adam/AdamW, including the L1 and decoupled-SGD cases emulated
/// around torch; an independent numpy transcription for LARS and LAMB). Each table's doc
/// comment names the exact torch call.
@Suite("Optimizer reference values")
struct OptimizerReferenceTests {
    typealias R = OptimizerReferenceValues

    static let cases: [OptimizerReferenceCase] = [
        .init(name: "SGD", make: { SGD(parameterCount: $0) }, expected: R.sgdPlain),
        .init(name: "SGD momentum", make: { SGD(parameterCount: $0, momentum: 0.9) },
              expected: R.sgdMomentum),
        .init(name: "SGD dampening", make: { SGD(parameterCount: $0, momentum: 0.9, dampening: 0.3) },
              expected: R.sgdDampening),
        .init(name: "SGD nesterov", make: { SGD(parameterCount: $0, momentum: 0.9, nesterov: true) },
              expected: R.sgdNesterov),
        .init(name: "SGD weight decay", make: { SGD(parameterCount: $0, momentum: 0.9, weightDecay: 0.1) },
              expected: R.sgdWeightDecay),
        .init(name: "SGD L1", make: { SGD(parameterCount: $0, momentum: 0.9, l1: 0.05) },
              expected: R.sgdL1),
        .init(name: "SGD decoupled decay",
              make: { SGD(parameterCount: $0, momentum: 0.9, weightDecay: 0.2, weightDecayMode: .decoupled) },
              expected: R.sgdDecoupled),
        .init(name: "SGD without momentum correction",
              make: { SGD(parameterCount: $0, momentum: 0.9, weightDecay: 0.1, momentumCorrection: false) },
              expected: R.sgdUncorrected),
        .init(name: "SGD nesterov without momentum correction",
              make: { SGD(parameterCount: $0, momentum: 0.9, nesterov: true, momentumCorrection: false) },
              expected: R.sgdNesterovUncorrected),
        .init(name: "SGD dampening without momentum correction",
              make: { SGD(parameterCount: $0, momentum: 0.9, dampening: 0.3, momentumCorrection: false) },
              expected: R.sgdDampeningUncorrected),
        .init(name: "AdaGrad", make: { AdaGrad(parameterCount: $0) }, expected: R.adagradPlain),
        .init(name: "AdaGrad lrDecay, accumulator, decay",
              make: { AdaGrad(parameterCount: $0, lrDecay: 0.5, initialAccumulatorValue: 0.1,
                              epsilon: 1e-6, weightDecay: 0.1) },
              expected: R.adagradFull),
        .init(name: "AdaGrad L1", make: { AdaGrad(parameterCount: $0, l1: 0.05) }, expected: R.adagradL1),
        // α = 0.99: the first step is η·g/√(0.01·g²) = 10η, and Float(1 − 0.99) is off by 1e-6
        // relative, so the Float result is ~1.5e-6 relative from the float64 reference, and
        // w₁ = −1 + 10·0.1 lands on ~0, where only an absolute bound (1e-6 of |θ₀| = 1) makes sense.
        .init(name: "RMSProp", make: { RMSProp(parameterCount: $0) }, expected: R.rmspropPlain,
              relativeTolerance: 3e-6, absoluteTolerance: 1e-6),
        .init(name: "RMSProp weight decay", make: { RMSProp(parameterCount: $0, alpha: 0.9, weightDecay: 0.1) },
              expected: R.rmspropWeightDecay),
        .init(name: "RMSProp centered", make: { RMSProp(parameterCount: $0, alpha: 0.9, centered: true) },
              expected: R.rmspropCentered),
        .init(name: "RMSProp momentum", make: { RMSProp(parameterCount: $0, alpha: 0.9, momentum: 0.8) },
              expected: R.rmspropMomentum),
        .init(name: "RMSProp centered momentum decay",
              make: { RMSProp(parameterCount: $0, alpha: 0.9, epsilon: 1e-4, weightDecay: 0.1,
                              momentum: 0.8, centered: true) },
              expected: R.rmspropCenteredMomentumDecay),
        .init(name: "RMSProp L1", make: { RMSProp(parameterCount: $0, alpha: 0.9, l1: 0.05) },
              expected: R.rmspropL1),
        .init(name: "Adam", make: { Adam(parameterCount: $0) }, expected: R.adamPlain),
        .init(name: "Adam weight decay", make: { Adam(parameterCount: $0, weightDecay: 0.1) },
              expected: R.adamWeightDecay),
        .init(name: "Adam amsgrad", make: { Adam(parameterCount: $0, beta1: 0.8, beta2: 0.9, amsgrad: true) },
              expected: R.adamAmsgrad),
        .init(name: "Adam amsgrad weight decay",
              make: { Adam(parameterCount: $0, beta1: 0.8, beta2: 0.9, epsilon: 1e-3, weightDecay: 0.1,
                           amsgrad: true) },
              expected: R.adamAmsgradWeightDecay),
        .init(name: "Adam L1", make: { Adam(parameterCount: $0, l1: 0.05) }, expected: R.adamL1),
        .init(name: "AdamW defaults", make: { Adam.adamW(parameterCount: $0) }, expected: R.adamwDefault),
        .init(name: "AdamW decay", make: { Adam.adamW(parameterCount: $0, weightDecay: 0.5) },
              expected: R.adamwDecay),
        .init(name: "AdamW amsgrad",
              make: { Adam.adamW(parameterCount: $0, beta1: 0.8, beta2: 0.9, weightDecay: 0.5, amsgrad: true) },
              expected: R.adamwAmsgrad),
        .init(name: "AdamW L1", make: { Adam.adamW(parameterCount: $0, weightDecay: 0.5, l1: 0.05) },
              expected: R.adamwL1),
        .init(name: "LARS defaults", make: { LARS(parameterCount: $0) }, expected: R.larsDefault),
        .init(name: "LARS decay",
              make: { LARS(parameterCount: $0, trustCoefficient: 0.02, momentum: 0.9, weightDecay: 0.1,
                           epsilon: 1e-3) },
              expected: R.larsDecay),
        .init(name: "LARS without momentum correction",
              make: { LARS(parameterCount: $0, trustCoefficient: 0.02, momentum: 0.9, weightDecay: 0.1,
                           epsilon: 1e-3, momentumCorrection: false) },
              expected: R.larsUncorrected),
        .init(name: "LAMB defaults", make: { LAMB(parameterCount: $0) }, expected: R.lambDefault),
        .init(name: "LAMB no decay",
              make: { LAMB(parameterCount: $0, beta1: 0.8, beta2: 0.9, epsilon: 1e-3, weightDecay: 0) },
              expected: R.lambNoDecay),
    ]

    @Test("three steps match the reference", arguments: cases)
    func threeSteps(_ testCase: OptimizerReferenceCase) {
        let optimizer = testCase.make(5)
        let trajectory = OptimizerFixture.run(optimizer)
        #expect(optimizer.stepCount == 3)
        for step in 0..<3 {
            expectOptimizerValuesClose(trajectory[step], testCase.expected[step],
                                       relative: testCase.relativeTolerance,
                                       absolute: testCase.absoluteTolerance, "\(testCase.name) step \(step + 1)")
        }
    }

    /// Goyal et al.'s point in numbers: η outside the buffer (`momentumCorrection`, the default)
    /// and the uncorrected velocity v = μv + η·g are the same rule while η is constant, and
    /// differ as soon as η changes.
    @Test("without momentum correction: the same steps at a constant η, different ones when η changes",
          arguments: ["sgd", "sgd nesterov", "lars"])
    func momentumCorrectionMattersOnlyWhenTheRateChanges(_ name: String) {
        func make(_ corrected: Bool) -> any Optimizer {
            switch name {
            case "sgd": return SGD(parameterCount: 5, momentum: 0.9, weightDecay: 0.1, momentumCorrection: corrected)
            case "sgd nesterov":
                return SGD(parameterCount: 5, momentum: 0.9, nesterov: true, momentumCorrection: corrected)
            default: return LARS(parameterCount: 5, trustCoefficient: 0.02, weightDecay: 0.1, momentumCorrection: corrected)
            }
        }
        func run(_ optimizer: any Optimizer, rates: [Float]) -> [Float] {
            let store = OptimizerFixture.makeStore()
            for (gradient, rate) in zip(OptimizerFixture.gradients, rates) {
                for (i, g) in gradient.enumerated() { store.gradients[i] = g }
                optimizer.step(store: store, learningRate: rate)
            }
            return Array(store.values)
        }
        let constant: [Float] = [0.05, 0.05, 0.05]
        let corrected = run(make(true), rates: constant)
        expectOptimizerValuesClose(run(make(false), rates: constant), corrected.map(Double.init),
                                   relative: 1e-6, absolute: 1e-7, "\(name) at a constant η")
        let changing = OptimizerFixture.learningRates
        let difference = zip(run(make(true), rates: changing), run(make(false), rates: changing)).map { abs($0 - $1) }.max() ?? 0
        #expect(difference > 1e-3, "\(name): the two forms agree although η changed (largest difference \(difference))")
    }

    @Test("state buffers have torch's names and P floats each")
    func stateBufferNames() {
        func names(_ optimizer: any Optimizer) -> [String] {
            for buffer in optimizer.stateBuffers { #expect(buffer.buffer.count == 5) }
            return optimizer.stateBuffers.map(\.name)
        }
        #expect(names(SGD(parameterCount: 5)) == [])
        #expect(names(SGD(parameterCount: 5, momentum: 0.9)) == ["momentum_buffer"])
        #expect(names(AdaGrad(parameterCount: 5)) == ["sum"])
        #expect(names(RMSProp(parameterCount: 5, momentum: 0.5, centered: true))
                == ["square_avg", "grad_avg", "momentum_buffer"])
        #expect(names(Adam(parameterCount: 5)) == ["exp_avg", "exp_avg_sq"])
        #expect(names(Adam.adamW(parameterCount: 5, amsgrad: true)) == ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"])
        #expect(names(LARS(parameterCount: 5)) == ["momentum_buffer"])
        // Without momentum correction the buffer holds v = η·b, another quantity: a checkpoint of
        // one form is refused by the other, by name.
        #expect(names(SGD(parameterCount: 5, momentum: 0.9, momentumCorrection: false)) == ["velocity"])
        #expect(names(LARS(parameterCount: 5, momentumCorrection: false)) == ["velocity"])
        #expect(names(LAMB(parameterCount: 5)) == ["exp_avg", "exp_avg_sq"])
        // AdaGrad's accumulator starts at initialAccumulatorValue.
        // (The buffers live as long as the optimizer: keep it alive while reading them.)
        let adagrad = AdaGrad(parameterCount: 5, initialAccumulatorValue: 0.25)
        withExtendedLifetime(adagrad) {
            #expect(Array(adagrad.sumOfSquares) == [0.25, 0.25, 0.25, 0.25, 0.25])
        }
    }

    @Test("defaults equal torch.optim's")
    func torchDefaults() {
        let sgd = SGD(parameterCount: 1)
        #expect(sgd.momentum == 0 && sgd.dampening == 0 && !sgd.nesterov && sgd.weightDecay == 0)
        let adagrad = AdaGrad(parameterCount: 1)
        #expect(adagrad.lrDecay == 0 && adagrad.initialAccumulatorValue == 0 && adagrad.epsilon == 1e-10)
        let rmsprop = RMSProp(parameterCount: 1)
        #expect(rmsprop.alpha == 0.99 && rmsprop.epsilon == 1e-8 && rmsprop.momentum == 0 && !rmsprop.centered)
        let adam = Adam(parameterCount: 1)
        #expect(adam.beta1 == 0.9 && adam.beta2 == 0.999 && adam.epsilon == 1e-8 && adam.weightDecay == 0
                && !adam.amsgrad)
        let adamW = Adam.adamW(parameterCount: 1)
        #expect(adamW.weightDecay == 0.01 && adamW.epsilon == 1e-8 && !adamW.amsgrad)
    }
}
