import PoolKernel
import PoolNet

/// `NodeBackend` over dcrd's JSON-RPC websocket (wallet-rpc.md §2.16–2.21, notifications §1.6).
/// stakepoold's mode is a reconnect policy: after a drop it redials with back-off and re-registers
/// the notifications itself.
public final class DcrdBackend: NodeBackend {
    /// Settings. dcrd default ports: mainnet 9109, testnet 19109, simnet 19556.
    public typealias Configuration = RPCEndpointConfiguration

    private let endpoint: RPCEndpoint
    private let logger: Logger

    public init(configuration: Configuration, logger: Logger) throws {
        self.logger = logger
        endpoint = try RPCEndpoint(configuration, logger: logger)
    }

    /// Dials dcrd (TLS + websocket upgrade with the Basic header).
    public func connect() async throws { try await endpoint.connect() }

    public func sendRawTransaction(_ hex: String, allowHighFees: Bool) async throws -> String {
        try WalletWire.string(from: await endpoint.call("sendrawtransaction", [.string(hex), .bool(allowHighFees)]),
                              "sendrawtransaction")
    }

    public func decodeRawTransaction(_ hex: String) async throws -> DecodedTransaction {
        try WalletWire.decodedTransaction(from: await endpoint.call("decoderawtransaction", [.string(hex)]))
    }

    public func blockHeader(hash: String) async throws -> String {
        try WalletWire.string(from: await endpoint.call("getblockheader", [.string(hash), .bool(false)]), "getblockheader")
    }

    public func currentNet() async throws -> UInt32 {
        try WalletWire.number(from: await endpoint.call("getcurrentnet"), "getcurrentnet")
    }

    public func bestBlock() async throws -> BestBlock {
        try WalletWire.bestBlock(from: await endpoint.call("getbestblock"))
    }

    public func version() async throws -> [String: APIVersion] {
        try WalletWire.versions(from: await endpoint.call("version"))
    }

    public func subscribe(_ handler: @escaping @Sendable (ChainNotification) -> Void) async throws {
        let logger = logger
        endpoint.client.setNotificationHandler { method, params in
            if let notification = WalletWire.notification(method: method, params: params) {
                handler(notification)
            } else if method != "blockdisconnected" {
                logger.warn("dropping malformed or unknown notification \(method)")
            }
        }
        for method in WalletWire.registrationMethods { try await endpoint.subscribe(method) }
    }

    public func close() async { endpoint.client.close() }

    /// Drops the socket as a network failure would (tests and fault injection).
    public func dropConnection() { endpoint.client.dropConnection() }
}
