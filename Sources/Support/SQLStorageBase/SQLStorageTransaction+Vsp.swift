import Foundation
import PoolKernel

/// The vspd per-ticket tables over SQL: `VspTickets`, `VspVoteChanges`, `VspAltSignAddresses`,
/// `VspFeeXPubs`. Maps are JSON text with sorted keys; request and response bodies are bytes.
extension SQLStorageTransaction {
    static let vspTicketColumns = """
        TicketHash, PurchaseHeight, CommitmentAddress, FeeAddressXPubId, FeeAddressIndex, FeeAddress, FeeAmount, \
        FeeExpiration, Confirmed, VotingWIF, VoteChoices, TSpendPolicy, TreasuryPolicy, FeeTxHex, FeeTxHash, \
        FeeTxStatus, Outcome
        """
    static let vspVoteChangeColumns =
        "TicketHash, Seq, Timestamp, Request, RequestSignature, Response, ResponseSignature"
    static let vspAltSignColumns = "TicketHash, Address, Request, RequestSignature, Response, ResponseSignature"
    static let vspFeeXPubColumns = "XPubId, XPubKey, LastUsedIndex, Retired"

    static func vspTicket(from row: [SQLValue]) throws -> VspTicket {
        func map(_ column: Int, _ name: String) throws -> [String: String] {
            guard let map = VspVotePreferences.decode(row[column].string) else {
                throw StorageError(.corrupt, "VspTickets.\(name) is not a JSON object of strings")
            }
            return map
        }
        guard let status = VspFeeTxStatus(rawValue: row[15].string),
              let outcome = VspTicketOutcome(rawValue: row[16].string) else {
            throw StorageError(.corrupt, "VspTickets.FeeTxStatus or Outcome holds an unknown value")
        }
        return VspTicket(hash: row[0].string, purchaseHeight: row[1].int64, commitmentAddress: row[2].string,
                         feeAddressXPubID: row[3].int64, feeAddressIndex: UInt32(truncatingIfNeeded: row[4].int64),
                         feeAddress: row[5].string, feeAmount: row[6].int64, feeExpiration: row[7].int64,
                         confirmed: row[8].int64 != 0, votingWIF: row[9].string, voteChoices: try map(10, "VoteChoices"),
                         tSpendPolicy: try map(11, "TSpendPolicy"), treasuryPolicy: try map(12, "TreasuryPolicy"),
                         feeTxHex: row[13].string, feeTxHash: row[14].string, feeTxStatus: status, outcome: outcome)
    }

    static func vspTicketValues(_ ticket: VspTicket) -> [SQLValue] {
        [.text(ticket.hash), .integer(ticket.purchaseHeight), .text(ticket.commitmentAddress),
         .integer(ticket.feeAddressXPubID), .integer(Int64(ticket.feeAddressIndex)), .text(ticket.feeAddress),
         .integer(ticket.feeAmount), .integer(ticket.feeExpiration), .integer(ticket.confirmed ? 1 : 0),
         .text(ticket.votingWIF), .text(VspVotePreferences.encode(ticket.voteChoices)),
         .text(VspVotePreferences.encode(ticket.tSpendPolicy)), .text(VspVotePreferences.encode(ticket.treasuryPolicy)),
         .text(ticket.feeTxHex), .text(ticket.feeTxHash), .text(ticket.feeTxStatus.rawValue), .text(ticket.outcome.rawValue)]
    }

    static func vspVoteChange(from row: [SQLValue]) -> VspVoteChange {
        VspVoteChange(ticketHash: row[0].string, sequence: UInt32(truncatingIfNeeded: row[1].int64),
                      timestamp: row[2].int64, request: row[3].data, requestSignature: row[4].string,
                      response: row[5].data, responseSignature: row[6].string)
    }

    static func vspVoteChangeValues(_ change: VspVoteChange) -> [SQLValue] {
        [.text(change.ticketHash), .integer(Int64(change.sequence)), .integer(change.timestamp), .blob(change.request),
         .text(change.requestSignature), .blob(change.response), .text(change.responseSignature)]
    }

