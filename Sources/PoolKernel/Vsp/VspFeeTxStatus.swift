/// Where a vspd ticket's fee transaction is (spec §0, §8.1): the values `ticketstatus` reports as `feetxstatus`.
public enum VspFeeTxStatus: String, Hashable, Sendable, CaseIterable {
    /// Quoted (feeaddress), nothing paid yet.
    case none
    /// payfee accepted the fee transaction; it waits for the ticket's 6 confirmations.
    case received
    /// Sent to the network.
    case broadcast
    /// The fee has 6 confirmations; the voting key went to the voting wallets.
    case confirmed
    /// Sending or finding the fee transaction failed; the client pays again.
    case error

    /// The states from which payfee (and a re-quote) may proceed; the others answer `E(3)` (§5.3, §5.4 step 4).
    public static let awaitingPayment: Set<VspFeeTxStatus> = [.none, .error]
}

/// How a vspd ticket ended (spec §0, §8.2 step 4); `none` while it is still live or unknown.
public enum VspTicketOutcome: String, Hashable, Sendable, CaseIterable {
    case none = ""
    case voted
    case missed
    case expired
    /// Written by vspd before 1.3.0; read, reported with `expired`, reclassified at start-up.
    case revoked
}
