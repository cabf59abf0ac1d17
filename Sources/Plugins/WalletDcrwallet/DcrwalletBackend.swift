import PoolKernel
import PoolNet

/// `WalletBackend` over dcrwallet's legacy JSON-RPC websocket (wallet-rpc.md §2): exactly its method
/// names, param order and types, and result fields.
///
/// Call `connect()` once before use. Without a reconnect policy a dropped socket shuts the backend
/// down for good (later calls fail `walletShutdown`, as in the web app); build a new one to redial.
public final class DcrwalletBackend: WalletBackend {
    /// Settings. Wallet default ports: mainnet 9110, testnet 19110, simnet 19557.
    public typealias Configuration = RPCEndpointConfiguration

    private let endpoint: RPCEndpoint
    private let logger: Logger

    public init(configuration: Configuration, logger: Logger) throws {
        self.logger = logger
        endpoint = try RPCEndpoint(configuration, logger: logger)
        endpoint.client.setNotificationHandler { [logger] method, _ in logger.debug("ignoring notification \(method)") }
    }

    /// Dials the wallet (TLS + websocket upgrade with the Basic header).
    public func connect() async throws { try await endpoint.connect() }

    public func walletInfo() async throws -> WalletInfo {
        try WalletWire.walletInfo(from: await endpoint.call("walletinfo"))
    }

    public func validateAddress(_ address: String) async throws -> AddressValidation {
        try WalletWire.addressValidation(from: await endpoint.call("validateaddress", [.string(address)]))
    }

    public func createMultisig(nRequired: Int, keys: [String]) async throws -> MultisigScript {
        try WalletWire.multisigScript(from: await endpoint.call(
            "createmultisig", [.int(Int64(nRequired)), .array(keys.map(JSONValue.string))]))
    }

    public func importScript(_ scriptHex: String, rescan: Bool, scanFrom: Int64) async throws {
        _ = try await endpoint.call("importscript", [.string(scriptHex), .bool(rescan), .int(scanFrom)])
    }

    public func bestBlock() async throws -> BestBlock {
        try WalletWire.bestBlock(from: await endpoint.call("getbestblock"))
    }

    public func stakeInfo() async throws -> StakeInfo {
        try WalletWire.stakeInfo(from: await endpoint.call("getstakeinfo"))
    }

    public func stakePoolUserInfo(multisigAddress: String) async throws -> StakePoolUserInfo {
        // Read from the reply's bytes: a user with 10,000 tickets is ~1.9 MB of JSON (the tickets page).
        try WalletWire.stakePoolUserInfo(from: await endpoint.callRaw("stakepooluserinfo", [.string(multisigAddress)]))
    }

    public func accountSyncAddressIndex(account: String, branch: UInt32, index: UInt32) async throws {
        _ = try await endpoint.call("accountsyncaddressindex", [.string(account), .int(Int64(branch)), .int(Int64(index))])
    }

    public func listScripts() async throws -> [ImportedScript] {
        // Read from the reply's bytes: with a million users the reply is ~260 MB.
        try WalletWire.scripts(from: await endpoint.callRaw("listscripts"))
    }

    public func listScriptSet() async throws -> ScriptSet {
        // The reply's bytes are released when this returns: only the set outlives the call.
        try WalletWire.scriptSet(from: await endpoint.callRaw("listscripts"))
    }

    public func tickets(includeImmature: Bool) async throws -> [String] {
        try WalletWire.ticketHashes(from: await endpoint.call("gettickets", [.bool(includeImmature)]))
    }

    public func rawTransaction(txid: String) async throws -> String {
        try WalletWire.string(from: await endpoint.call("getrawtransaction", [.string(txid), .int(0)]), "getrawtransaction")
    }

    public func addTicket(_ ticketHex: String) async throws {
        _ = try await endpoint.call("addticket", [.string(ticketHex)])
    }

    public func transaction(txid: String) async throws -> WalletTransaction {
        try WalletWire.transaction(from: await endpoint.call("gettransaction", [.string(txid)]))
    }

    public func generateVote(blockHash: String, height: Int64, ticket: String, voteBits: UInt16,
                             voteBitsExtended: String) async throws -> String {
        try WalletWire.voteHex(from: await endpoint.call("generatevote", [
            .string(blockHash), .int(height), .string(ticket), .int(Int64(voteBits)), .string(voteBitsExtended),
        ]))
    }

    public func version() async throws -> [String: APIVersion] {
        try WalletWire.versions(from: await endpoint.call("version"))
    }

    public func close() async { endpoint.client.close() }

    /// Drops the socket as a network failure would (fault injection in tests and the simulator).
    public func dropConnection() { endpoint.client.dropConnection() }
}
