/// The losses by config name (`loss: softmax_cross_entropy`).
public enum LossCatalog {
    /// Every accepted name, for error messages that suggest the nearest one.
    public static let names = ["softmax_cross_entropy", "binary_cross_entropy_with_logits",
                               "binary_cross_entropy", "mean_squared_error", "mean_absolute_error"]

    /// The loss called `name` (also `mse`, `mae`, `l1`, `cross_entropy`, `bce`,
    /// `bce_with_logits`), or nil.
    public static func loss(named name: String) -> (any Loss)? {
        switch name {
        case "softmax_cross_entropy", "cross_entropy": return SoftmaxCrossEntropy()
        case "binary_cross_entropy_with_logits", "bce_with_logits": return BinaryCrossEntropyWithLogits()
        case "binary_cross_entropy", "bce": return BinaryCrossEntropy()
        case "mean_squared_error", "mse": return MeanSquaredError()
        case "mean_absolute_error", "mae", "l1": return MeanAbsoluteError()
        default: return nil
        }
    }
}
