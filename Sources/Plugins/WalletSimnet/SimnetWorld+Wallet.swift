import PoolKernel

/// The dcrwallet methods of wallet-rpc.md §2, as the simulated wallet `wallet` answers them.
extension SimnetWorld {
    static let walletAPI = APIVersion(major: 4, minor: 1, patch: 0)
    static let nodeAPI = APIVersion(major: 3, minor: 1, patch: 0)

    func walletInfo(_ wallet: Int) throws -> WalletInfo {
        try checkUp(wallet)
        let state = wallets[wallet]
        var extended = WireWriter(capacity: 4)
        extended.u32(state.voteVersion)
        return WalletInfo(daemonConnected: !state.faults.daemonDisconnected, unlocked: !state.faults.locked,
                          txFee: 0.0001, ticketFee: 0.0001, ticketPurchasing: false, voteBits: state.voteBits,
                          voteBitsExtended: HexCoding.encode(extended.bytes), voteVersion: state.voteVersion,
                          voting: state.voting)
    }

    mutating func validateAddress(_ wallet: Int, _ address: String) throws -> AddressValidation {
        try checkUp(wallet)
        guard let decoded = addresses.decode(address) else { return AddressValidation(isValid: false) }
        let state = wallets[wallet]
        switch decoded.kind {
        case .pubKeyHash:
            deriveTicketAddresses(through: state.syncedAddressIndex)
            guard let index = ticketAddressIndex[address], index <= state.syncedAddressIndex else {
                return AddressValidation(isValid: true, address: address)
            }
            var key = keyring.votingPublicKey(index: index)
            if state.faults.disagrees { key = keyring.votingPublicKey(index: index + 1_000_000) }
            let keyAddress = addresses.encode(SimnetAddress(kind: .pubKey, payload: key))
            return AddressValidation(isValid: true, address: address, isMine: true, pubKeyAddress: keyAddress,
                                     pubKey: HexCoding.encode(key), isCompressed: true, account: "default")
        case .scriptHash:
            guard let owner = chain.existingOwnerID(for: decoded), let imported = state.importedScripts[owner] else {
                return AddressValidation(isValid: true, address: address, isScript: true)
            }
            let keys = Self.multisigKeys(imported.script)
            let keyAddresses = keys.map { addresses.encode(SimnetAddress(kind: .pubKey, payload: $0)) }
            return AddressValidation(isValid: true, address: address, isMine: true, isScript: true,
                                     account: "imported", addresses: keyAddresses,
                                     hex: HexCoding.encode(imported.script), script: keys.isEmpty ? "nonstandard" : "multisig",
                                     sigsRequired: keys.isEmpty ? 0 : Int32(imported.script[0] - 0x50))
        case .pubKey:
            return AddressValidation(isValid: true, address: address, pubKey: HexCoding.encode(decoded.payload),
                                     isCompressed: true)
        }
    }

    func createMultisig(_ wallet: Int, nRequired: Int, keys: [String]) throws -> MultisigScript {
        try checkUp(wallet)
        var publicKeys = [[UInt8]]()
        for key in keys {
            guard let decoded = addresses.decode(key), decoded.kind == .pubKey else {
                throw SimnetError(.simnetInvalidParameter, rpcCode: -32700, "unable to decode pay-to-pubkey address \(key)")
            }
            publicKeys.append(decoded.payload)
        }
        guard (1...16).contains(keys.count), (1...keys.count).contains(nRequired) else {
            throw SimnetError(.simnetInvalidParameter, rpcCode: -32700,
                              "unable to generate multisig script with \(nRequired) required signatures and \(keys.count) keys")
        }
        if wallets[wallet].faults.disagrees { publicKeys.reverse() }
        var script: [UInt8] = [0x50 + UInt8(nRequired)]
        for key in publicKeys { script += [UInt8(key.count)] + key }
        script += [0x50 + UInt8(publicKeys.count), SimnetScript.opCheckMultisig]
        let address = SimnetAddress(kind: .scriptHash, payload: SimnetCrypto.hash160(script))
        return MultisigScript(address: addresses.encode(address), redeemScript: HexCoding.encode(script))
    }

