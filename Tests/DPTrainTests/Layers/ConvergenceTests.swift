import DPTrain
import Foundation
import Testing

@Suite("Convergence smoke")
struct ConvergenceTests {
    /// Two interleaved spirals (1.5 turns each, the second rotated by π), `perClass` points
    /// each, radius growing from 0.05 to 1, with a little deterministic noise.
    static func spirals(perClass: Int) -> (points: [Float], labels: [Int32]) {
        var random = TestRandom(seed: 2024)
        var points: [Float] = [], labels: [Int32] = []
        for label in 0..<2 {
            for i in 0..<perClass {
                let t = Double(i) / Double(perClass)
                let radius = 0.05 + 0.95 * t
                let angle = 3 * Double.pi * t + Double(label) * Double.pi
                let noise = random.floats(2, low: -0.01, high: 0.01)
                points += [Float(radius * cos(angle)) + noise[0], Float(radius * sin(angle)) + noise[1]]
                labels.append(Int32(label))
            }
        }
        return (points, labels)
    }

    @Test("MLP 2→32→32→2 (ReLU) with plain SGD learns two spirals to ≥ 97% training accuracy")
    func learnsSpirals() {
        let (points, labels) = Self.spirals(perClass: 200)
        let count = labels.count
        let model = Sequential(
            Dense(name: "dense.0", inputSize: 2, outputSize: 32, activation: .relu, weightInitializer: .heNormal()),
            Dense(name: "dense.1", inputSize: 32, outputSize: 32, activation: .relu, weightInitializer: .heNormal()),
            Dense(name: "dense.2", inputSize: 32, outputSize: 2))
        model.initializeParameters(seed: 1)
        let loss = SoftmaxCrossEntropy()
        let batch = 20, learningRate: Float = 0.2
        let input = TestMatrix(rows: batch, columns: 2)
        let gradient = TestMatrix(rows: batch, columns: 2)
        var batchLabels = [Int32](repeating: 0, count: batch)
        var order = Array(0..<count)
        var shuffler = SplitMix64(seed: 9)
        let all = TestMatrix(rows: count, columns: 2, values: points)
        var accuracy = 0.0
        let context = PassContext(training: true)

        func evaluate() -> Double {
            var copy = labels
            let result = copy.withUnsafeMutableBufferPointer { pointer in
                loss.evaluate(output: model.forward(all.matrix, context: .evaluation),
                              targets: .classes(pointer.baseAddress!), gradient: nil, scale: 1)
            }
            return Double(result.correct) / Double(count)
        }
        let initialAccuracy = evaluate()

        epochs: for epoch in 1...1500 {
            order.shuffle(using: &shuffler)
            for start in stride(from: 0, to: count, by: batch) {
                for r in 0..<batch {
                    let sample = order[start + r]
                    input.matrix[r, 0] = points[2 * sample]
                    input.matrix[r, 1] = points[2 * sample + 1]
                    batchLabels[r] = labels[sample]
                }
                model.store.zeroGradients()
                let output = model.forward(input.matrix, context: context)
                _ = batchLabels.withUnsafeMutableBufferPointer { pointer in
                    loss.evaluate(output: output, targets: .classes(pointer.baseAddress!),
                                  gradient: gradient.matrix, scale: 1 / Float(batch))
                }
                model.backward(gradient.matrix, context: context)
                // Plain SGD: θ ← θ − η·g over the flat buffers.
                for i in 0..<model.parameterCount {
                    model.store.values[i] -= learningRate * model.store.gradients[i]
                }
            }
            if epoch % 25 == 0 {
                accuracy = evaluate()
                if accuracy >= 0.99 { break epochs }
            }
        }
        accuracy = evaluate()
        #expect(initialAccuracy < 0.8, "the task must not be trivial at initialisation (\(initialAccuracy))")
        #expect(accuracy >= 0.97, "training accuracy \(accuracy)")
    }
}
