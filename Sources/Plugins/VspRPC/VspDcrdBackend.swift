import PoolKernel
import PoolNet

/// `VspNodeBackend` over dcrd's JSON-RPC websocket, API 8.x (vspd-api.md §4, §8.2): the calls and params vspd
/// makes (vspd `internal/rpc/dcrd.go`), results decoded by `VspWire`. With a reconnect policy a dropped socket is
/// redialled and `notifyblocks` re-registered by the client itself.
public final class VspDcrdBackend: VspNodeBackend {
    /// dcrd's `ErrRPCDuplicateTx`: the node already has the transaction, which vspd counts as sent.
    static let duplicateTransactionCode = -40

    private let rpc: VspRPCConnection
    private let logger: Logger

    public init(configuration: JSONRPCClientConfiguration, logger: Logger) throws {
        self.logger = logger
        rpc = try VspRPCConnection(configuration, logger: logger)
    }

    /// Dials dcrd (TLS + websocket upgrade with the Basic header).
    public func connect() async throws { try await rpc.connect() }

    /// The websocket is up (after a drop the client redials in the background; calls fail meanwhile).
    public func isReachable() async -> Bool { rpc.client.isConnected }

    /// Dials dcrd and runs vspd's checks (`VspConnectionChecks.checkNode`) on this and every later connection;
    /// refused, the client is closed for good.
    public func connect(label: String, network: NetParams) async throws {
        try await rpc.connect(checking: { [weak self] in
            guard let self else { return }
            try await VspConnectionChecks.checkNode(self, label: label, network: network)
        }, keepDialing: false)
    }

    public func rawTransaction(txid: String) async throws -> VspRawTransaction {
        try VspWire.rawTransaction(from: await rpc.call("getrawtransaction", [.string(txid), .int(1)]))
    }

    public func sendRawTransaction(_ hex: String) async throws -> String {
        do {
            return try RPCReplyFields.string(from: await rpc.call("sendrawtransaction", [.string(hex), .bool(false)]),
                                             "sendrawtransaction")
        } catch let error as WalletError where error.rpcCode == Self.duplicateTransactionCode {
            // dcrd answers no txid with −40; the transaction's own hash is the one it holds.
            guard let transaction = try? DecredTransaction(hex: hex) else { throw error }
            return transaction.txid
        }
    }

    public func existsLiveTickets(_ hashes: [String]) async throws -> [Bool] {
        let bits = try await rpc.call("existslivetickets", [.array(hashes.map(JSONValue.string))])
        return try VspWire.liveTickets(from: bits, count: hashes.count)
    }

    /// dcrd has no `getbestblockheader`: vspd asks `getbestblockhash`, then that block's header.
    public func bestBlockHeader() async throws -> VspBlockHeader {
        let hash = try RPCReplyFields.string(from: await rpc.call("getbestblockhash"), "getbestblockhash")
        return try VspWire.blockHeader(from: await rpc.call("getblockheader", [.string(hash), .bool(true)]))
    }

    public func blockHash(height: Int64) async throws -> String {
        try RPCReplyFields.string(from: await rpc.call("getblockhash", [.int(height)]), "getblockhash")
    }

    public func ticketSpends(blockHash: String) async throws -> [VspTicketSpend] {
        try VspWire.ticketSpends(from: await rpc.call("getblock", [.string(blockHash), .bool(true), .bool(true)]))
    }

    public func currentNet() async throws -> UInt32 {
        try RPCReplyFields.number(from: await rpc.call("getcurrentnet"), "getcurrentnet")
    }

    public func version() async throws -> [String: APIVersion] {
        try RPCReplyFields.versions(from: await rpc.call("version"))
    }

    public func hasTxIndex() async throws -> Bool {
        try VspWire.txIndex(from: await rpc.call("getinfo"))
    }

    public func subscribeBlocks(_ handler: @escaping @Sendable (BlockConnected) -> Void) async throws {
        let logger = logger
        rpc.client.setNotificationHandler { method, params in
            if let block = VspWire.blockConnected(method: method, params: params) {
                handler(block)
            } else if method != "blockdisconnected" {
                logger.warn("dropping malformed or unknown notification \(method)")
            }
        }
        try await rpc.subscribe("notifyblocks")
    }

    public func close() async {
        rpc.client.setReconnectCheck(nil)
        rpc.client.close()
    }

    /// Drops the socket as a network failure would (tests and fault injection).
    public func dropConnection() { rpc.client.dropConnection() }
}
