import PoolKernel

/// One ticket of `ticketinfo` (dcrwallet `rpc/jsonrpc/types/results.go`, `TicketInfoResult`).
public struct SimnetVspTicketInfo: Sendable, Equatable {
    public var hash: String
    /// The ticket price, DCR.
    public var cost: Double
    public var votingAddress: String
    /// `immature`, `live`, `voted`, `missed`, `expired`, `revoked`.
    public var status: String
    public var blockHash: String
    public var blockHeight: Int32
    /// The vote's / revocation's hash once spent ("" before).
    public var vote: String
    public var revocation: String
    /// The choice of every agenda of the wallet's vote version, in the network's order.
    public var choices: [SimnetVspChoice]
}

/// An agenda and the choice a ticket votes on it (dcrwallet `VoteChoice`).
public struct SimnetVspChoice: Sendable, Equatable {
    public var agenda: String
    public var choice: String
}

/// The dcrwallet JSON-RPC API 11.x methods vspd calls on its voting wallets (vspd-api.md §8.2), as simulated wallet
/// `wallet` answers them, and the voting that makes them matter: a wallet holding a called ticket's voting key and
/// the ticket votes it with the choices set on that ticket.
extension SimnetWorld {
    /// `version` of today's dcrwallet (vspd needs API ≥ 11.0, same major); the node's versions are listed too
    /// unless the wallet lost its node (an RPC-synced wallet lists its dcrd; vspd refuses SPV wallets without them).
    func vspWalletVersion(_ wallet: Int) throws -> [String: APIVersion] {
        try checkUp(wallet)
        var versions = [
            "dcrwallet": APIVersion(major: 2, minor: 1, patch: 6, buildMetadata: "release", versionString: "2.1.6+release"),
            APIVersion.walletAPIName: APIVersion(major: 11, minor: 0, patch: 0),
        ]
        if !wallets[wallet].faults.daemonDisconnected {
            for (name, version) in Self.vspNodeVersions { versions[name] = version }
        }
        return versions
    }

    /// The vote version today's wallets vote: the newest of the network's deployments.
    var vspVoteVersion: UInt32 { addresses.network.latestVoteVersion ?? chain.parameters.voteVersion }
    var vspAgendas: [Agenda] { addresses.network.agendas(forVoteVersion: vspVoteVersion) }

    /// The vote bits for `choices` (agenda → choice) over `defaults`: bit 0 (the previous block is valid) plus each
    /// chosen choice's bits inside its agenda's mask; an agenda without a choice abstains (its bits 0).
    func vspVoteBits(_ choices: [String: String], defaults: [String: String] = [:]) -> UInt16 {
        var bits: UInt16 = 1
        for agenda in vspAgendas {
            guard let id = choices[agenda.id] ?? defaults[agenda.id],
                  let choice = agenda.choices.first(where: { $0.id == id }) else { continue }
            bits = bits & ~agenda.mask | (choice.bits & agenda.mask)
        }
        return bits
    }

    /// `walletinfo` of today's dcrwallet: voting is on (vspd's voting wallets run with `--enablevoting`); the vote
    /// bits are the wallet's default choices.
    func vspWalletInfo(_ wallet: Int) throws -> WalletInfo {
        try checkUp(wallet)
        let state = wallets[wallet]
        var extended = WireWriter(capacity: 4)
        extended.u32(vspVoteVersion)
        return WalletInfo(daemonConnected: !state.faults.daemonDisconnected, unlocked: !state.faults.locked, txFee: 0.0001,
                          ticketFee: 0.0001, ticketPurchasing: false, voteBits: vspVoteBits(state.vsp.defaultChoices),
                          voteBitsExtended: HexCoding.encode(extended.bytes), voteVersion: vspVoteVersion, voting: true)
    }

    /// `importprivkey [wif, "imported", rescan, scanFrom]`: the ticket's voting key (a key already held is fine). In
    /// dcrwallet's order and words (`internal/rpc/jsonrpc/methods.go` `importPrivKey`, `errors.go`): another account
    /// −4, an undecodable key −5, then a locked wallet −13 (storing the key needs the passphrase).
    mutating func vspImportPrivateKey(_ wallet: Int, wif: String, account: String) throws {
        try checkUp(wallet)
        guard account == "imported" else {
            throw SimnetError.walletFailure("imported addresses must belong to the imported account")
        }
        let publicKey: [UInt8]
        do {
            let key = try WIF.decode(wif, network: addresses.network)
            guard key.signatureType == .ecdsaSecp256k1 else { throw ChainError(.badWIF, "only secp256k1 ECDSA keys vote") }
            publicKey = try key.publicKey()
        } catch {
            throw SimnetError(.simnetInvalidParameter, rpcCode: -5, "WIF decode failed: \((error as? ChainError)?.message ?? "\(error)")")
        }
        if wallets[wallet].faults.locked {
            throw SimnetError(.simnetWalletFailure, rpcCode: -13, "wallet or account locked; use walletpassphrase or unlockaccount first")
        }
        wallets[wallet].vsp.votingKeys.insert(SimnetCrypto.hash160(publicKey))
    }

