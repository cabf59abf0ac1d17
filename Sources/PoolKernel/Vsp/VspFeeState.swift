/// The fee fields of a vspd ticket that change after it was quoted (`StorageWriter.updateVspFee`): a refreshed
/// quote, the payment payfee accepted, and the status the block handler moves along.
public struct VspFeeState: Hashable, Sendable {
    public var feeAmount: Int64
    public var feeExpiration: Int64
    public var votingWIF: String
    public var feeTxHex: String
    public var feeTxHash: String
    public var feeTxStatus: VspFeeTxStatus

    public init(feeAmount: Int64, feeExpiration: Int64, votingWIF: String = "", feeTxHex: String = "",
                feeTxHash: String = "", feeTxStatus: VspFeeTxStatus = .none) {
        self.feeAmount = feeAmount
        self.feeExpiration = feeExpiration
        self.votingWIF = votingWIF
        self.feeTxHex = feeTxHex
        self.feeTxHash = feeTxHash
        self.feeTxStatus = feeTxStatus
    }
}
