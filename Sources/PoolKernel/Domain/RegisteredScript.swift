/// A user's redeem script and the height to rescan from, for the startup wallet sync
/// (`SELECT MultiSigScript, HeightRegistered FROM Users WHERE MultiSigAddress <> ''`).
public struct RegisteredScript: Hashable, Sendable {
    /// Hex as stored (may be undecodable in old databases; the sync skips those).
    public var multiSigScript: String
    public var heightRegistered: Int64

    public init(multiSigScript: String, heightRegistered: Int64) {
        self.multiSigScript = multiSigScript
        self.heightRegistered = heightRegistered
    }
}
