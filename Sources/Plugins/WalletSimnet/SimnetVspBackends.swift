import PoolKernel

/// The `VspNodeBackend` port over the simulated node as today's dcrd (API 8.x), in process: the same answers as
/// simwallet's vsp node endpoint, without sockets. `blockconnected` is delivered synchronously after each mined
/// block, in order. After `close()` every call fails with `walletShutdown`.
public final class SimnetVspNodeBackend: VspNodeBackend {
    public let simnet: Simnet
    private let session: SimnetPortSession

    public init(simnet: Simnet) {
        self.simnet = simnet
        session = SimnetPortSession(simnet: simnet, client: "node")
    }

    private func call<T: Sendable>(_ body: (inout SimnetWorld) throws -> T) throws -> T { try session.call(body) }

    public func rawTransaction(txid: String) async throws -> VspRawTransaction {
        // Found under the world's lock; serialized outside it.
        let found = try call { try $0.vspTransaction(txid: txid) }
        return VspRawTransaction(hex: HexCoding.encode(found.transaction.serialized()), confirmations: found.confirmations,
                                 blockHash: found.blockHash, blockHeight: Int64(found.height ?? 0))
    }

    /// A transaction waiting in the mempool (−40) is success, as the port says; a mined one is dcrd's −1.
    public func sendRawTransaction(_ hex: String) async throws -> String {
        do {
            return try call { try $0.vspSendRawTransaction(hex) }
        } catch let error as WalletError where error.rpcCode == -40 {
            return try call { _ in try SimnetTransaction.deserialize(hex: hex).txid.hex }
        }
    }

    public func isReachable() async -> Bool { (try? call { try $0.checkNode() }) != nil }

    public func existsLiveTickets(_ hashes: [String]) async throws -> [Bool] { try call { try $0.vspExistsLiveTickets(hashes) } }

    public func bestBlockHeader() async throws -> VspBlockHeader {
        let block = try call { try $0.vspBlock(hash: nil, withTransactions: false) }
        return VspBlockHeader(hash: block.hash, height: block.height, ticketPrice: Int64((block.sbits * 1e8).rounded()),
                              poolSize: Int64(block.poolSize))
    }

    public func blockHash(height: Int64) async throws -> String { try call { try $0.vspBlockHash(height: height) } }

    /// The block's votes and revocations: stake transactions whose input spends a ticket's output 0.
    public func ticketSpends(blockHash: String) async throws -> [VspTicketSpend] {
        try call { world in
            let height = try world.blockHeight(hash: blockHash)
            return world.chain.stakeTree(height: height).compactMap { transaction -> VspTicketSpend? in
                if let vote = SimnetVote.parse(transaction) { return VspTicketSpend(ticketHash: vote.ticket.hex, isVote: true) }
                guard transaction.outputs.first?.script.first == SimnetScript.opSSRtx,
                      let input = transaction.inputs.first, input.tree == 1, input.previousIndex == 0 else { return nil }
                return VspTicketSpend(ticketHash: input.previousHash.hex, isVote: false)
            }
        }
    }

    public func currentNet() async throws -> UInt32 { try call { try $0.currentNet() } }
    public func version() async throws -> [String: APIVersion] {
        try call { try $0.checkNode() }
        return SimnetWorld.vspNodeVersions
    }
    public func hasTxIndex() async throws -> Bool {
        try call { try $0.checkNode() }
        return true
    }

    public func subscribeBlocks(_ handler: @escaping @Sendable (BlockConnected) -> Void) async throws {
        try session.subscribe { notification in
            if case .blockConnected(let block) = notification { handler(block) }
        }
    }

    public func close() async { session.close() }
}

/// The `VspWalletBackend` port over one simulated wallet as today's dcrwallet (API 11.x), in process. After
/// `close()` every call fails with `walletShutdown`.
public final class SimnetVspWalletBackend: VspWalletBackend {
    public let simnet: Simnet
    public let walletIndex: Int
    private let session: SimnetPortSession

    public init(simnet: Simnet, walletIndex: Int) {
        self.simnet = simnet
        self.walletIndex = walletIndex
        session = SimnetPortSession(simnet: simnet, client: "wallet")
    }

    private func call<T: Sendable>(_ body: (inout SimnetWorld, Int) throws -> T) throws -> T {
        try session.call { try body(&$0, walletIndex) }
    }

    public func walletInfo() async throws -> WalletInfo { try call { try $0.vspWalletInfo($1) } }
    public func importPrivateKey(wif: String) async throws {
        try call { try $0.vspImportPrivateKey($1, wif: wif, account: "imported") }
    }
    public func addTransaction(blockHash: String, transactionHex: String) async throws {
        try call { try $0.vspAddTransaction($1, blockHash: blockHash, transactionHex: transactionHex) }
    }
    public func setVoteChoice(agenda: String, choice: String, ticketHash: String) async throws {
        try call { try $0.vspSetVoteChoice($1, agenda: agenda, choice: choice, ticket: ticketHash) }
    }
    public func setTSpendPolicy(tspendHash: String, policy: String, ticketHash: String) async throws {
        try call { try $0.vspSetTSpendPolicy($1, tspend: tspendHash, policy: policy, ticket: ticketHash) }
    }
    public func setTreasuryPolicy(key: String, policy: String, ticketHash: String) async throws {
        try call { try $0.vspSetTreasuryPolicy($1, key: key, policy: policy, ticket: ticketHash) }
    }
    public func ticketInfo(startHeight: Int64) async throws -> [VspWalletTicket] {
        try call { try $0.vspTicketInfo($1, startHeight: startHeight) }.map { ticket in
            VspWalletTicket(hash: ticket.hash, status: ticket.status,
                            choices: Dictionary(ticket.choices.map { ($0.agenda, $0.choice) }, uniquingKeysWith: { $1 }))
        }
    }
    public func rescan(from height: Int64) async throws { try call { try $0.vspRescan($1, from: height) } }
    public func bestBlock() async throws -> BestBlock { try call { try $0.walletBestBlock($1) } }
    public func currentNet() async throws -> UInt32 {
        try call { world, wallet in
            try world.checkUp(wallet)
            try world.checkDaemon(wallet)
            return try world.currentNet()
        }
    }
    public func version() async throws -> [String: APIVersion] { try call { try $0.vspWalletVersion($1) } }
    public func close() async { session.close() }
}