    mutating func importScript(_ wallet: Int, scriptHex: String, rescan: Bool, scanFrom: Int64) throws {
        try checkUp(wallet)
        guard let script = HexCoding.decode(scriptHex) else {
            throw SimnetError(.simnetDeserialization, rpcCode: -22, "Invalid hex string for the redeem script")
        }
        guard !script.isEmpty else { throw SimnetError.walletFailure("passed empty script") }
        guard script.count <= 520 else { throw SimnetError.walletFailure("script is too long") }
        if wallets[wallet].faults.locked { throw SimnetError.walletFailure("address manager is locked") }
        let owner = chain.ownerID(for: SimnetAddress(kind: .scriptHash, payload: SimnetCrypto.hash160(script)))
        let from = rescan ? max(0, Int(clamping: scanFrom)) : walletHeight(wallet) + 1
        if let existing = wallets[wallet].importedScripts[owner] {
            // Known script: no error; a rescan from further back still finds older tickets.
            if rescan, from < existing.fromHeight { wallets[wallet].importedScripts[owner] = (script, from) }
            return
        }
        wallets[wallet].importedScripts[owner] = (script, from)
        wallets[wallet].importOrder.append(owner)
    }

    func walletBestBlock(_ wallet: Int) throws -> BestBlock {
        try checkUp(wallet)
        let height = walletHeight(wallet)
        return BestBlock(hash: chain.hashes[height].hex, height: Int64(height))
    }

    func stakeInfo(_ wallet: Int) throws -> StakeInfo {
        try checkUp(wallet)
        try checkDaemon(wallet)
        let height = walletHeight(wallet)
        let maturity = chain.parameters.ticketMaturity
        var info = StakeInfo(blockHeight: Int64(height), poolSize: chain.headers[height].poolSize,
                             difficulty: Self.dcr(chain.ticketPrice))
        var subsidy: Int64 = 0
        for id in knownTickets(wallet) where walletCanVote(wallet, ticket: id) {
            let record = chain.tickets[Int(id)]
            switch record.status(asOf: height, maturity: maturity) {
            case .immature: info.immature += 1
            case .live: info.live += 1
            case .voted:
                info.voted += 1
                subsidy += chain.parameters.voteSubsidy(height: Int64(record.spentHeight) - 1)
            case .missed:
                info.missed += 1
                if record.isRevoked, Int(record.spentHeight) < height { info.revoked += 1 }
            case .expired:
                info.expired += 1
                if record.isRevoked, Int(record.spentHeight) < height { info.revoked += 1 }
            case nil: break
            }
        }
        info.allMempoolTix = UInt32(chain.mempool.count)
        info.ownMempoolTix = UInt32(chain.mempool.filter { wallets[wallet].importedScripts[$0.owner] != nil }.count)
        if wallets[wallet].faults.disagrees { info.live += 1 }
        info.totalSubsidy = Self.dcr(subsidy)
        info.proportionLive = info.poolSize == 0 ? 0 : Double(info.live) / Double(info.poolSize)
        info.proportionMissed = info.missed == 0 ? 0 : Double(info.missed) / Double(info.voted + info.missed)
        return info
    }

    func stakePoolUserInfo(_ wallet: Int, multisigAddress: String) throws -> StakePoolUserInfo {
        try userTickets(wallet, multisigAddress: multisigAddress).info
    }

