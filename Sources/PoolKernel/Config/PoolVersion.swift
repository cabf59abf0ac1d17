/// The one version string of this release, printed by `--version` of every program, logged at start-up and
/// reported by the API (the dcrstakepool version whose behaviour it keeps).
public enum PoolVersion {
    public static let string = "1.1.1"
}
