/// The Decred node the vspd front drives (vspd-api.md §4.1–4.2, §5, §8.2): dcrd's JSON-RPC API 8.x, run with
/// `--txindex`. This is a different port from stakepoold's `NodeBackend` (dcrd of the v1.1 era, API 3.x):
/// the two fronts may run against different generations of node.
///
/// Implementations: the `dcrd` vsp-node plugin (JSON-RPC over a TLS websocket), simwallet's node, and
/// `InMemoryVspNode` (PoolTestKit). `VspNodeBackendConformanceTests` (PoolTestKit) checks the contract.
///
/// Implementation requirements:
/// - Every method is safe to call concurrently; failures are `WalletError`s. A JSON-RPC error keeps dcrd's
///   `rpcCode`/`rpcMessage` (−5 "No information available about transaction" for an unknown tx or block,
///   −22 for undecodable hex, −40 for a duplicate transaction); an unreachable node has `isUnavailable`.
/// - Hashes are 64-character byte-reversed lowercase hex; transactions are hex.
/// - `subscribeBlocks` sends `notifyblocks` and delivers every `blockconnected` in arrival order on the
///   connection's reader (the handler must return quickly); after a reconnect it re-registers by itself.
public protocol VspNodeBackend: Sendable {
    /// `getrawtransaction [txid, 1]`: the transaction, and once mined its block and confirmations
    /// (0 confirmations and no block while it is in the mempool). Unknown to the node → rpc −5.
    func rawTransaction(txid: String) async throws -> VspRawTransaction
    /// `sendrawtransaction [hex, false]`: the txid. A transaction waiting in the node's mempool (rpc −40) is success;
    /// one already mined is dcrd's rule error (rpc −1 `rejected transaction <txid>: transaction already exists`), as
    /// vspd takes it; other rejections keep dcrd's message (payfee matches its orphan text, §4.2).
    func sendRawTransaction(_ hex: String) async throws -> String
    /// `existslivetickets [[hash, …]]`: for each hash, in order, whether it is in the live ticket pool
    /// (dcrd answers a hex bitset, bit i for hash i).
    func existsLiveTickets(_ hashes: [String]) async throws -> [Bool]
    /// `getbestblockhash`, then `getblockheader [hash, true]` (dcrd has no `getbestblockheader`): the tip's hash,
    /// height, ticket price and pool size.
    func bestBlockHeader() async throws -> VspBlockHeader
    /// `getblockhash [height]` on the main chain. Beyond the tip → rpc −1 (dcrd's ErrRPCOutOfRange: "Block number
    /// out of range: <height>").
    func blockHash(height: Int64) async throws -> String
    /// The stake transactions of a main-chain block that spend a ticket (`getblock [hash, true, true]`'s
    /// `rawstx`): which ticket each spends and whether it is a vote (SSGen) or a revocation.
    func ticketSpends(blockHash: String) async throws -> [VspTicketSpend]
    /// `getcurrentnet`: the network magic.
    func currentNet() async throws -> UInt32
    /// `version`: API name → version (`dcrdjsonrpcapi` ≥ 8.3, same major).
    func version() async throws -> [String: APIVersion]
    /// `getinfo`'s `txindex`: vspd refuses a node without the transaction index.
    func hasTxIndex() async throws -> Bool
    /// Sends `notifyblocks` and delivers each `blockconnected` to `handler` until `close()`; calling it again
    /// replaces the handler.
    func subscribeBlocks(_ handler: @escaping @Sendable (BlockConnected) -> Void) async throws
    /// Whether the node can be reached now, answered without waiting on the network (a connection that is up).
    /// vspd's dcrd middleware (§1.1): when it cannot get a connection, the request's next step that needs dcrd
    /// answers `E(1)` — for payfee before its unknown-ticket, bind and fee-status checks.
    func isReachable() async -> Bool
    /// Releases connections and stops notifications. Idempotent.
    func close() async
}

extension VspNodeBackend {
    public func close() async {}
    /// Default for a plugin that cannot tell: reachable (each step then finds out at its own call).
    public func isReachable() async -> Bool { true }
}
