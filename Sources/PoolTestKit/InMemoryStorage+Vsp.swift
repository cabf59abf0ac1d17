import Foundation
import PoolKernel

/// The vspd per-ticket tables of the in-memory store, with the contract of `StorageWriter`.
extension MemoryTransaction {
    // MARK: Reads

    func vspTicket(hash: String) throws -> VspTicket? { tables.vspTickets[hash] }

    func vspTickets(feeTxStatus status: VspFeeTxStatus) throws -> [VspTicket] {
        tables.vspTickets.values.filter { $0.feeTxStatus == status }
            .sorted { Array($0.hash.utf8).lexicographicallyPrecedes($1.hash.utf8) }
    }

    func vspTickets(outcome: VspTicketOutcome, limit: Int) throws -> [VspTicket] {
        Array(tables.vspTickets.values.filter { $0.outcome == outcome }.sorted { a, b in
            a.purchaseHeight != b.purchaseHeight ? a.purchaseHeight > b.purchaseHeight
                : Array(a.hash.utf8).lexicographicallyPrecedes(b.hash.utf8)
        }.prefix(max(0, limit)))
    }

    func vspTicketCounts() throws -> [VspTicketState: Int] {
        tables.vspTickets.values.reduce(into: [:]) { $0[VspTicketState($1.feeTxStatus, $1.outcome), default: 0] += 1 }
    }

    func vspVoteChanges(ticketHash: String) throws -> [VspVoteChange] { tables.vspVoteChanges[ticketHash] ?? [] }

    func vspAltSignAddress(ticketHash: String) throws -> VspAltSignAddress? { tables.vspAltSignAddresses[ticketHash] }

    func vspFeeXPubs() throws -> [VspFeeXPub] { tables.vspFeeXPubs.values.sorted { $0.id < $1.id } }

    // MARK: Writes

    private func putTicket(_ ticket: VspTicket?, hash: String) {
        change({ $0.vspTickets[hash] }, { $0.vspTickets[hash] = $1 }, ticket)
    }

    private func existingTicket(_ hash: String) throws -> VspTicket {
        guard let ticket = tables.vspTickets[hash] else { throw StorageError(.notFound, "no vspd ticket \(hash)") }
        return ticket
    }

    func insertVspTicket(_ ticket: VspTicket) throws {
        try StorageLimits.check(ticket)
        guard tables.vspTickets[ticket.hash] == nil else {
            throw StorageError(.duplicate, "the vspd ticket is already registered")
        }
        putTicket(ticket, hash: ticket.hash)
    }

    func updateVspFee(ticketHash: String, _ fee: VspFeeState, ifStatusIn allowed: Set<VspFeeTxStatus>) throws -> Bool {
        try StorageLimits.check(fee)
        var ticket = try existingTicket(ticketHash)
        guard allowed.contains(ticket.feeTxStatus) else { return false }
        ticket.fee = fee
        putTicket(ticket, hash: ticketHash)
        return true
    }

    func setVspVotePreferences(ticketHash: String, _ preferences: VspVotePreferences) throws {
        try StorageLimits.check(preferences)
        var ticket = try existingTicket(ticketHash)
        ticket.preferences = preferences
        putTicket(ticket, hash: ticketHash)
    }

    func appendVspVoteChange(_ change: VspVoteChange, requireNewerTimestamp: Bool) throws -> VspVoteChange? {
        try StorageLimits.check(change)
        _ = try existingTicket(change.ticketHash)
        var history = tables.vspVoteChanges[change.ticketHash] ?? []
        if requireNewerTimestamp, history.contains(where: { $0.timestamp >= change.timestamp }) { return nil }
        var stored = change
        stored.sequence = history.last.map { $0.sequence &+ 1 } ?? 0
        if history.count >= VspVoteChange.retained { history.removeFirst(history.count - VspVoteChange.retained + 1) }
        history.append(stored)
        let hash = change.ticketHash
        self.change({ $0.vspVoteChanges[hash] }, { $0.vspVoteChanges[hash] = $1 }, history)
        return stored
    }

    func insertVspAltSignAddress(_ record: VspAltSignAddress) throws {
        try StorageLimits.check(record)
        let hash = record.ticketHash
        guard tables.vspAltSignAddresses[hash] == nil else {
            throw StorageError(.duplicate, "the ticket already has an alternate signing address")
        }
        change({ $0.vspAltSignAddresses[hash] }, { $0.vspAltSignAddresses[hash] = $1 }, record)
    }

