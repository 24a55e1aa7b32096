/// The version of this build, printed by `dptrain --version` and compared across ranks.
public enum DPTrainVersion {
    public static let string = "0.1.0"
}