    /// `addtransaction [blockHash, txHex]`: a transaction mined in that main-chain block; a ticket becomes one of the
    /// wallet's tickets (with no choices yet). Unknown block −5, bad hex −22, not in that block −8.
    mutating func vspAddTransaction(_ wallet: Int, blockHash: String, transactionHex: String) throws {
        try checkUp(wallet)
        try checkDaemon(wallet)
        let height = try blockHeight(hash: blockHash)
        let transaction = try SimnetTransaction.deserialize(hex: transactionHex)
        let hash = transaction.txid
        let minedAt: Int? = chain.ticketIndex[hash].map { Int(chain.tickets[Int($0)].purchaseHeight) }
            ?? chain.ledger.mined[hash].map { Int($0.location.height) }
        guard minedAt == height else {
            throw SimnetError.invalidParameter("transaction \(hash) is not mined in block \(blockHash)")
        }
        guard chain.ticketIndex[hash] != nil, wallets[wallet].vsp.tickets[hash] == nil else { return }
        wallets[wallet].vsp.tickets[hash] = SimnetVspTicketSettings()
        wallets[wallet].vsp.ticketOrder.append(hash)
    }

    /// The ticket a per-ticket setting names: nil for none (the wallet's default), −8 for a malformed hash, −5 for a
    /// ticket the wallet does not have.
    private func vspTicket(_ wallet: Int, _ ticket: String?) throws -> SimHash? {
        guard let ticket else { return nil }
        guard let hash = SimHash(displayHex: ticket) else { throw SimnetError.invalidParameter("invalid ticket hash \(ticket)") }
        guard wallets[wallet].vsp.tickets[hash] != nil else { throw SimnetError(.simnetNotFound, rpcCode: -5, "ticket not found") }
        return hash
    }

    /// `setvotechoice [agenda, choice, ticketHash?]` (dcrwallet `SetAgendaChoices`): an agenda of the wallet's vote
    /// version and one of its choices, else −8 with dcrwallet's message (vspd matches `no agenda with ID`).
    mutating func vspSetVoteChoice(_ wallet: Int, agenda: String, choice: String, ticket: String?) throws {
        try checkUp(wallet)
        guard let known = vspAgendas.first(where: { $0.id == agenda }) else {
            throw SimnetError.invalidParameter("no agenda with ID \"\(agenda)\"")
        }
        guard known.choices.contains(where: { $0.id == choice }) else {
            throw SimnetError.invalidParameter("agenda \"\(agenda)\" has no choice ID \"\(choice)\"")
        }
        if let hash = try vspTicket(wallet, ticket) {
            wallets[wallet].vsp.tickets[hash]?.choices[agenda] = choice
        } else {
            wallets[wallet].vsp.defaultChoices[agenda] = choice
        }
    }

    static let vspPolicies: Set<String> = ["yes", "no", "abstain", "invalid", ""]

    private static func checkPolicy(_ policy: String) throws {
        guard vspPolicies.contains(policy) else { throw SimnetError.invalidParameter("invalid policy \"\(policy)\"") }
    }

    /// `settspendpolicy [tspendHash, policy, ticketHash?]`.
    mutating func vspSetTSpendPolicy(_ wallet: Int, tspend: String, policy: String, ticket: String?) throws {
        try checkUp(wallet)
        guard SimHash(displayHex: tspend) != nil else { throw SimnetError.invalidParameter("invalid tspend hash \(tspend)") }
        try Self.checkPolicy(policy)
        if let hash = try vspTicket(wallet, ticket) {
            wallets[wallet].vsp.tickets[hash]?.tSpendPolicy[tspend] = policy
        } else {
            wallets[wallet].vsp.defaultTSpendPolicy[tspend] = policy
        }
    }

