import DPTrain
import DPTrainTestSupport
import Testing

struct LossCase: Sendable, CustomTestStringConvertible {
    var kind: LossKind
    var rows: Int
    var columns: Int
    var classTargets: Bool

    var testDescription: String {
        "\(kind.rawValue) \(rows)×\(columns) \(classTargets ? "classes" : "values")"
    }
}

let lossCases: [LossCase] = LossKind.allCases.flatMap { kind in
    [(1, 1), (5, 3), (4, 7)].flatMap { shape in
        [true, false].map { LossCase(kind: kind, rows: shape.0, columns: shape.1, classTargets: $0) }
    }
}

/// Outputs, targets and labels of one case.
struct LossData {
    var output: [Float], values: [Float], labels: [Int32]

    init(_ c: LossCase) {
        var random = TestRandom(seed: fnv1a(c.testDescription))
        let count = c.rows * c.columns
        output = c.kind.takesProbabilities ? random.floats(count, low: 0.05, high: 0.95)
                                           : random.floats(count, low: -2, high: 2)
        switch c.kind {
        case .binaryCrossEntropy, .binaryCrossEntropyWithLogits:
            values = random.floats(count, low: 0, high: 1)
        case .softmaxCrossEntropy:
            // Soft labels: each row a probability vector.
            values = random.floats(count, low: 0.01, high: 1)
            for r in 0..<c.rows {
                let sum = values[(r * c.columns)..<((r + 1) * c.columns)].reduce(0, +)
                for j in 0..<c.columns { values[r * c.columns + j] /= sum }
            }
        default:
            values = random.floats(count)
        }
        // With one column the label is the binary target (softmax: the only class, 0).
        let classes = c.columns == 1 ? (c.kind == .softmaxCrossEntropy ? 1 : 2) : c.columns
        labels = random.labels(c.rows, classes: classes)
    }

    func targetRow(_ c: LossCase, _ r: Int) -> [Double] {
        c.classTargets ? referenceTarget(label: Int(labels[r]), columns: c.columns)
                       : values[(r * c.columns)..<((r + 1) * c.columns)].map(Double.init)
    }

    func outputRow(_ c: LossCase, _ r: Int) -> [Double] {
        output[(r * c.columns)..<((r + 1) * c.columns)].map(Double.init)
    }
}

@Suite("Loss gradient checks")
struct LossGradientTests {
    @Test("Float losses match the Double reference: sum, scale·∂ℓ/∂y, correct", arguments: lossCases)
    func matchesReference(_ c: LossCase) {
        let data = LossData(c)
        let loss = c.kind.make()
        let output = TestMatrix(rows: c.rows, columns: c.columns, values: data.output)
        let targetValues = TestMatrix(rows: c.rows, columns: c.columns, values: data.values)
        let gradient = TestMatrix(rows: c.rows, columns: c.columns,
                                  values: [Float](repeating: 1e30, count: c.rows * c.columns))
        let scale: Float = 0.37
        let (withGradient, withoutGradient) = data.labels.withUnsafeBufferPointer { labels in
            let targets: Targets = c.classTargets ? .classes(labels.baseAddress!) : .values(targetValues.matrix)
            return (loss.evaluate(output: output.matrix, targets: targets, gradient: gradient.matrix, scale: scale),
                    loss.evaluate(output: output.matrix, targets: targets, gradient: nil, scale: scale))
        }

        var expectedSum = 0.0, expectedCorrect = 0
        var expectedGradient: [Double] = []
        for r in 0..<c.rows {
            let y = data.outputRow(c, r), t = data.targetRow(c, r)
            expectedSum += c.kind.referenceLoss(y, t)
            expectedGradient += c.kind.referenceGradient(y, t).map { Double(scale) * $0 }
            if c.classTargets && c.kind.referenceCorrect(y, label: Int(data.labels[r])) { expectedCorrect += 1 }
        }
        assertClose(withGradient.sum, expectedSum, "loss sum")
        assertClose(gradient.array, expectedGradient, "scale·∂ℓ/∂y")
        #expect(withGradient.correct == expectedCorrect)
        #expect(withoutGradient == withGradient, "evaluating without a gradient gives the same result")
    }

    @Test("The Double reference gradient matches central finite differences", arguments: lossCases)
    func referenceMatchesFiniteDifferences(_ c: LossCase) {
        let data = LossData(c)
        for r in 0..<c.rows {
            let y = data.outputRow(c, r), t = data.targetRow(c, r)
            let numeric = centralDifferences(at: y) { c.kind.referenceLoss($0, t) }
            assertClose(c.kind.referenceGradient(y, t), numeric, relative: 1e-6, absolute: 1e-8, "row \(r)")
        }
    }
}

// MARK: - Reference values (hand-derived literals)

@Suite("Loss reference values")
struct LossReferenceValueTests {
    /// Evaluates `loss` on one `1 × values.count` row with scale 1.
    private func evaluate(_ loss: any Loss, _ values: [Float], label: Int32? = nil, target: [Float]? = nil)
        -> (LossResult, [Float]) {
        let output = TestMatrix(rows: 1, columns: values.count, values: values)
        let gradient = TestMatrix(rows: 1, columns: values.count)
        let targetMatrix = TestMatrix(rows: 1, columns: values.count, values: target ?? values)
        var labels: [Int32] = [label ?? 0]
        let result = labels.withUnsafeMutableBufferPointer { pointer in
            loss.evaluate(output: output.matrix,
                          targets: label != nil ? .classes(pointer.baseAddress!) : .values(targetMatrix.matrix),
                          gradient: gradient.matrix, scale: 1)
        }
        return (result, gradient.array)
    }

