/// A completed address registration (what was stored on the user row).
public struct Registration: Sendable, Equatable {
    public var userId: UserId
    /// P2SH ticket address (`MultiSigAddress`).
    public var multiSigAddress: String
    /// Redeem script hex (`MultiSigScript`).
    public var multiSigScript: String
    public var poolPubKeyAddr: String
    public var userPubKeyAddr: String
    public var userFeeAddr: String
    public var heightRegistered: Int64
    /// True when this call completed an earlier, interrupted submission (possibly of another address).
    public var completedEarlierSubmission: Bool

    public init(userId: UserId, multiSigAddress: String, multiSigScript: String, poolPubKeyAddr: String,
                userPubKeyAddr: String, userFeeAddr: String, heightRegistered: Int64,
                completedEarlierSubmission: Bool = false) {
        self.userId = userId
        self.multiSigAddress = multiSigAddress
        self.multiSigScript = multiSigScript
        self.poolPubKeyAddr = poolPubKeyAddr
        self.userPubKeyAddr = userPubKeyAddr
        self.userFeeAddr = userFeeAddr
        self.heightRegistered = heightRegistered
        self.completedEarlierSubmission = completedEarlierSubmission
    }
}
