/// Early stopping's memory: a copy of the parameters at the lowest validation loss seen so
/// far (P floats), taken whenever ``EarlyStopping`` reports an improvement, and put back when
/// training stops early. Checkpoints carry it, so a resumed run restores the same weights.
final class BestWeights {
    let store: ParameterStore
    /// The rule deciding when to stop (nil: `train.early_stopping.criterion: none`).
    let enabled: Bool
    /// The best parameters so far (nil before the first improvement).
    private(set) var snapshot: UnsafeMutableBufferPointer<Float>?

    init(store: ParameterStore, enabled: Bool) {
        self.store = store
        self.enabled = enabled
    }

    deinit { snapshot?.baseAddress?.deallocate() }

    /// Feeds one evaluation's validation loss to `rule`; copies the parameters when it improved.
    /// Returns the stop reason when the rule says to stop (nil when disabled or continuing).
    func observe(_ evaluation: EvaluationResult, rule: inout EarlyStopping, step: Int) throws -> String? {
        guard enabled else { return nil }
        guard let validationLoss = evaluation.validationLoss else {
            throw ConfigError.inconsistent(message:
                "train.early_stopping needs a validation split: set data.validation to a number of samples (e.g. 5000)")
        }
        let decision = rule.observe(loss: validationLoss, step: step)
        if decision.improved { copy(from: UnsafeBufferPointer(store.values)) }
        return decision.stop ? decision.reason : nil
    }

    /// Puts the best parameters back into the store; false when there are none (or disabled).
    func restore() -> Bool {
        guard enabled, let snapshot else { return false }
        store.values.baseAddress!.update(from: snapshot.baseAddress!, count: store.count)
        return true
    }

    /// Replaces the snapshot with `source` (P floats): an improvement, or a checkpoint's copy.
    func copy(from source: UnsafeBufferPointer<Float>) {
        if snapshot == nil { snapshot = ParameterStore.allocate(store.count) }
        snapshot!.baseAddress!.update(from: source.baseAddress!, count: store.count)
    }
}
