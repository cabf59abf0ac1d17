import PoolKernel
import PoolNet

/// `VspWalletBackend` over today's dcrwallet JSON-RPC websocket, API 11.x (vspd-api.md §5.6, §8.2): the calls and
/// params vspd makes (vspd `internal/rpc/dcrwallet.go`), results decoded by `VspWire`. The voting key passes
/// through `importprivkey` only: it is never logged (the client logs no params).
public final class VspDcrwalletBackend: VspWalletBackend {
    private let rpc: VspRPCConnection

    public init(configuration: JSONRPCClientConfiguration, logger: Logger) throws {
        rpc = try VspRPCConnection(configuration, logger: logger)
        rpc.client.setNotificationHandler { [logger] method, _ in logger.debug("ignoring notification \(method)") }
    }

    /// Dials the wallet (TLS + websocket upgrade with the Basic header).
    public func connect() async throws { try await rpc.connect() }

    /// Dials the wallet and runs vspd's checks (`VspConnectionChecks.checkWallet`) on this and every later
    /// connection; refused, the client is closed for good. A wallet that cannot be reached yet is dialled again in the
    /// background (with a reconnect policy), so one that starts after the pool joins it then.
    public func connect(label: String, network: NetParams) async throws {
        try await rpc.connect(checking: { [weak self] in
            guard let self else { return }
            try await VspConnectionChecks.checkWallet(self, label: label, network: network)
        }, keepDialing: true)
    }

    public func walletInfo() async throws -> WalletInfo {
        try VspWire.walletInfo(from: await rpc.call("walletinfo"))
    }

    public func importPrivateKey(wif: String) async throws {
        _ = try await rpc.call("importprivkey", [.string(wif), .string("imported"), .bool(false), .int(0)])
    }

    public func addTransaction(blockHash: String, transactionHex: String) async throws {
        _ = try await rpc.call("addtransaction", [.string(blockHash), .string(transactionHex)])
    }

    public func setVoteChoice(agenda: String, choice: String, ticketHash: String) async throws {
        _ = try await rpc.call("setvotechoice", [.string(agenda), .string(choice), .string(ticketHash)])
    }

    public func setTSpendPolicy(tspendHash: String, policy: String, ticketHash: String) async throws {
        _ = try await rpc.call("settspendpolicy", [.string(tspendHash), .string(policy), .string(ticketHash)])
    }

    public func setTreasuryPolicy(key: String, policy: String, ticketHash: String) async throws {
        _ = try await rpc.call("settreasurypolicy", [.string(key), .string(policy), .string(ticketHash)])
    }

    public func ticketInfo(startHeight: Int64) async throws -> [VspWalletTicket] {
        try VspWire.tickets(from: await rpc.call("ticketinfo", [.int(startHeight)]))
    }

    public func rescan(from height: Int64) async throws {
        _ = try await rpc.call("rescanwallet", [.int(height)])
    }

    public func bestBlock() async throws -> BestBlock {
        try VspWire.bestBlock(from: await rpc.call("getbestblock"))
    }

    public func currentNet() async throws -> UInt32 {
        try RPCReplyFields.number(from: await rpc.call("getcurrentnet"), "getcurrentnet")
    }

    public func version() async throws -> [String: APIVersion] {
        try RPCReplyFields.versions(from: await rpc.call("version"))
    }

    public func close() async {
        rpc.client.setReconnectCheck(nil)
        rpc.client.close()
    }

    /// Drops the socket as a network failure would (tests and fault injection).
    public func dropConnection() { rpc.client.dropConnection() }
}