    func addVspFeeXPub(key: String, now: Int64) throws -> VspFeeXPub {
        try StorageLimits.checkVspFeeXPub(key: key)
        if tables.vspFeeXPubs.values.contains(where: { $0.key == key }) {
            throw StorageError(.duplicate, "this fee xpub was used before")
        }
        let current = try vspFeeXPubs().last
        if var retiring = current, retiring.retired == 0 {
            retiring.retired = now
            change({ $0.vspFeeXPubs[retiring.id] }, { $0.vspFeeXPubs[retiring.id] = $1 }, retiring)
        }
        let added = VspFeeXPub(id: (current?.id ?? 0) + 1, key: key)
        change({ $0.vspFeeXPubs[added.id] }, { $0.vspFeeXPubs[added.id] = $1 }, added)
        return added
    }

    func takeNextVspFeeAddressIndex() throws -> VspFeeXPub {
        guard var active = try vspFeeXPubs().last else { throw StorageError(.notFound, "no fee xpub is stored") }
        guard active.lastUsedIndex < ExtendedPublicKey.hardenedOffset - 1 else {
            throw StorageError(.invalidInput, "every non-hardened index of fee xpub \(active.id) is used")
        }
        active.lastUsedIndex += 1
        let taken = active
        change({ $0.vspFeeXPubs[taken.id] }, { $0.vspFeeXPubs[taken.id] = $1 }, taken)
        return taken
    }

    // MARK: vspblocks: the block handler's reads and writes

    func vspTickets(confirmed: Bool) throws -> [VspTicket] {
        tables.vspTickets.values.filter { $0.confirmed == confirmed }
            .sorted { Array($0.hash.utf8).lexicographicallyPrecedes($1.hash.utf8) }
    }

    func vspTicketsAwaitingOutcome() throws -> [VspTicket] {
        try vspTickets(feeTxStatus: .confirmed).filter { $0.outcome == .none }
    }

    func vspOutcomeScanHeight() throws -> Int64 { tables.vspOutcomeScanHeight }

    func confirmVspTicket(hash: String, purchaseHeight: Int64) throws -> Bool {
        guard purchaseHeight > 0 else { throw StorageError(.invalidInput, "a purchase height must be positive") }
        var ticket = try existingTicket(hash)
        guard !ticket.confirmed else { return false }
        ticket.confirmed = true
        ticket.purchaseHeight = purchaseHeight
        putTicket(ticket, hash: hash)
        return true
    }

    func moveVspFeeTxStatus(ticketHash: String, from expected: VspFeeTxStatus, to status: VspFeeTxStatus) throws -> Bool {
        var ticket = try existingTicket(ticketHash)
        guard ticket.feeTxStatus == expected else { return false }
        ticket.feeTxStatus = status
        if status == .confirmed { ticket.feeTxHex = "" }
        putTicket(ticket, hash: ticketHash)
        return true
    }

    func setVspTicketOutcome(hash: String, _ outcome: VspTicketOutcome) throws {
        var ticket = try existingTicket(hash)
        ticket.outcome = outcome
        putTicket(ticket, hash: hash)
    }

    func deleteUnconfirmedVspTicket(hash: String) throws -> Bool {
        guard let ticket = tables.vspTickets[hash], !ticket.confirmed else { return false }
        putTicket(nil, hash: hash)
        change({ $0.vspVoteChanges[hash] }, { $0.vspVoteChanges[hash] = $1 }, nil)
        change({ $0.vspAltSignAddresses[hash] }, { $0.vspAltSignAddresses[hash] = $1 }, nil)
        return true
    }

    func setVspOutcomeScanHeight(_ height: Int64, ifCurrentIs expected: Int64) throws -> Bool {
        guard height >= 0 else { throw StorageError(.invalidInput, "a scan height must not be negative") }
        guard tables.vspOutcomeScanHeight == expected else { return false }
        change({ $0.vspOutcomeScanHeight }, { $0.vspOutcomeScanHeight = $1 ?? 0 }, height)
        return true
    }

    // MARK: Backups

    func snapshotVspTables(into snapshot: inout StorageSnapshot) {
        snapshot.vspTickets = Array(tables.vspTickets.values)
        snapshot.vspVoteChanges = tables.vspVoteChanges.values.flatMap { $0 }
        snapshot.vspAltSignAddresses = Array(tables.vspAltSignAddresses.values)
        snapshot.vspFeeXPubs = Array(tables.vspFeeXPubs.values)
    }

    /// Called by `restore` after its checks; its undo covers these tables too.
    func restoreVspTables(_ snapshot: StorageSnapshot) {
        for ticket in snapshot.vspTickets { tables.vspTickets[ticket.hash] = ticket }
        for record in snapshot.vspVoteChanges.sorted(by: { $0.sequence < $1.sequence }) {
            tables.vspVoteChanges[record.ticketHash, default: []].append(record)
        }
        for record in snapshot.vspAltSignAddresses { tables.vspAltSignAddresses[record.ticketHash] = record }
        for xpub in snapshot.vspFeeXPubs { tables.vspFeeXPubs[xpub.id] = xpub }
    }
}
