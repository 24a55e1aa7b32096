/// Readers of the value ranges optimizer keys share, so that their `allowed` texts (which
/// error messages quote) are written once.
extension ConfigReader {
    /// A number ≥ 0 (`eps`, `lr_decay`, `initial_accumulator_value`).
    func nonNegativeOption(_ key: String, default defaultValue: Double) throws -> Double {
        try double(key, default: defaultValue, allowed: "a value ≥ 0", where: { $0 >= 0 && $0.isFinite })
    }

    /// A number in [0, 1) (`momentum`, `alpha`).
    func unitIntervalOption(_ key: String, default defaultValue: Double) throws -> Double {
        try double(key, default: defaultValue, allowed: "a value in [0, 1)", where: { $0 >= 0 && $0 < 1 })
    }

    /// `betas: [β₁, β₂]` of the Adam family, each in [0, 1), default [0.9, 0.999].
    func betasOption() throws -> (beta1: Double, beta2: Double) {
        let betas = try doubles("betas", default: [0.9, 0.999], allowed: "two values in [0, 1)",
                                where: { $0 >= 0 && $0 < 1 })
        guard betas.count == 2 else {
            throw ConfigError.outOfRange(path: "optimizer.betas", line: nil, value: "\(betas)",
                                         allowed: "two values [beta1, beta2] in [0, 1)")
        }
        return (betas[0], betas[1])
    }
}
