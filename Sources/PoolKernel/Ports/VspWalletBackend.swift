/// One voting wallet of the vspd front (vspd-api.md §5.6, §8.2): today's dcrwallet JSON-RPC (API 11.x) as vspd
/// drives it. Tickets reach it as an imported voting key plus the ticket transaction, and each ticket carries
/// its own vote choices — unlike the legacy `WalletBackend` (multisig scripts, one vote-bits per user).
///
/// Implementations: the `dcrwallet` vsp-wallet plugin (JSON-RPC over a TLS websocket), simwallet's wallets
/// (which then vote those tickets with those choices), and `InMemoryVspWallet` (PoolTestKit).
/// `VspWalletBackendConformanceTests` (PoolTestKit) checks the contract.
///
/// Implementation requirements:
/// - Every method is safe to call concurrently; failures are `WalletError`s with dcrwallet's rpc code and
///   message kept (e.g. `setvotechoice` for an agenda the wallet does not know: a message containing
///   "no agenda with ID"); an unreachable wallet has `isUnavailable`.
/// - Importing a key or a transaction the wallet already has succeeds.
/// - No method logs the voting key.
public protocol VspWalletBackend: Sendable {
    /// `walletinfo`: connected to its node, unlocked, voting, vote version.
    func walletInfo() async throws -> WalletInfo
    /// `importprivkey [wif, "imported", false, 0]`: the ticket's voting key, without a rescan.
    func importPrivateKey(wif: String) async throws
    /// `addtransaction [blockHash, txHex]`: the mined ticket, so the wallet knows it without a rescan.
    func addTransaction(blockHash: String, transactionHex: String) async throws
    /// `setvotechoice [agenda, choice, ticketHash]`: a consensus choice for one ticket.
    func setVoteChoice(agenda: String, choice: String, ticketHash: String) async throws
    /// `settspendpolicy [tspendHash, policy, ticketHash]`.
    func setTSpendPolicy(tspendHash: String, policy: String, ticketHash: String) async throws
    /// `settreasurypolicy [key, policy, ticketHash]`.
    func setTreasuryPolicy(key: String, policy: String, ticketHash: String) async throws
    /// `ticketinfo [startHeight]`: the wallet's tickets mined from that height, with their status and the
    /// consensus choices set on each.
    func ticketInfo(startHeight: Int64) async throws -> [VspWalletTicket]
    /// `rescanwallet [beginHeight]`.
    func rescan(from height: Int64) async throws
    /// `getbestblock`: the wallet's synced tip.
    func bestBlock() async throws -> BestBlock
    /// `getcurrentnet`: the network magic.
    func currentNet() async throws -> UInt32
    /// `version`: API name → version (`dcrwalletjsonrpcapi` ≥ 11.0, same major; `dcrd`/`dcrdjsonrpcapi`
    /// present unless the wallet is SPV, which vspd refuses).
    func version() async throws -> [String: APIVersion]
    /// Releases connections. Idempotent.
    func close() async
}

extension VspWalletBackend {
    public func close() async {}
}