    @Test func meanSquaredErrorIsTheMeanOverColumns() {
        // ((1−0)² + (2−0)² + (3−0)²)/3 = 14/3; gradient 2·(y − t)/3.
        let (result, gradient) = evaluate(MeanSquaredError(), [1, 2, 3], target: [0, 0, 0])
        assertClose(result.sum, 14.0 / 3)
        assertClose(gradient, [2.0 / 3, 4.0 / 3, 2])
        #expect(result.correct == 0)
    }

    @Test func meanAbsoluteErrorHasZeroSubgradientAtZero() {
        // (|1−1| + |−2−0| + |0.5−1|)/3 = 2.5/3; gradient sign/3 with sign(0) = 0.
        let (result, gradient) = evaluate(MeanAbsoluteError(), [1, -2, 0.5], target: [1, 0, 1])
        assertClose(result.sum, 2.5 / 3)
        assertClose(gradient, [0, -1.0 / 3, -1.0 / 3])
    }

    @Test func softmaxCrossEntropyIsStableForHugeLogits() {
        // log(e^1000 + e^0) − 1000 = log(1 + e^−1000) ≈ 0; for label 1 the loss is ≈ 1000.
        let (right, gradientRight) = evaluate(SoftmaxCrossEntropy(), [1000, 0], label: 0)
        assertClose(right.sum, 0, absolute: 1e-6)
        #expect(right.correct == 1)
        assertClose(gradientRight, [0, 0])
        let (wrong, gradientWrong) = evaluate(SoftmaxCrossEntropy(), [1000, 0], label: 1)
        assertClose(wrong.sum, 1000)
        #expect(wrong.correct == 0)
        assertClose(gradientWrong, [1, -1])
        // Uniform logits over 4 classes: log 4, gradient 1/4 − onehot.
        let (uniform, gradientUniform) = evaluate(SoftmaxCrossEntropy(), [3, 3, 3, 3], label: 2)
        assertClose(uniform.sum, 1.386_294_361_119_890_6)  // ln 4
        assertClose(gradientUniform, [0.25, 0.25, -0.75, 0.25])
    }

    @Test func binaryCrossEntropyWithLogitsIsStable() {
        // y = 100, t = 0: max(100, 0) − 0 + log(1 + e^−100) = 100; y = −100, t = 0: ≈ 3.7e−44.
        let (large, gradient) = evaluate(BinaryCrossEntropyWithLogits(), [100, -100], target: [0, 0])
        assertClose(large.sum, 50)  // mean over the two columns
        assertClose(gradient, [0.5, 0])
        // y = 0: log 2 whatever t; gradient (½ − t)/1.
        let (zero, gradientZero) = evaluate(BinaryCrossEntropyWithLogits(), [0], label: 1)
        assertClose(zero.sum, 0.693_147_180_559_945_3)  // ln 2
        assertClose(gradientZero, [-0.5])
        #expect(zero.correct == 0)  // y > 0 is false, label is 1
    }

    @Test func binaryCrossEntropyClampsTheLogAtMinus100() {
        // p = 0, t = 1 and p = 1, t = 0 each give −max(log 0, −100) = 100 (PyTorch's clamp).
        let (result, gradient) = evaluate(BinaryCrossEntropy(), [0, 1], target: [1, 0])
        assertClose(result.sum, 100)
        #expect(gradient.allSatisfy { $0.isFinite })
        // p = ½, t = 1: ln 2; gradient (p − t)/(p(1 − p)) = −2.
        let (half, gradientHalf) = evaluate(BinaryCrossEntropy(), [0.5], label: 1)
        assertClose(half.sum, 0.693_147_180_559_945_3)
        assertClose(gradientHalf, [-2])
    }

    @Test func gradientIsLinearInScale() {
        let output = TestMatrix(rows: 4, columns: 3, values: [0.1, -0.2, 0.3, 1, 2, 3, -1, 0, 1, 0.5, 0.5, 0.5])
        let one = TestMatrix(rows: 4, columns: 3), quarter = TestMatrix(rows: 4, columns: 3)
        var labels: [Int32] = [0, 2, 1, 1]
        labels.withUnsafeMutableBufferPointer { pointer in
            let loss = SoftmaxCrossEntropy()
            let a = loss.evaluate(output: output.matrix, targets: .classes(pointer.baseAddress!), gradient: one.matrix, scale: 1)
            let b = loss.evaluate(output: output.matrix, targets: .classes(pointer.baseAddress!), gradient: quarter.matrix, scale: 0.25)
            #expect(a == b, "the sum does not depend on the scale")
            assertClose(quarter.array, one.array.map { Double($0) / 4 })
        }
    }
}

@Suite("Loss catalog")
struct LossCatalogTests {
    @Test func everyNameResolvesToALossOfThatName() {
        for name in LossCatalog.names { #expect(LossCatalog.loss(named: name)?.name == name) }
        #expect(LossCatalog.loss(named: "mse")?.name == "mean_squared_error")
        #expect(LossCatalog.loss(named: "hinge") == nil)
    }
}
