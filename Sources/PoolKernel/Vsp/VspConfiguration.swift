/// What the vspd front reports and enforces from the operator's configuration (spec §5.1, §6.1).
public struct VspConfiguration: Sendable {
    public var network: NetParams
    /// `vspfee`.
    public var feePercent: VspFeePercent
    /// `vspclosed`: feeaddress, payfee and setaltsignaddr answer `E(2)`; ticketstatus and setvotechoices still work.
    public var closed: Bool
    /// `vspclosedmsg`, reported only while closed.
    public var closedMessage: String
    /// `vspinfo.vspdversion`.
    public var version: String
    /// How long vspinfo's counts are reused (vspd: 60 s).
    public var infoRefreshSeconds: Double = 60

    public init(network: NetParams, feePercent: VspFeePercent, closed: Bool = false, closedMessage: String = "",
                version: String) {
        self.network = network
        self.feePercent = feePercent
        self.closed = closed
        self.closedMessage = closedMessage
        self.version = version
    }

    /// dcrd's `MaxTxSize` (payfee's sanity check): 393,216 bytes on mainnet, 1,000,000 on the other networks.
    var maxTransactionSize: Int { network.name == "mainnet" ? 393_216 : 1_000_000 }
}
