/// One voting wallet, as the pool needs it (dcrwallet's legacy JSON-RPC, wallet-rpc.md §2).
///
/// Implementations: `DcrwalletBackend` (JSON-RPC over TLS websocket), the simulated simnet wallet, and
/// `InMemoryWallet` (PoolTestKit). `WalletBackendConformanceTests` (PoolTestKit) checks the contract.
///
/// Implementation requirements:
/// - Every method is safe to call concurrently from many tasks; calls may complete out of order.
/// - Failures are `WalletError`s. When the wallet answered with a JSON-RPC error, the error carries its
///   `rpcCode`/`rpcMessage` with the codes of wallet-rpc.md §1.4 (e.g. `-5` "No information for
///   transaction" from `transaction(hash:)` for an unknown tx; `-4` from `importScript` with an empty
///   script and from `generateVote` for an unknown ticket; `-22` for undecodable hex). When the wallet
///   could not be reached, the error's `isUnavailable` is true.
/// - Hashes are 64-char byte-reversed hex strings; scripts and transactions are hex strings.
/// - No method logs secrets; no method blocks a cooperative thread on I/O.
public protocol WalletBackend: Sendable {
    /// `walletinfo`: health, unlock state and vote defaults.
    func walletInfo() async throws -> WalletInfo
    /// `validateaddress [address]`. An undecodable address is `isValid == false`, not an error.
    func validateAddress(_ address: String) async throws -> AddressValidation
    /// `createmultisig [nRequired, keys]`: keys are pay-to-pubkey addresses, pool key first.
    func createMultisig(nRequired: Int, keys: [String]) async throws -> MultisigScript
    /// `importscript [scriptHex, rescan, scanFrom]`. Importing a known script succeeds; the rescan is
    /// asynchronous. Empty script → rpc error -4.
    func importScript(_ scriptHex: String, rescan: Bool, scanFrom: Int64) async throws
    /// `getbestblock`: the wallet's synced main-chain tip.
    func bestBlock() async throws -> BestBlock
    /// `getstakeinfo`.
    func stakeInfo() async throws -> StakeInfo
    /// `stakepooluserinfo [multisigAddress]`. Undecodable address → rpc error -4.
    func stakePoolUserInfo(multisigAddress: String) async throws -> StakePoolUserInfo
    /// `accountsyncaddressindex [account, branch, index]`.
    func accountSyncAddressIndex(account: String, branch: UInt32, index: UInt32) async throws
    /// `listscripts`: every imported redeem script.
    func listScripts() async throws -> [ImportedScript]
    /// `listscripts` as bytes: every imported redeem script once (hex of either letter case is one script), for
    /// comparing a million users' scripts without a `String` per script. A redeem script that is not hex is
    /// `walletBadResponse`. Default: `listScripts()` converted; a plugin may decode the reply straight into it.
    func listScriptSet() async throws -> ScriptSet
    /// `gettickets [includeImmature]`: ticket hashes the wallet owns or may vote (not expired).
    func tickets(includeImmature: Bool) async throws -> [String]
    /// `getrawtransaction [txid, 0]` (passed through to the wallet's node): the serialized tx hex.
    /// Unknown tx → rpc error -5.
    func rawTransaction(txid: String) async throws -> String
    /// `addticket [ticketHex]`: push a ticket into the wallet's stake manager. Bad tx → rpc error.
    func addTicket(_ ticketHex: String) async throws
    /// `gettransaction [txid]`. Unknown tx → rpc error -5 "No information for transaction".
    func transaction(txid: String) async throws -> WalletTransaction
    /// `generatevote [blockHash, height, ticket, voteBits, voteBitsExtended]`: the signed vote tx hex.
    /// Unknown ticket → rpc error -4 "ticket purchase transaction not found".
    func generateVote(blockHash: String, height: Int64, ticket: String, voteBits: UInt16,
                      voteBitsExtended: String) async throws -> String
    /// `version`: API name → version (the wallet's `dcrwalletjsonrpcapi` plus its node's entries).
    func version() async throws -> [String: APIVersion]
    /// Releases connections. Later calls fail with `walletShutdown`. Idempotent.
    func close() async
}

extension WalletBackend {
    public func close() async {}

    public func listScriptSet() async throws -> ScriptSet {
        var set = ScriptSet()
        for script in try await listScripts() where set.insert(hex: script.redeemScript) == nil {
            throw WalletError(.walletBadResponse, "listscripts: redeem script \(script.redeemScript.prefix(80)) is not hex")
        }
        return set
    }

    /// The web app's `importscript` form: always sends all three params.
    public func importScript(_ scriptHex: String, scanFrom: Int64) async throws {
        try await importScript(scriptHex, rescan: true, scanFrom: scanFrom)
    }

    /// The web app's startup sync: `accountsyncaddressindex ["default", 0, 10000]`.
    public func syncDefaultAccount(maxUsers: UInt32 = 10_000) async throws {
        try await accountSyncAddressIndex(account: "default", branch: 0, index: maxUsers)
    }

    /// Whether the wallet's `dcrwalletjsonrpcapi` satisfies stakepoold's requirement (4.1.0, major 4).
    public func hasCompatibleAPI() async throws -> Bool {
        let versions = try await version()
        let actual = versions[APIVersion.walletAPIName] ?? APIVersion(major: 0, minor: 0, patch: 0)
        return actual.isCompatible(withRequired: .requiredWallet)
    }
}
