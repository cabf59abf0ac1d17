/// One simulated voting wallet: what it has imported and learned, and the faults injected into it.
/// All wallets share the pool's seed, so they derive the same keys, scripts and votes.
struct SimnetWalletState: Sendable {
    /// Imported redeem scripts by ticket-address id: the script and the first height its rescan covers.
    var importedScripts: [Int32: (script: [UInt8], fromHeight: Int)] = [:]
    /// Import order, for `listscripts`.
    var importOrder: [Int32] = []
    /// Tickets pushed with `addticket` (valid for voting even when their pool fee was too low).
    var addedTickets: Set<Int32> = []
    /// Highest default-account external index the wallet watches (`accountsyncaddressindex`).
    var syncedAddressIndex = 19
    var faults = SimnetWalletFaults()
    /// How long `generatevote` waits before it answers (a slow or hung wallet); zero answers at once.
    var voteDelay: Duration = .zero
    var voteVersion: UInt32 = 6
    var voteBits: UInt16 = 1
    /// The wallet's own `enablevoting` setting (`walletinfo.voting`).
    var voting = false
    /// The wallet as today's dcrwallet (the vspd front's voting wallet).
    var vsp = SimnetVspWalletState()
}

/// Faults injected into one wallet (all off by default).
public struct SimnetWalletFaults: Sendable, Equatable {
    /// Every call fails as "unavailable" (the process or its socket is gone).
    public var down = false
    /// `walletinfo.unlocked` is false; signing and importing fail.
    public var locked = false
    /// The wallet lost its node: `walletinfo.daemonconnected` is false, node-backed calls fail with -1.
    public var daemonDisconnected = false
    /// The wallet's view trails the chain tip by this many blocks.
    public var lagBlocks = 0
    /// The wallet answers differently from its siblings: another `pubkey` from `validateaddress`,
    /// another `redeemScript` from `createmultisig`, `live` off by one in `getstakeinfo`, one ticket fewer
    /// in `gettickets`.
    public var disagrees = false

    public init(down: Bool = false, locked: Bool = false, daemonDisconnected: Bool = false, lagBlocks: Int = 0,
                disagrees: Bool = false) {
        self.down = down
        self.locked = locked
        self.daemonDisconnected = daemonDisconnected
        self.lagBlocks = lagBlocks
        self.disagrees = disagrees
    }
}