    /// `stakepooluserinfo`'s tickets as hashes and heights. The address's own ticket list is walked (tickets are
    /// indexed per owner), and what is the same for all of them (the imported script, the added tickets) is looked
    /// up once, not per ticket.
    func userTickets(_ wallet: Int, multisigAddress: String) throws -> SimnetUserTickets {
        try checkUp(wallet)
        guard let address = addresses.decode(multisigAddress) else {
            throw SimnetError.walletFailure("invalid address \(multisigAddress)")
        }
        guard let owner = chain.existingOwnerID(for: address) else { return SimnetUserTickets() }
        let height = walletHeight(wallet)
        let parameters = chain.parameters
        let ids = chain.owners[Int(owner)].tickets
        // In the wallet's history: found through the imported script (`walletHasInHistory`).
        let historyFrom = wallets[wallet].importedScripts[owner].map { $0.fromHeight } ?? Int.max
        let added = wallets[wallet].addedTickets
        var result = SimnetUserTickets()
        result.tickets.reserveCapacity(ids.count)
        for id in ids {
            let record = chain.tickets[Int(id)]
            let purchase = Int(record.purchaseHeight)
            guard purchase <= height else { continue }
            let inHistory = purchase >= historyFrom
            let isAdded = !added.isEmpty && added.contains(id)
            guard inHistory || isAdded else { continue }
            // `walletCanVote`: an added ticket always (it is mined by now), else a valid pool fee.
            guard isAdded || record.isFeeValid else {
                result.invalid.append(record.hash)
                continue
            }
            guard let status = record.status(asOf: height, maturity: parameters.ticketMaturity) else { continue }
            var entry = SimnetUserTickets.Ticket(status: .live, ticket: record.hash, ticketHeight: UInt32(record.purchaseHeight),
                                                 spentBy: .zero, spentByHeight: 0)
            switch status {
            case .immature, .live: break
            case .voted:
                entry.status = .voted
                entry.spentBy = chain.votes[id]?.hash ?? .zero
                entry.spentByHeight = UInt32(record.spentHeight)
            case .missed, .expired:
                // dcrwallet records both as missed and calls them expired by age (wallet-rpc.md §2.8).
                entry.status = record.spentHeight - record.purchaseHeight >= Int32(parameters.ticketExpiry) ? .expired : .missed
                entry.spentByHeight = UInt32(record.spentHeight)
            }
            result.tickets.append(entry)
        }
        return result
    }

    mutating func accountSyncAddressIndex(_ wallet: Int, account: String, branch: UInt32, index: UInt32) throws {
        try checkUp(wallet)
        guard account == "default" else { throw SimnetError.walletFailure("account \(account) not found") }
        guard index < 1 << 31 else { throw SimnetError.invalidParameter("child index \(index) out of range") }
        guard branch <= 1 else { throw SimnetError.invalidParameter("branch \(branch) out of range") }
        if branch == 0 { wallets[wallet].syncedAddressIndex = max(wallets[wallet].syncedAddressIndex, Int(index)) }
    }

    func listScripts(_ wallet: Int) throws -> [ImportedScript] {
        var scripts: [ImportedScript] = []
        try forEachScript(wallet) { hash160, address, script in
            scripts.append(ImportedScript(hash160: HexCoding.encode(hash160), address: address,
                                          redeemScript: HexCoding.encode(script)))
        }
        return scripts
    }

    /// Visits the wallet's imported scripts in import order (`listscripts`' order), as the bytes it holds.
    func forEachScript(_ wallet: Int, _ body: (_ hash160: [UInt8], _ address: String, _ script: [UInt8]) -> Void) throws {
        try checkUp(wallet)
        for owner in wallets[wallet].importOrder {
            guard let imported = wallets[wallet].importedScripts[owner] else { continue }
            let record = chain.owners[Int(owner)]
            body(record.address.payload, record.encoded, imported.script)
        }
    }

    /// How many scripts the wallet holds (to size a `listscripts` reply).
    func scriptCount(_ wallet: Int) -> Int { wallets[wallet].importedScripts.count }

    func walletTickets(_ wallet: Int, includeImmature: Bool) throws -> [String] {
        try checkUp(wallet)
        try checkDaemon(wallet)
        let height = walletHeight(wallet)
        let maturity = chain.parameters.ticketMaturity
        var hashes = [String]()
        for id in knownTickets(wallet) where walletCanVote(wallet, ticket: id) {
            let record = chain.tickets[Int(id)]
            switch record.status(asOf: height, maturity: maturity) {
            case .live:
                // Without immature tickets the wallet asks dcrd which are live now.
                if includeImmature || record.status == .live { hashes.append(record.hash.hex) }
            case .immature: if includeImmature { hashes.append(record.hash.hex) }
            default: break
            }
        }
        if wallets[wallet].faults.disagrees, !hashes.isEmpty { hashes.removeLast() }
        return hashes
    }

    func walletRawTransaction(_ wallet: Int, txid: String) throws -> String {
        try checkUp(wallet)
        try checkDaemon(wallet)
        return try nodeRawTransaction(txid: txid)
    }