    /// `settreasurypolicy [key, policy, ticketHash?]`: the key a 33-byte compressed public key in hex.
    mutating func vspSetTreasuryPolicy(_ wallet: Int, key: String, policy: String, ticket: String?) throws {
        try checkUp(wallet)
        guard let bytes = HexCoding.decode(key), bytes.count == 33 else {
            throw SimnetError.invalidParameter("invalid treasury key \(key)")
        }
        try Self.checkPolicy(policy)
        if let hash = try vspTicket(wallet, ticket) {
            wallets[wallet].vsp.tickets[hash]?.treasuryPolicy[key] = policy
        } else {
            wallets[wallet].vsp.defaultTreasuryPolicy[key] = policy
        }
    }

    /// `ticketinfo [startHeight]`: the wallet's tickets mined from that height, in the order it got them.
    func vspTicketInfo(_ wallet: Int, startHeight: Int64) throws -> [SimnetVspTicketInfo] {
        try checkUp(wallet)
        let height = walletHeight(wallet)
        let state = wallets[wallet].vsp
        return state.ticketOrder.compactMap { hash -> SimnetVspTicketInfo? in
            guard let id = chain.ticketIndex[hash], let settings = state.tickets[hash] else { return nil }
            let record = chain.tickets[Int(id)]
            guard Int64(record.purchaseHeight) >= startHeight,
                  let status = record.status(asOf: height, maturity: chain.parameters.ticketMaturity) else { return nil }
            let revoked = record.isRevoked && Int(record.spentHeight) < height
            let name: String
            switch status {
            case .immature: name = "immature"
            case .live: name = "live"
            case .voted: name = "voted"
            case .missed: name = revoked ? "revoked" : "missed"
            case .expired: name = revoked ? "revoked" : "expired"
            }
            let ticket = chain.ticketTransaction(id: id)
            let voting = ticket.outputs.first.flatMap { SimnetScript.paymentAddress($0.script) }.map(addresses.encode) ?? ""
            return SimnetVspTicketInfo(
                hash: hash.hex, cost: Self.dcr(record.price), votingAddress: voting, status: name,
                blockHash: chain.hashes[Int(record.purchaseHeight)].hex, blockHeight: record.purchaseHeight,
                vote: status == .voted ? (chain.votes[id]?.hash.hex ?? "") : "",
                revocation: revoked ? chain.revocationTransaction(ticket: id).txid.hex : "",
                choices: vspAgendas.map {
                    SimnetVspChoice(agenda: $0.id, choice: settings.choices[$0.id] ?? state.defaultChoices[$0.id] ?? "abstain")
                })
        }
    }

    /// `rescanwallet [beginHeight]`: the simulated wallet already knows every block; checks the height.
    func vspRescan(_ wallet: Int, from height: Int64) throws {
        try checkUp(wallet)
        try checkDaemon(wallet)
        guard height >= 0 else { throw SimnetError.invalidParameter("begin height must not be negative") }
    }

    /// Today's dcrwallet votes its tickets itself when they are called: for each winner of the tip not voted yet,
    /// the first wallet that is up, unlocked, connected and synced, holds the voting key of the ticket's output 0
    /// and has the ticket votes it, with the bits of the choices set on that ticket (over its default choices) and
    /// the wallet's vote version. Returns how many votes the node accepted.
    @discardableResult
    mutating func castVspVotes() -> Int {
        guard wallets.contains(where: { !$0.vsp.tickets.isEmpty }) else { return 0 }
        let height = chain.tipHeight
        let tip = chain.tipHash
        var extended = WireWriter(capacity: 4)
        extended.u32(vspVoteVersion)
        var cast = 0
        for id in chain.winners where chain.pendingVotes[id] == nil {
            let hash = chain.tickets[Int(id)].hash
            let ticket = chain.ticketTransaction(id: id)
            guard let voting = ticket.outputs.first.flatMap({ SimnetScript.paymentAddress($0.script) }),
                  voting.kind == .pubKeyHash else { continue }
            for state in wallets {
                let faults = state.faults
                guard !faults.down, !faults.locked, !faults.daemonDisconnected, faults.lagBlocks == 0,
                      let settings = state.vsp.tickets[hash], state.vsp.votingKeys.contains(voting.payload) else { continue }
                let vote = SimnetVote.build(ticket: ticket, ticketHash: hash, blockHash: tip, blockHeight: height,
                                            voteBits: vspVoteBits(settings.choices, defaults: state.vsp.defaultChoices),
                                            extendedBits: extended.bytes,
                                            subsidy: chain.parameters.voteSubsidy(height: Int64(height + 1)))
                if (try? chain.acceptVote(vote)) != nil {
                    cast += 1
                    break
                }
            }
        }
        return cast
    }
}
