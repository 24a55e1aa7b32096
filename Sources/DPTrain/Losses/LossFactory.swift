/// Makes the loss `loss:` names.
public enum LossFactory {
    public static func make(_ name: String) -> Loss {
        switch name {
        case "mse": return MeanSquaredError()
        case "mae": return MeanAbsoluteError()
        case "bce_logits": return BinaryCrossEntropyWithLogits()
        case "bce": return BinaryCrossEntropy()
        default: return SoftmaxCrossEntropy()
        }
    }
}