    mutating func addTicket(_ wallet: Int, ticketHex: String) throws {
        try checkUp(wallet)
        let transaction = try SimnetTransaction.deserialize(hex: ticketHex)
        guard let first = transaction.outputs.first, first.script.first == SimnetScript.opSStx else {
            throw SimnetError.walletFailure("transaction is not a ticket purchase")
        }
        let hash = transaction.txid
        guard let id = chain.ticketIndex[hash] else {
            throw SimnetError.walletFailure("ticket \(hash) is not mined")
        }
        wallets[wallet].addedTickets.insert(id)
    }

    func walletTransaction(_ wallet: Int, txid: String) throws -> WalletTransaction {
        try checkUp(wallet)
        guard let hash = SimHash(displayHex: txid) else {
            throw SimnetError(.simnetDeserialization, rpcCode: -22, "invalid transaction hash \(txid)")
        }
        guard let id = chain.ticketIndex[hash], walletHasInHistory(wallet, ticket: id) else { throw SimnetError.noInformation() }
        let record = chain.tickets[Int(id)]
        let height = Int(record.purchaseHeight)
        let blockTime = Int64(chain.headers[height].timestamp)
        let owner = chain.owners[Int(record.owner)]
        let detail = WalletTransactionDetail(account: "imported", address: owner.encoded, amount: Self.dcr(record.price),
                                             category: "receive", vout: 0)
        return WalletTransaction(amount: Self.dcr(record.price), confirmations: Int64(walletHeight(wallet) - height + 1),
                                 blockHash: chain.hashes[height].hex, blockIndex: 0, blockTime: blockTime,
                                 txid: record.hash.hex, time: blockTime, timeReceived: blockTime, details: [detail],
                                 hex: HexCoding.encode(chain.ticketTransaction(id: id).serialized()))
    }

    func generateVote(_ wallet: Int, blockHash: String, height: Int64, ticket: String, voteBits: UInt16,
                      voteBitsExtended: String) throws -> String {
        try checkUp(wallet)
        if wallets[wallet].faults.locked { throw SimnetError.walletFailure("wallet is locked") }
        guard let block = SimHash(displayHex: blockHash) else { throw SimnetError.walletFailure("invalid block hash \(blockHash)") }
        guard let extended = HexCoding.decode(voteBitsExtended), extended.count <= 73 else {
            throw SimnetError.walletFailure("invalid extended vote bits \(voteBitsExtended)")
        }
        guard let ticketHash = SimHash(displayHex: ticket), let id = chain.ticketIndex[ticketHash],
              walletHasInHistory(wallet, ticket: id) || wallets[wallet].addedTickets.contains(id) else {
            throw SimnetError.walletFailure("ticket purchase transaction not found")
        }
        let vote = SimnetVote.build(ticket: chain.ticketTransaction(id: id), ticketHash: ticketHash, blockHash: block,
                                    blockHeight: Int(height), voteBits: voteBits, extendedBits: extended,
                                    subsidy: chain.parameters.voteSubsidy(height: height + 1))
        return HexCoding.encode(vote.serialized())
    }

    func walletVersion(_ wallet: Int) throws -> [String: APIVersion] {
        try checkUp(wallet)
        var versions = [APIVersion.walletAPIName: Self.walletAPI]
        if !wallets[wallet].faults.daemonDisconnected { versions[APIVersion.nodeAPIName] = Self.nodeAPI }
        return versions
    }

    /// `ticketsforaddress [address]` (unused by the pool; kept for completeness).
    func ticketsForAddress(_ wallet: Int, address: String) throws -> [String] {
        try checkUp(wallet)
        guard let decoded = addresses.decode(address) else { throw SimnetError.walletFailure("invalid address \(address)") }
        guard let owner = chain.existingOwnerID(for: decoded) else { return [] }
        return chain.owners[Int(owner)].tickets.filter { walletCanVote(wallet, ticket: $0) }.map { chain.tickets[Int($0)].hash.hex }
    }

    /// The 33-byte keys of a bare multisig script (empty if it is not one).
    static func multisigKeys(_ script: [UInt8]) -> [[UInt8]] {
        guard script.count >= 3, script.last == SimnetScript.opCheckMultisig else { return [] }
        var keys = [[UInt8]]()
        var index = 1
        while index < script.count - 2 {
            let length = Int(script[index])
            guard length == 33, index + 1 + length <= script.count - 2 else { return [] }
            keys.append(Array(script[index + 1..<index + 1 + length]))
            index += 1 + length
        }
        return keys
    }
}
