import PoolKernel

/// The simulation as today's dcrd (API 8.x) and dcrwallet (API 11.x) show it to the vspd front, and the control
/// calls a vspd client's test needs. Failures are `WalletError`s carrying dcrd's / dcrwallet's rpc code and message.
extension Simnet {
    private func run<T: Sendable>(_ body: (inout SimnetWorld) throws -> T) throws -> T {
        do {
            return try world.withLock { try body(&$0) }
        } catch let error as SimnetError {
            throw error.walletError
        }
    }

    // MARK: - Node (dcrd API 8.x)

    public var vspNodeVersions: [String: APIVersion] { SimnetWorld.vspNodeVersions }
    public func vspSendRawTransaction(_ hex: String) throws -> String { try run { try $0.vspSendRawTransaction(hex) } }
    public func vspRawTransaction(txid: String) throws -> SimnetRawTransaction { try run { try $0.vspRawTransaction(txid: txid) } }
    public func vspExistsLiveTickets(_ hashes: [String]) throws -> [Bool] { try run { try $0.vspExistsLiveTickets(hashes) } }
    public func vspBlockHash(height: Int64) throws -> String { try run { try $0.vspBlockHash(height: height) } }
    /// The block `hash` (nil: the tip), with its transactions or only its header.
    public func vspBlock(hash: String?, withTransactions: Bool) throws -> SimnetBlockView {
        try run { try $0.vspBlock(hash: hash, withTransactions: withTransactions) }
    }
    /// The node is reachable (`getinfo`, `getcurrentnet` fail like every call while it is down).
    public func vspCheckNode() throws { try run { try $0.checkNode() } }

    // MARK: - Wallets (dcrwallet API 11.x)

    public func vspWalletInfo(wallet: Int) throws -> WalletInfo { try run { try $0.vspWalletInfo(wallet) } }
    public func vspWalletVersion(wallet: Int) throws -> [String: APIVersion] { try run { try $0.vspWalletVersion(wallet) } }
    public func vspImportPrivateKey(wallet: Int, wif: String, account: String) throws {
        try run { try $0.vspImportPrivateKey(wallet, wif: wif, account: account) }
    }
    public func vspAddTransaction(wallet: Int, blockHash: String, transactionHex: String) throws {
        try run { try $0.vspAddTransaction(wallet, blockHash: blockHash, transactionHex: transactionHex) }
    }
    public func vspSetVoteChoice(wallet: Int, agenda: String, choice: String, ticket: String?) throws {
        try run { try $0.vspSetVoteChoice(wallet, agenda: agenda, choice: choice, ticket: ticket) }
    }
    public func vspSetTSpendPolicy(wallet: Int, tspend: String, policy: String, ticket: String?) throws {
        try run { try $0.vspSetTSpendPolicy(wallet, tspend: tspend, policy: policy, ticket: ticket) }
    }
    public func vspSetTreasuryPolicy(wallet: Int, key: String, policy: String, ticket: String?) throws {
        try run { try $0.vspSetTreasuryPolicy(wallet, key: key, policy: policy, ticket: ticket) }
    }
    public func vspTicketInfo(wallet: Int, startHeight: Int64) throws -> [SimnetVspTicketInfo] {
        try run { try $0.vspTicketInfo(wallet, startHeight: startHeight) }
    }
    public func vspRescan(wallet: Int, from height: Int64) throws { try run { try $0.vspRescan(wallet, from: height) } }
    public func vspWalletBestBlock(wallet: Int) throws -> BestBlock { try run { try $0.walletBestBlock(wallet) } }
    public func vspWalletCurrentNet(wallet: Int) throws -> UInt32 {
        try run { world in
            try world.checkUp(wallet)
            try world.checkDaemon(wallet)
            return try world.currentNet()
        }
    }

    // MARK: - Control (a vspd client's side)

    /// A solo ticket paying `votingAddress` with its commitment to `commitmentAddress`, and its parent; broadcast or not.
    public func buySoloTicket(votingAddress: String, commitmentAddress: String, broadcast: Bool) throws -> SimnetSoloTicket {
        try run { try $0.buySoloTicket(votingAddress: votingAddress, commitmentAddress: commitmentAddress, broadcast: broadcast) }
    }

    /// A fee payment of `atoms` to `address`, unbroadcast (hex).
    public func buildFeePayment(address: String, atoms: Int64) throws -> String {
        try run { try $0.buildFeePayment(address: address, atoms: atoms) }
    }
}
