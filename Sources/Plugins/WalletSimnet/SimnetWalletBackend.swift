import PoolKernel

/// The `WalletBackend` port over one simulated wallet, in process (no sockets).
///
/// Simulated RPC failures surface as `WalletError.rpc(code:message:)` with dcrwallet's codes; a wallet
/// whose `down` fault is set fails with `walletUnreachable` (unavailable). After `close()` every call
/// fails with `walletShutdown`.
public final class SimnetWalletBackend: WalletBackend {
    public let simnet: Simnet
    /// Which of the simulation's wallets this backend speaks for.
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

    public func walletInfo() async throws -> WalletInfo { try call { try $0.walletInfo($1) } }
    public func validateAddress(_ address: String) async throws -> AddressValidation {
        try call { try $0.validateAddress($1, address) }
    }
    public func createMultisig(nRequired: Int, keys: [String]) async throws -> MultisigScript {
        try call { try $0.createMultisig($1, nRequired: nRequired, keys: keys) }
    }
    public func importScript(_ scriptHex: String, rescan: Bool, scanFrom: Int64) async throws {
        try call { try $0.importScript($1, scriptHex: scriptHex, rescan: rescan, scanFrom: scanFrom) }
    }
    public func bestBlock() async throws -> BestBlock { try call { try $0.walletBestBlock($1) } }
    public func stakeInfo() async throws -> StakeInfo { try call { try $0.stakeInfo($1) } }
    public func stakePoolUserInfo(multisigAddress: String) async throws -> StakePoolUserInfo {
        try call { try $0.stakePoolUserInfo($1, multisigAddress: multisigAddress) }
    }
    /// `stakePoolUserInfo` as hashes and heights (no `String` per field), for writers of its JSON reply.
    public func stakePoolUserTickets(multisigAddress: String) throws -> SimnetUserTickets {
        try call { try $0.userTickets($1, multisigAddress: multisigAddress) }
    }
    public func accountSyncAddressIndex(account: String, branch: UInt32, index: UInt32) async throws {
        try call { try $0.accountSyncAddressIndex($1, account: account, branch: branch, index: index) }
    }
    public func listScripts() async throws -> [ImportedScript] { try call { try $0.listScripts($1) } }
    /// `listScripts` without a `String` per field: `begin` gets the number of scripts, then `body` sees each script's
    /// hash160, address and redeem script in `listScripts`' order, all under the simulation's lock (keep it quick).
    public func forEachScript(begin: (_ count: Int) -> Void,
                              _ body: (_ hash160: [UInt8], _ address: String, _ redeemScript: [UInt8]) -> Void) throws {
        try call { world, wallet in
            begin(world.scriptCount(wallet))
            try world.forEachScript(wallet, body)
        }
    }
    public func tickets(includeImmature: Bool) async throws -> [String] {
        try call { try $0.walletTickets($1, includeImmature: includeImmature) }
    }
    public func rawTransaction(txid: String) async throws -> String {
        try call { try $0.walletRawTransaction($1, txid: txid) }
    }
    public func addTicket(_ ticketHex: String) async throws { try call { try $0.addTicket($1, ticketHex: ticketHex) } }
    public func transaction(txid: String) async throws -> WalletTransaction {
        try call { try $0.walletTransaction($1, txid: txid) }
    }
    public func generateVote(blockHash: String, height: Int64, ticket: String, voteBits: UInt16,
                             voteBitsExtended: String) async throws -> String {
        // A slow wallet (`setVoteDelay`) waits outside the state lock, then signs against the chain as it is then.
        let delay = simnet.voteDelay(wallet: walletIndex)
        if delay > .zero { try await Task.sleep(for: delay) }
        return try call {
            try $0.generateVote($1, blockHash: blockHash, height: height, ticket: ticket, voteBits: voteBits,
                                voteBitsExtended: voteBitsExtended)
        }
    }
    public func version() async throws -> [String: APIVersion] { try call { try $0.walletVersion($1) } }
    public func close() async { session.close() }
}

/// The `NodeBackend` port over the simulated node, in process. Notifications are delivered
/// synchronously right after each mined block, in order.
public final class SimnetNodeBackend: NodeBackend {
    public let simnet: Simnet
    private let session: SimnetPortSession

    public init(simnet: Simnet) {
        self.simnet = simnet
        session = SimnetPortSession(simnet: simnet, client: "node")
    }

    private func call<T: Sendable>(_ body: (inout SimnetWorld) throws -> T) throws -> T { try session.call(body) }

    public func sendRawTransaction(_ hex: String, allowHighFees: Bool) async throws -> String {
        try call { try $0.sendRawTransaction(hex) }
    }
    public func decodeRawTransaction(_ hex: String) async throws -> DecodedTransaction {
        try call { try $0.decodeRawTransaction(hex).decoded }
    }
    public func blockHeader(hash: String) async throws -> String { try call { try $0.blockHeaderHex(hash: hash) } }
    public func currentNet() async throws -> UInt32 { try call { try $0.currentNet() } }
    public func bestBlock() async throws -> BestBlock { try call { try $0.nodeBestBlock() } }
    public func version() async throws -> [String: APIVersion] { try call { try $0.nodeVersion() } }

    public func subscribe(_ handler: @escaping @Sendable (ChainNotification) -> Void) async throws {
        try session.subscribe(handler)
    }

    public func close() async { session.close() }
}

extension SimnetError {
    /// The port's error: an RPC error with the same code and message, or "unreachable" for a down wallet.
    var walletError: WalletError {
        if code == .simnetWalletDown { return WalletError(.walletUnreachable, rpcMessage) }
        return WalletError.rpc(code: rpcCode, message: rpcMessage)
    }
}
