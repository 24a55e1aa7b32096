import Foundation
import DPTrain

/// Builds configs and runs from YAML text in tests.
enum TrainingTestSupport {
    static func config(_ yaml: String, _ overrides: [String] = []) throws -> TrainingConfig {
        try TrainingConfig(try ConfigValue.parse(yaml: yaml, file: "test.yaml").applying(overrides: overrides))
    }

    /// The model of `model.layers` lines (indented list items) for an image input, built by
    /// ``ModelBuilder`` as a run would build it.
    static func model(layers: String, input: String = "[1, 28, 28]") throws -> Sequential {
        let config = try self.config("""
            name: model
            data: {dataset: spirals, samples: 64, test_samples: 16}
            model:
              input: \(input)
              layers:
            \(layers)
            loss: softmax_cross_entropy
            optimizer: {name: sgd, lr: 0.1}
            batch: {global: 16, micro: 16}
            """)
        return try ModelBuilder.build(layers: config.layers, inputShape: config.inputShape)
    }

    /// The smoke config's spirals problem (2 → 64 → 64 → 2, ReLU, dropout 0.1).
    static let spirals = """
        name: spirals
        seed: 1
        data: {dataset: spirals, samples: 2048, test_samples: 512, noise: 0.05}
        model:
          input: [2]
          layers:
            - {dense: 64, activation: relu}
            - {dropout: 0.1}
            - {dense: 64, activation: relu}
            - {dense: 2}
        loss: softmax_cross_entropy
        optimizer: {name: sgd, lr: 0.1, momentum: 0.9}
        batch: {global: 64, micro: 16}
        lr_schedule: {name: cosine}
        train: {epochs: 20, eval_every: 0, log_every: 1000}
        """
}