    static func vspAltSign(from row: [SQLValue]) -> VspAltSignAddress {
        VspAltSignAddress(ticketHash: row[0].string, address: row[1].string, request: row[2].data,
                          requestSignature: row[3].string, response: row[4].data, responseSignature: row[5].string)
    }

    static func vspAltSignValues(_ record: VspAltSignAddress) -> [SQLValue] {
        [.text(record.ticketHash), .text(record.address), .blob(record.request), .text(record.requestSignature),
         .blob(record.response), .text(record.responseSignature)]
    }

    static func vspFeeXPub(from row: [SQLValue]) -> VspFeeXPub {
        VspFeeXPub(id: row[0].int64, key: row[1].string, lastUsedIndex: UInt32(truncatingIfNeeded: row[2].int64),
                   retired: row[3].int64)
    }

    static func placeholders(_ count: Int) -> String { Array(repeating: "?", count: count).joined(separator: ", ") }

    // MARK: Reads

    public func vspTicket(hash: String) throws -> VspTicket? {
        try vspTicket(hash: hash, lock: "")
    }

    /// The ticket, its row locked for the rest of the transaction when `lock` is the dialect's `FOR UPDATE`.
    private func vspTicket(hash: String, lock: String) throws -> VspTicket? {
        try sql.query("SELECT \(Self.vspTicketColumns) FROM VspTickets WHERE TicketHash = ?\(lock)", [.text(hash)])
            .map(Self.vspTicket(from:)).first { $0.hash == hash }
    }

    public func vspTickets(feeTxStatus status: VspFeeTxStatus) throws -> [VspTicket] {
        try sql.query("SELECT \(Self.vspTicketColumns) FROM VspTickets WHERE FeeTxStatus = ? ORDER BY TicketHash",
                      [.text(status.rawValue)]).map(Self.vspTicket(from:))
            .sorted { Array($0.hash.utf8).lexicographicallyPrecedes($1.hash.utf8) }
    }

    public func vspTickets(outcome: VspTicketOutcome, limit: Int) throws -> [VspTicket] {
        try sql.query("SELECT \(Self.vspTicketColumns) FROM VspTickets WHERE Outcome = ? ORDER BY PurchaseHeight DESC, TicketHash LIMIT ?",
                      [.text(outcome.rawValue), .integer(Int64(max(0, limit)))]).map(Self.vspTicket(from:))
    }

    public func vspTicketCounts() throws -> [VspTicketState: Int] {
        var counts: [VspTicketState: Int] = [:]
        for row in try sql.query("SELECT FeeTxStatus, Outcome, COUNT(*) FROM VspTickets GROUP BY FeeTxStatus, Outcome", []) {
            guard let status = VspFeeTxStatus(rawValue: row[0].string), let outcome = VspTicketOutcome(rawValue: row[1].string) else {
                throw StorageError(.corrupt, "VspTickets holds an unknown fee status or outcome")
            }
            counts[VspTicketState(status, outcome), default: 0] += Int(row[2].int64)
        }
        return counts
    }

    public func vspVoteChanges(ticketHash: String) throws -> [VspVoteChange] {
        try sql.query("SELECT \(Self.vspVoteChangeColumns) FROM VspVoteChanges WHERE TicketHash = ? ORDER BY Seq",
                      [.text(ticketHash)]).map(Self.vspVoteChange(from:)).filter { $0.ticketHash == ticketHash }
    }

    public func vspAltSignAddress(ticketHash: String) throws -> VspAltSignAddress? {
        try sql.query("SELECT \(Self.vspAltSignColumns) FROM VspAltSignAddresses WHERE TicketHash = ?",
                      [.text(ticketHash)]).map(Self.vspAltSign(from:)).first { $0.ticketHash == ticketHash }
    }

    public func vspFeeXPubs() throws -> [VspFeeXPub] {
        try sql.query("SELECT \(Self.vspFeeXPubColumns) FROM VspFeeXPubs ORDER BY XPubId", []).map(Self.vspFeeXPub(from:))
    }

    // MARK: Writes

