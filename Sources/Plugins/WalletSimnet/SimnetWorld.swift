import PoolKernel

/// The whole simulation as one value: the node's chain, the wallets and the shared keys. Every RPC
/// method of the simulated dcrd/dcrwallet is a function on it (see `SimnetWorld+Wallet`, `+Node`).
struct SimnetWorld: Sendable {
    var chain: SimnetChainState
    var wallets: [SimnetWalletState]
    let keyring: SimnetKeyring
    /// Node faults: notifications are lost while set (like a dropped websocket).
    var dropsNotifications = false
    /// Node unreachable: every node call fails as unavailable.
    var nodeDown = false

    /// Ticket (P2PKH) address → voting child index, derived lazily up to `derivedTicketAddresses`.
    private(set) var ticketAddressIndex: [String: Int] = [:]
    private(set) var derivedTicketAddresses = 0

    init(configuration: Simnet.Configuration) {
        chain = SimnetChainState(parameters: configuration.parameters, seed: configuration.seed,
                                 ticketPrice: configuration.ticketPrice, poolFeePercent: configuration.poolFeePercent,
                                 autoRevoke: configuration.autoRevoke)
        keyring = SimnetKeyring(seed: configuration.seed, network: configuration.parameters.network)
        var wallet = SimnetWalletState()
        wallet.voteVersion = configuration.parameters.voteVersion
        wallets = Array(repeating: wallet, count: max(1, configuration.walletCount))
        feeAddressLimit = configuration.feeAddressCount
    }

    /// Address encoding of the simulated network.
    var addresses: SimnetAddressCodec { keyring.addresses }

    /// How many cold-wallet children count as pool fee addresses, and how many are derived so far.
    let feeAddressLimit: Int
    private(set) var derivedFeeAddresses = 0

    /// Derives cold-wallet children until `address` is among them or the limit is reached (each child is
    /// derived once over the simulation's life).
    mutating func resolvePoolFeeAddress(_ address: SimnetAddress) {
        while !chain.poolFeeAddresses.contains(address), derivedFeeAddresses < feeAddressLimit {
            if let derived = addresses.decode(keyring.feeAddress(index: derivedFeeAddresses)) {
                chain.poolFeeAddresses.insert(derived)
            }
            derivedFeeAddresses += 1
        }
    }

    /// Makes sure voting children `0...index` are in the reverse index.
    mutating func deriveTicketAddresses(through index: Int) {
        while derivedTicketAddresses <= index {
            ticketAddressIndex[keyring.ticketAddress(index: derivedTicketAddresses)] = derivedTicketAddresses
            derivedTicketAddresses += 1
        }
    }

    // MARK: - Purchases (control)

    /// How the pool-fee output of a simulated purchase is sized.
    enum FeeChoice: Sendable { case correct, tooLow, atoms(Int64) }

    /// Buys `count` tickets paying `ticketAddress` (P2SH) with a pool-fee commitment to `feeAddress`.
    mutating func buyTickets(ticketAddress: String, feeAddress: String, count: Int, fee: FeeChoice) throws -> [SimHash] {
        guard let owner = addresses.decode(ticketAddress), owner.kind == .scriptHash else {
            throw SimnetError.invalidParameter("ticket address \(ticketAddress) is not a \(addresses.network.name) P2SH address")
        }
        guard let feeTarget = addresses.decode(feeAddress), feeTarget.kind == .pubKeyHash else {
            throw SimnetError.invalidParameter("fee address \(feeAddress) is not a \(addresses.network.name) P2PKH address")
        }
        guard count >= 0, count <= 1_000_000 else { throw SimnetError.invalidParameter("ticket count out of range") }
        resolvePoolFeeAddress(feeTarget)
        let ownerID = chain.ownerID(for: owner)
        let feeID = chain.feeAddressID(for: feeTarget)
        let txFee: Int32 = 10_000
        let required = chain.requiredPoolFee(txFee: txFee)
        let poolFee: Int64
        switch fee {
        case .correct: poolFee = required
        case .tooLow: poolFee = max(0, required / 2)
        case .atoms(let atoms): poolFee = max(0, min(atoms, chain.ticketPrice))
        }
        return (0..<count).map { _ in chain.purchase(owner: ownerID, feeAddress: feeID, poolFee: poolFee, txFee: txFee) }
    }

    // MARK: - Helpers shared by the wallet and node methods

    func walletHeight(_ wallet: Int) -> Int { max(0, chain.tipHeight - wallets[wallet].faults.lagBlocks) }

    func checkUp(_ wallet: Int) throws {
        guard wallets.indices.contains(wallet) else { throw SimnetError.invalidParameter("no wallet \(wallet)") }
        if wallets[wallet].faults.down { throw SimnetError.down(wallet) }
    }

    func checkDaemon(_ wallet: Int) throws {
        if wallets[wallet].faults.daemonDisconnected { throw SimnetError.chainInactive() }
    }

    func checkNode() throws {
        if nodeDown { throw SimnetError(.simnetWalletDown, rpcCode: 0, "simulated node is down") }
    }

    /// Whether the wallet's transaction history holds the ticket (found through an imported script).
    func walletHasInHistory(_ wallet: Int, ticket id: Int32) -> Bool {
        let record = chain.tickets[Int(id)]
        guard let imported = wallets[wallet].importedScripts[record.owner] else { return false }
        return Int(record.purchaseHeight) >= imported.fromHeight && Int(record.purchaseHeight) <= walletHeight(wallet)
    }

    /// Whether the wallet may vote the ticket: in its history with a valid pool fee, or added manually.
    func walletCanVote(_ wallet: Int, ticket id: Int32) -> Bool {
        if wallets[wallet].addedTickets.contains(id) { return Int(chain.tickets[Int(id)].purchaseHeight) <= walletHeight(wallet) }
        return chain.tickets[Int(id)].isFeeValid && walletHasInHistory(wallet, ticket: id)
    }

    /// Every ticket the wallet knows about (history or added), each once.
    func knownTickets(_ wallet: Int) -> [Int32] {
        var result: [Int32] = []
        for owner in wallets[wallet].importOrder {
            for id in chain.owners[Int(owner)].tickets where walletHasInHistory(wallet, ticket: id) { result.append(id) }
        }
        for id in wallets[wallet].addedTickets.sorted() where !walletHasInHistory(wallet, ticket: id)
            && Int(chain.tickets[Int(id)].purchaseHeight) <= walletHeight(wallet) {
            result.append(id)
        }
        return result
    }

    static func dcr(_ atoms: Int64) -> Double { Double(atoms) / 1e8 }
}
