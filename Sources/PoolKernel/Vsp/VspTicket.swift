/// One ticket registered through the vspd API v3 (spec §0): no account, one record per ticket, with vspd's field
/// names. Created by `feeaddress`, completed by `payfee`, moved along by the block handler (§8).
public struct VspTicket: Hashable, Sendable {
    /// How long a fee quote lasts from when it is made or refreshed (vspd `feeAddressExpiration`, §6.3).
    public static let quoteLifetimeSeconds: Int64 = 3600

    /// The ticket's hash, dcrd's display form (64 lowercase hex); the key.
    public var hash: String
    /// Block height of the ticket; 0 until it has 6 confirmations.
    public var purchaseHeight: Int64
    /// The P2PKH address of the ticket's reward commitment (output 1): whose signature proves ownership.
    public var commitmentAddress: String
    /// The fee xpub (`VspFeeXPub.id`) the fee address was derived from.
    public var feeAddressXPubID: Int64
    /// The child index of the fee address under that xpub's external branch.
    public var feeAddressIndex: UInt32
    /// The per-ticket fee address (P2PKH of this network). Never changes once quoted.
    public var feeAddress: String
    /// The quoted fee in atoms.
    public var feeAmount: Int64
    /// Unix seconds; the quote is valid while `now <= feeExpiration`.
    public var feeExpiration: Int64
    /// The ticket had at least 6 confirmations when last looked at.
    public var confirmed: Bool
    /// The ticket's voting private key (WIF), handed over by payfee; `""` before.
    public var votingWIF: String
    /// Consensus vote choices, agenda id → choice id. Never nil: `[:]` when empty.
    public var voteChoices: [String: String]
    /// Per-tspend policies, tspend hash → `yes`/`no`/`abstain`/`invalid`/`""`.
    public var tSpendPolicy: [String: String]
    /// Per-treasury-key policies, compressed pubkey hex → policy.
    public var treasuryPolicy: [String: String]
    /// The fee transaction as the client sent it (hex); cleared once the fee is confirmed.
    public var feeTxHex: String
    /// The fee transaction's hash; `""` until payfee.
    public var feeTxHash: String
    public var feeTxStatus: VspFeeTxStatus
    public var outcome: VspTicketOutcome

    public init(hash: String, purchaseHeight: Int64 = 0, commitmentAddress: String, feeAddressXPubID: Int64,
                feeAddressIndex: UInt32, feeAddress: String, feeAmount: Int64, feeExpiration: Int64,
                confirmed: Bool = false, votingWIF: String = "", voteChoices: [String: String] = [:],
                tSpendPolicy: [String: String] = [:], treasuryPolicy: [String: String] = [:], feeTxHex: String = "",
                feeTxHash: String = "", feeTxStatus: VspFeeTxStatus = .none, outcome: VspTicketOutcome = .none) {
        self.hash = hash
        self.purchaseHeight = purchaseHeight
        self.commitmentAddress = commitmentAddress
        self.feeAddressXPubID = feeAddressXPubID
        self.feeAddressIndex = feeAddressIndex
        self.feeAddress = feeAddress
        self.feeAmount = feeAmount
        self.feeExpiration = feeExpiration
        self.confirmed = confirmed
        self.votingWIF = votingWIF
        self.voteChoices = voteChoices
        self.tSpendPolicy = tSpendPolicy
        self.treasuryPolicy = treasuryPolicy
        self.feeTxHex = feeTxHex
        self.feeTxHash = feeTxHash
        self.feeTxStatus = feeTxStatus
        self.outcome = outcome
    }

    /// The quote has run out (`now > feeExpiration`, §6.3): payfee answers `E(8)` until feeaddress refreshes it.
    public func isQuoteExpired(now: Int64) -> Bool { now > feeExpiration }

    /// The three preference maps together.
    public var preferences: VspVotePreferences {
        get { VspVotePreferences(voteChoices: voteChoices, tSpendPolicy: tSpendPolicy, treasuryPolicy: treasuryPolicy) }
        set {
            voteChoices = newValue.voteChoices
            tSpendPolicy = newValue.tSpendPolicy
            treasuryPolicy = newValue.treasuryPolicy
        }
    }

    /// The fee fields together (what `StorageWriter.updateVspFee` writes).
    public var fee: VspFeeState {
        get {
            VspFeeState(feeAmount: feeAmount, feeExpiration: feeExpiration, votingWIF: votingWIF, feeTxHex: feeTxHex,
                        feeTxHash: feeTxHash, feeTxStatus: feeTxStatus)
        }
        set {
            feeAmount = newValue.feeAmount
            feeExpiration = newValue.feeExpiration
            votingWIF = newValue.votingWIF
            feeTxHex = newValue.feeTxHex
            feeTxHash = newValue.feeTxHash
            feeTxStatus = newValue.feeTxStatus
        }
    }
}
