import Foundation

/// The vspd API v3 (spec §1–§9) over the kernel's per-ticket model: each endpoint takes the raw request body and
/// the `VSP-Client-Signature` header and returns the signed answer, running vspd's middleware chain and checks in
/// vspd's order. Every refusal is a `VspAPIError` rendered once, as `{"code":n,"message":"…"}`.
///
/// ```swift
/// let service = VspService(configuration: config, storage: storage, node: node, wallets: wallets,
///                          signer: try VspResponseSigner(dataDirectory: dataDir), logger: logger)
/// let reply = await service.handle(.feeAddress, body: body, signature: header)
/// ```
public final class VspService: Sendable {
    public typealias Clock = @Sendable () -> Double

    /// Confirmations after which a ticket counts as `Confirmed` (vspd `requiredConfs`).
    public static let requiredConfirmations: Int64 = 6

    public let configuration: VspConfiguration
    public let signer: VspResponseSigner
    let storage: any StorageBackend
    let node: any VspNodeBackend
    let wallets: [any VspWalletBackend]
    let feeAddresses: VspFeeAddressAllocator
    let fee: VspFee
    let rules: VspVotePreferenceRules
    let broadcaster: VspTicketBroadcaster
    let authenticator: VspRequestAuthenticator
    let info: VspInfoCache
    let clock: Clock
    let logger: Logger

    /// - Parameters:
    ///   - clock: unix seconds with their fraction (quotes expire on a sub-second comparison, §6.3).
    ///   - sleep: the pause between orphan-parent retries (§4.2).
    public init(configuration: VspConfiguration, storage: any StorageBackend, node: any VspNodeBackend,
                wallets: [any VspWalletBackend], signer: VspResponseSigner,
                clock: @escaping Clock = { Date().timeIntervalSince1970 },
                sleep: @escaping VspTicketBroadcaster.Sleeper = { try? await Task.sleep(for: $0) }, logger: Logger) {
        self.configuration = configuration
        self.signer = signer
        self.storage = storage
        self.node = node
        self.wallets = wallets
        self.clock = clock
        self.logger = logger
        let network = configuration.network
        feeAddresses = VspFeeAddressAllocator(storage: storage, network: network)
        fee = VspFee(network: network)
        rules = VspVotePreferenceRules(network: network)
        broadcaster = VspTicketBroadcaster(node: node, network: network, sleep: sleep, logger: logger)
        authenticator = VspRequestAuthenticator(storage: storage, node: node, network: network, logger: logger)
        info = VspInfoCache()
    }

    /// One POST endpoint: the middleware chain of §1.1, then the handler.
    public func handle(_ endpoint: VspEndpoint, body: [UInt8], signature: String?) async -> VspReply {
        do {
            switch endpoint {
            case .setAltSignAddr:
                try checkOpen()
                let known = try await broadcaster.broadcast(body: body)
                return try await setAltSignAddr(try await authenticator.authenticate(body: body, signature: signature,
                                                                                     nodeTicket: known))
            case .feeAddress:
                try checkOpen()
                let known = try await broadcaster.broadcast(body: body)
                return try await feeAddress(try await authenticator.authenticate(body: body, signature: signature,
                                                                                 nodeTicket: known))
            case .ticketStatus:
                return try await ticketStatus(try await authenticator.authenticate(body: body, signature: signature))
            case .payFee:
                try checkOpen()
                return try await payFee(try await authenticator.authenticate(body: body, signature: signature))
            case .setVoteChoices:
                let online = await onlineWallets()
                return try await setVoteChoices(try await authenticator.authenticate(body: body, signature: signature),
                                                onlineWallets: online)
            }
        } catch let error as VspAPIError {
            return signer.reply(error)
        } catch {
            logger.error("vspd: \(endpoint.rawValue) failed: \(error)")
            return signer.reply(VspAPIError(.internalError))
        }
    }

    /// The vsp-open middleware (§1.1).
    private func checkOpen() throws {
        if configuration.closed { throw VspAPIError(.vspClosed) }
    }

    // MARK: - Shared steps

    /// Unix seconds now (the `timestamp` of answers, quote expirations).
    var nowSeconds: Int64 { Int64(clock().rounded(.down)) }

    /// The signed success answer: the struct's keys in order, then `request` (§3.3).
    func success(_ members: [(String, VspJSON)], echo body: [UInt8]) -> VspReply {
        let object = VspJSON.object([("timestamp", .int(nowSeconds))] + members
                                    + [("request", .string(Data(body).base64EncodedString()))])
        return signer.reply(status: 200, body: object.encoded())
    }

    /// vspd's dcrd middleware (§1.1): a node that cannot be reached is `E(1)` at the first step that needs it.
    func requireReachableNode() async throws {
        guard await node.isReachable() else { throw VspAPIError(.internalError) }
    }

    /// `getrawtransaction [hash, 1]`; any failure is `E(1)`.
    func rawTransaction(_ hash: String) async throws -> VspRawTransaction {
        do {
            return try await node.rawTransaction(txid: hash)
        } catch {
            logger.error("vspd: getrawtransaction \(hash) failed: \(error)")
            throw VspAPIError(.internalError)
        }
    }

    /// vspd's `canTicketVote` (§4.1): `E(7)` when the ticket can no longer vote, `E(1)` when dcrd fails.
    func requireCanVote(_ raw: VspRawTransaction, hash: String) async throws {
        let tickets = configuration.network.tickets
        let confirmations = raw.confirmations
        if confirmations > Int64(tickets.maturity + tickets.expiry + 1) { throw VspAPIError(.ticketCannotVote) }
        if confirmations <= Int64(tickets.maturity) { return }
        let live: [Bool]
        do {
            live = try await node.existsLiveTickets([hash])
        } catch {
            logger.error("vspd: existslivetickets \(hash) failed: \(error)")
            throw VspAPIError(.internalError)
        }
        guard live.first == true else { throw VspAPIError(.ticketCannotVote) }
    }

    /// The fee for a ticket bought now (§6.1), from dcrd's best header.
    func currentFee() async throws -> Int64 {
        do {
            let header = try await node.bestBlockHeader()
            return fee.amount(ticketPrice: header.ticketPrice, height: header.height, percent: configuration.feePercent)
        } catch {
            logger.error("vspd: getbestblockheader failed: \(error)")
            throw VspAPIError(.internalError)
        }
    }

    /// Runs a storage step; any failure is `E(1)`.
    func store<T: Sendable>(_ what: String, _ body: @escaping @Sendable (any StorageWriter) throws -> T) async throws -> T {
        do {
            return try await storage.write(body)
        } catch {
            logger.error("vspd: \(what) failed: \(error)")
            throw VspAPIError(.internalError)
        }
    }

    /// The wallets that answer `walletinfo` now (vspd's wallets middleware).
    func onlineWallets() async -> [any VspWalletBackend] {
        await withTaskGroup(of: (Int, Bool).self) { group in
            for (index, wallet) in wallets.enumerated() {
                group.addTask { (index, (try? await wallet.walletInfo()) != nil) }
            }
            var online: [Int] = []
            for await (index, ok) in group where ok { online.append(index) }
            return online.sorted().map { wallets[$0] }
        }
    }

    /// dcrd's rejection of a transaction with unknown inputs (§4.2's pattern).
    static func isOrphanRejection(_ error: any Error) -> Bool { VspTicketBroadcaster.isOrphanRejection(error) }
}
