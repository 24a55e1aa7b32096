/// What the caller of ``Trainer/run()`` hears about a run: the lines to print, every step, and
/// every evaluation (with the chance to stop there). Every method has an empty default, so an
/// observer implements only what it needs.
///
/// `train` prints lines and drives its progress bar, `study` stops runs at a target and
/// `bench` resets its clocks after the warm-up steps — each through one observer.
public protocol TrainingObserver: AnyObject {
    /// A log, evaluation or early-stopping line. Called on rank 0 only.
    func trainer(_ trainer: Trainer, printed line: String)
    /// After every optimizer step, on every rank; `progress` is this rank's local view.
    func trainer(_ trainer: Trainer, didStep progress: StepProgress)
    /// After every evaluation during training, on every rank. A non-nil reason stops training
    /// there; it must be the same on every rank (decide from all-reduced metrics only).
    func trainer(_ trainer: Trainer, stopAfter evaluation: EvaluationResult) -> String?
    /// After every optimizer step (`step` updates done), on every rank, after
    /// ``trainer(_:didStep:)``. A non-nil reason stops training there (the trainer then
    /// evaluates and finishes); it must be the same on every rank (decide from all-reduced
    /// values only). May run collectives, which every rank then runs alike.
    func trainer(_ trainer: Trainer, stopAfterStep step: Int) throws -> String?
}

extension TrainingObserver {
    /// Default: ignores the line.
    public func trainer(_ trainer: Trainer, printed line: String) {}
    /// Default: ignores the step.
    public func trainer(_ trainer: Trainer, didStep progress: StepProgress) {}
    /// Default: never stops training.
    public func trainer(_ trainer: Trainer, stopAfter evaluation: EvaluationResult) -> String? { nil }
    /// Default: never stops training.
    public func trainer(_ trainer: Trainer, stopAfterStep step: Int) throws -> String? { nil }
}
