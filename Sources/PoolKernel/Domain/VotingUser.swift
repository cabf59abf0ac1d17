/// What stakepoold needs per active user (`SELECT UserId, MultiSigAddress, VoteBits, VoteBitsVersion FROM Users
/// WHERE MultiSigAddress <> ''`).
public struct VotingUser: Hashable, Sendable {
    public var userId: UserId
    public var multiSigAddress: String
    public var voteBits: UInt16
    public var voteBitsVersion: UInt32

    public init(userId: UserId, multiSigAddress: String, voteBits: UInt16, voteBitsVersion: UInt32) {
        self.userId = userId
        self.multiSigAddress = multiSigAddress
        self.voteBits = voteBits
        self.voteBitsVersion = voteBitsVersion
    }
}