    public func insertVspTicket(_ ticket: VspTicket) throws {
        try StorageLimits.check(ticket)
        do {
            try sql.execute("INSERT INTO VspTickets (\(Self.vspTicketColumns)) VALUES (\(Self.placeholders(17)))",
                            Self.vspTicketValues(ticket))
        } catch let error as StorageError where error.code == .duplicate {
            throw StorageError(.duplicate, "the vspd ticket is already registered")
        }
    }

    private func lockedVspTicket(_ hash: String) throws -> VspTicket {
        guard let ticket = try vspTicket(hash: hash, lock: dialect.lockForUpdate) else {
            throw StorageError(.notFound, "no vspd ticket \(hash)")
        }
        return ticket
    }

    public func updateVspFee(ticketHash: String, _ fee: VspFeeState, ifStatusIn allowed: Set<VspFeeTxStatus>) throws -> Bool {
        try StorageLimits.check(fee)
        guard allowed.contains(try lockedVspTicket(ticketHash).feeTxStatus) else { return false }
        try sql.execute("""
            UPDATE VspTickets SET FeeAmount = ?, FeeExpiration = ?, VotingWIF = ?, FeeTxHex = ?, FeeTxHash = ?,
              FeeTxStatus = ? WHERE TicketHash = ?
            """, [.integer(fee.feeAmount), .integer(fee.feeExpiration), .text(fee.votingWIF), .text(fee.feeTxHex),
                  .text(fee.feeTxHash), .text(fee.feeTxStatus.rawValue), .text(ticketHash)])
        return true
    }

    public func setVspVotePreferences(ticketHash: String, _ preferences: VspVotePreferences) throws {
        try StorageLimits.check(preferences)
        _ = try lockedVspTicket(ticketHash)
        try sql.execute("UPDATE VspTickets SET VoteChoices = ?, TSpendPolicy = ?, TreasuryPolicy = ? WHERE TicketHash = ?",
                        [.text(VspVotePreferences.encode(preferences.voteChoices)),
                         .text(VspVotePreferences.encode(preferences.tSpendPolicy)),
                         .text(VspVotePreferences.encode(preferences.treasuryPolicy)), .text(ticketHash)])
    }

    public func appendVspVoteChange(_ change: VspVoteChange, requireNewerTimestamp: Bool) throws -> VspVoteChange? {
        try StorageLimits.check(change)
        // The ticket's row lock serializes appends (and the replay check) per ticket on MySQL; SQLite has one writer.
        _ = try lockedVspTicket(change.ticketHash)
        let history = try sql.query("SELECT Seq, Timestamp FROM VspVoteChanges WHERE TicketHash = ? ORDER BY Seq",
                                    [.text(change.ticketHash)]).map { (seq: $0[0].int64, timestamp: $0[1].int64) }
        if requireNewerTimestamp, history.contains(where: { $0.timestamp >= change.timestamp }) { return nil }
        var stored = change
        stored.sequence = history.last.map { UInt32(truncatingIfNeeded: $0.seq + 1) } ?? 0
        let excess = history.count - VspVoteChange.retained + 1
        if excess > 0 {
            try sql.execute("DELETE FROM VspVoteChanges WHERE TicketHash = ? AND Seq <= ?",
                            [.text(change.ticketHash), .integer(history[excess - 1].seq)])
        }
        try sql.execute("INSERT INTO VspVoteChanges (\(Self.vspVoteChangeColumns)) VALUES (\(Self.placeholders(7)))",
                        Self.vspVoteChangeValues(stored))
        return stored
    }

    public func insertVspAltSignAddress(_ record: VspAltSignAddress) throws {
        try StorageLimits.check(record)
        do {
            try sql.execute("INSERT INTO VspAltSignAddresses (\(Self.vspAltSignColumns)) VALUES (\(Self.placeholders(6)))",
                            Self.vspAltSignValues(record))
        } catch let error as StorageError where error.code == .duplicate {
            throw StorageError(.duplicate, "the ticket already has an alternate signing address")
        }
    }

