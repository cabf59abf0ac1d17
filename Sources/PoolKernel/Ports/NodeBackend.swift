/// The Decred node (dcrd) stakepoold talks to (wallet-rpc.md §2.16–2.21, §1.6).
///
/// Implementation requirements:
/// - Methods are safe to call concurrently; failures are `WalletError`s as for `WalletBackend`
///   (e.g. `sendRawTransaction` rejection → rpc error -1 `Rejected transaction <txid>: <reason>`,
///   malformed hex → -22; unknown block → -5).
/// - `subscribe` registers, in this order, `notifyblocks`, `notifywinningtickets`, `notifynewtickets`,
///   `notifyspentandmissedtickets`, then delivers every matching notification to `handler` in arrival
///   order. The handler runs on the connection's reader and must return quickly (hand work off).
///   After a reconnect the implementation re-registers by itself; notifications sent while disconnected
///   are lost (as with dcrd). Malformed notifications are dropped with a warning.
public protocol NodeBackend: Sendable {
    /// `sendrawtransaction [hex, allowHighFees]`: the txid.
    func sendRawTransaction(_ hex: String, allowHighFees: Bool) async throws -> String
    /// `decoderawtransaction [hex]`.
    func decodeRawTransaction(_ hex: String) async throws -> DecodedTransaction
    /// `getblockheader [hash, false]`: the serialized 180-byte header as hex.
    func blockHeader(hash: String) async throws -> String
    /// `getcurrentnet`: the network magic (simnet 0x12141c16).
    func currentNet() async throws -> UInt32
    /// `getbestblock`: the chain tip.
    func bestBlock() async throws -> BestBlock
    /// `version`: API name → version (`dcrdjsonrpcapi`).
    func version() async throws -> [String: APIVersion]
    /// Registers for the four notification kinds and delivers them to `handler` until `close()`.
    /// Calling it again replaces the handler.
    func subscribe(_ handler: @escaping @Sendable (ChainNotification) -> Void) async throws
    /// Releases connections and stops notifications. Idempotent.
    func close() async
}

extension NodeBackend {
    public func close() async {}

    /// The height of a block, read from its serialized header.
    public func blockHeight(hash: String) async throws -> UInt32 {
        let hex = try await blockHeader(hash: hash)
        guard let height = BlockHeaderBytes.height(fromHex: hex) else {
            throw WalletError(.walletBadResponse, "getblockheader returned a malformed header for \(hash)")
        }
        return height
    }

    /// Notifications as an async sequence (buffered, newest kept if the consumer falls far behind).
    public func notificationStream(bufferLimit: Int = 10_000) async throws -> AsyncStream<ChainNotification> {
        let (stream, continuation) = AsyncStream<ChainNotification>.makeStream(
            bufferingPolicy: .bufferingNewest(bufferLimit))
        try await subscribe { continuation.yield($0) }
        return stream
    }

    /// Whether the node's `dcrdjsonrpcapi` satisfies stakepoold's requirement (3.1.0, major 3).
    public func hasCompatibleAPI() async throws -> Bool {
        let versions = try await version()
        let actual = versions[APIVersion.nodeAPIName] ?? APIVersion(major: 0, minor: 0, patch: 0)
        return actual.isCompatible(withRequired: .requiredNode)
    }
}
