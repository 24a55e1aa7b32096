/// The range checks of optimizer hyperparameters, with torch.optim's messages
/// ("Invalid eps value: -1"). They are preconditions: configs are range-checked when read
/// (``OptimizerConfig``), so a failure here is a programming error.
enum HyperparameterCheck {
    /// Each value must be ≥ 0; the names are torch's (`epsilon`, `momentum`, `lr_decay`, …).
    static func nonNegative(_ values: KeyValuePairs<String, Float>) {
        for (name, value) in values {
            precondition(value >= 0, "Invalid \(name) value: \(value)")
        }
    }

    /// β₁ and β₂ of the Adam family must be in [0, 1).
    static func betas(_ beta1: Float, _ beta2: Float) {
        for (index, beta) in [beta1, beta2].enumerated() {
            precondition(beta >= 0 && beta < 1, "Invalid beta parameter at index \(index): \(beta)")
        }
    }
}