    /// The active (highest id) fee xpub, its row locked when `lock` is `FOR UPDATE`.
    private func activeVspFeeXPub(lock: String) throws -> VspFeeXPub? {
        try sql.query("SELECT \(Self.vspFeeXPubColumns) FROM VspFeeXPubs ORDER BY XPubId DESC LIMIT 1\(lock)", [])
            .first.map(Self.vspFeeXPub(from:))
    }

    public func addVspFeeXPub(key: String, now: Int64) throws -> VspFeeXPub {
        try StorageLimits.checkVspFeeXPub(key: key)
        let current = try activeVspFeeXPub(lock: dialect.lockForUpdate)
        if !(try sql.query("SELECT XPubId FROM VspFeeXPubs WHERE XPubKey = ?", [.text(key)]).isEmpty) {
            throw StorageError(.duplicate, "this fee xpub was used before")
        }
        if let current, current.retired == 0 {
            try sql.execute("UPDATE VspFeeXPubs SET Retired = ? WHERE XPubId = ?", [.integer(now), .integer(current.id)])
        }
        let added = VspFeeXPub(id: (current?.id ?? 0) + 1, key: key)
        do {
            try sql.execute("INSERT INTO VspFeeXPubs (\(Self.vspFeeXPubColumns)) VALUES (?, ?, 0, 0)",
                            [.integer(added.id), .text(key)])
        } catch let error as StorageError where error.code == .duplicate {
            throw StorageError(.duplicate, "this fee xpub was used before")
        }
        return added
    }

    public func takeNextVspFeeAddressIndex() throws -> VspFeeXPub {
        guard var active = try activeVspFeeXPub(lock: dialect.lockForUpdate) else {
            throw StorageError(.notFound, "no fee xpub is stored")
        }
        guard active.lastUsedIndex < ExtendedPublicKey.hardenedOffset - 1 else {
            throw StorageError(.invalidInput, "every non-hardened index of fee xpub \(active.id) is used")
        }
        active.lastUsedIndex += 1
        try sql.execute("UPDATE VspFeeXPubs SET LastUsedIndex = ? WHERE XPubId = ?",
                        [.integer(Int64(active.lastUsedIndex)), .integer(active.id)])
        return active
    }

    // MARK: vspblocks: the block handler's reads and writes

    /// The one row of `VspScanState` the outcome scan keeps (made by the migration).
    static let vspOutcomeScanRow = "outcomes"

    public func vspTickets(confirmed: Bool) throws -> [VspTicket] {
        try sql.query("SELECT \(Self.vspTicketColumns) FROM VspTickets WHERE Confirmed = ? ORDER BY TicketHash",
                      [.integer(confirmed ? 1 : 0)]).map(Self.vspTicket(from:))
    }

    public func vspTicketsAwaitingOutcome() throws -> [VspTicket] {
        try sql.query("""
            SELECT \(Self.vspTicketColumns) FROM VspTickets WHERE FeeTxStatus = ? AND Outcome = ? ORDER BY TicketHash
            """, [.text(VspFeeTxStatus.confirmed.rawValue), .text(VspTicketOutcome.none.rawValue)]).map(Self.vspTicket(from:))
    }

    public func vspOutcomeScanHeight() throws -> Int64 {
        try sql.query("SELECT Height FROM VspScanState WHERE Name = ?", [.text(Self.vspOutcomeScanRow)]).first?[0].int64 ?? 0
    }

    public func confirmVspTicket(hash: String, purchaseHeight: Int64) throws -> Bool {
        guard purchaseHeight > 0 else { throw StorageError(.invalidInput, "a purchase height must be positive") }
        guard !(try lockedVspTicket(hash).confirmed) else { return false }
        try sql.execute("UPDATE VspTickets SET Confirmed = 1, PurchaseHeight = ? WHERE TicketHash = ?",
                        [.integer(purchaseHeight), .text(hash)])
        return true
    }

