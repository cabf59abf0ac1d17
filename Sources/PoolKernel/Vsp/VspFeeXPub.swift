/// An extended public key the vspd fee addresses are derived from (spec §6.2, vspd `database/feexpub.go`). The
/// active one has the highest id; replacing it stamps the old one retired and starts the new one at index 0, so no
/// fee address is ever handed out twice.
public struct VspFeeXPub: Hashable, Sendable {
    /// 1 for the first key, then one more per replacement.
    public var id: Int64
    /// The serialized extended public key (`dpub…`/`tpub…`).
    public var key: String
    /// The last child index handed out; 0 before the first (so the first address is index 1).
    public var lastUsedIndex: UInt32
    /// Unix seconds when it was replaced; 0 while active.
    public var retired: Int64

    public init(id: Int64, key: String, lastUsedIndex: UInt32 = 0, retired: Int64 = 0) {
        self.id = id
        self.key = key
        self.lastUsedIndex = lastUsedIndex
        self.retired = retired
    }
}