    public func moveVspFeeTxStatus(ticketHash: String, from expected: VspFeeTxStatus, to status: VspFeeTxStatus) throws -> Bool {
        guard try lockedVspTicket(ticketHash).feeTxStatus == expected else { return false }
        let clearHex = status == .confirmed ? ", FeeTxHex = ''" : ""
        try sql.execute("UPDATE VspTickets SET FeeTxStatus = ?\(clearHex) WHERE TicketHash = ?",
                        [.text(status.rawValue), .text(ticketHash)])
        return true
    }

    public func setVspTicketOutcome(hash: String, _ outcome: VspTicketOutcome) throws {
        _ = try lockedVspTicket(hash)
        try sql.execute("UPDATE VspTickets SET Outcome = ? WHERE TicketHash = ?", [.text(outcome.rawValue), .text(hash)])
    }

    public func deleteUnconfirmedVspTicket(hash: String) throws -> Bool {
        guard let ticket = try vspTicket(hash: hash, lock: dialect.lockForUpdate), !ticket.confirmed else { return false }
        try sql.execute("DELETE FROM VspVoteChanges WHERE TicketHash = ?", [.text(hash)])
        try sql.execute("DELETE FROM VspAltSignAddresses WHERE TicketHash = ?", [.text(hash)])
        try sql.execute("DELETE FROM VspTickets WHERE TicketHash = ?", [.text(hash)])
        return true
    }

    public func setVspOutcomeScanHeight(_ height: Int64, ifCurrentIs expected: Int64) throws -> Bool {
        guard height >= 0 else { throw StorageError(.invalidInput, "a scan height must not be negative") }
        let current = try sql.query("SELECT Height FROM VspScanState WHERE Name = ?\(dialect.lockForUpdate)",
                                    [.text(Self.vspOutcomeScanRow)]).first?[0].int64
        guard let current else { throw StorageError(.corrupt, "VspScanState has no outcome scan row") }
        guard current == expected else { return false }
        try sql.execute("UPDATE VspScanState SET Height = ? WHERE Name = ?", [.integer(height), .text(Self.vspOutcomeScanRow)])
        return true
    }

    // MARK: Backups

    static let vspTables = ["VspTickets", "VspVoteChanges", "VspAltSignAddresses", "VspFeeXPubs"]

    func snapshotVspTables(into snapshot: inout StorageSnapshot) throws {
        snapshot.vspTickets = try sql.query("SELECT \(Self.vspTicketColumns) FROM VspTickets", []).map(Self.vspTicket(from:))
        snapshot.vspVoteChanges = try sql.query("SELECT \(Self.vspVoteChangeColumns) FROM VspVoteChanges", [])
            .map(Self.vspVoteChange(from:))
        snapshot.vspAltSignAddresses = try sql.query("SELECT \(Self.vspAltSignColumns) FROM VspAltSignAddresses", [])
            .map(Self.vspAltSign(from:))
        snapshot.vspFeeXPubs = try sql.query("SELECT \(Self.vspFeeXPubColumns) FROM VspFeeXPubs", [])
            .map(Self.vspFeeXPub(from:))
    }

    func restoreVspTables(_ snapshot: StorageSnapshot) throws {
        for ticket in snapshot.vspTickets {
            try sql.execute("INSERT INTO VspTickets (\(Self.vspTicketColumns)) VALUES (\(Self.placeholders(17)))",
                            Self.vspTicketValues(ticket))
        }
        for change in snapshot.vspVoteChanges {
            try sql.execute("INSERT INTO VspVoteChanges (\(Self.vspVoteChangeColumns)) VALUES (\(Self.placeholders(7)))",
                            Self.vspVoteChangeValues(change))
        }
        for record in snapshot.vspAltSignAddresses {
            try sql.execute("INSERT INTO VspAltSignAddresses (\(Self.vspAltSignColumns)) VALUES (\(Self.placeholders(6)))",
                            Self.vspAltSignValues(record))
        }
        for xpub in snapshot.vspFeeXPubs {
            try sql.execute("INSERT INTO VspFeeXPubs (\(Self.vspFeeXPubColumns)) VALUES (?, ?, ?, ?)",
                            [.integer(xpub.id), .text(xpub.key), .integer(Int64(xpub.lastUsedIndex)),
                             .integer(xpub.retired)])
        }
    }
}
