import Foundation
import PoolKernel
import XCTest

/// The vspd per-ticket tables: every engine stores tickets, fee state, preferences with their
/// change history, alternate signing addresses and fee xpubs alike, and keeps the one-winner rules under
/// parallel requests.
extension StorageConformanceTests {
    /// The checks of this file, appended to `storageChecks`.
    var vspStorageChecks: [ConformanceCheck] {
        [
            ("vspTicketRoundTripsEveryField", checkStorage_vspTicketRoundTripsEveryField),
            ("parallelFirstRequestsRegisterOneVspTicket", checkStorage_parallelFirstRequestsRegisterOneVspTicket),
            ("vspFeeChangesOnlyFromAllowedStatus", checkStorage_vspFeeChangesOnlyFromAllowedStatus),
            ("vspVoteChangesKeepTenAndRefuseReplays", checkStorage_vspVoteChangesKeepTenAndRefuseReplays),
            ("parallelVspVoteChangesWithOneTimestampOneWins", checkStorage_parallelVspVoteChangesWithOneTimestampOneWins),
            ("vspAltSignAddressOncePerTicket", checkStorage_vspAltSignAddressOncePerTicket),
            ("vspFeeXPubIndexesAreNeverReused", checkStorage_vspFeeXPubIndexesAreNeverReused),
            ("vspTablesSurviveBackupAndRestore", checkStorage_vspTablesSurviveBackupAndRestore),
            ("vspOversizeAndNulValuesAreRejected", checkStorage_vspOversizeAndNulValuesAreRejected),
            ("vspTicketCountsByStatusAndOutcome", checkStorage_vspTicketCountsByStatusAndOutcome),
            ("vspTicketsByOutcomeNewestFirst", checkStorage_vspTicketsByOutcomeNewestFirst),
        ]
    }

    /// A ticket with every field set to something distinctive (hash `n` as 64 hex digits).
    public static func sampleVspTicket(_ n: Int) -> VspTicket {
        VspTicket(hash: String(format: "%064x", n), purchaseHeight: 0, commitmentAddress: "TsCommitment\(n)",
                  feeAddressXPubID: 1, feeAddressIndex: UInt32(n), feeAddress: "TsFee\(n)", feeAmount: 24_064 + Int64(n),
                  feeExpiration: 1_700_003_600, voteChoices: ["maxtreasuryspend": "yes"],
                  tSpendPolicy: [String(repeating: "ab", count: 32): "no"],
                  treasuryPolicy: ["03" + String(repeating: "cd", count: 32): "abstain"])
    }

    private static func voteChange(_ hash: String, timestamp: Int64, tag: String = "") -> VspVoteChange {
        VspVoteChange(ticketHash: hash, timestamp: timestamp,
                      request: Data(#"{"timestamp":\#(timestamp),"tickethash":"\#(hash)"\#(tag)}"#.utf8),
                      requestSignature: "IMOHEANs3DarNBia+/=", response: Data([0x7B, 0x00, 0xFF, 0x7D]),
                      responseSignature: "mqeXrIokJEKXgw89==")
    }

    public func checkStorage_vspTicketCountsByStatusAndOutcome() async throws {
        let store = try await backend()
        let initial = try await store.read { try $0.vspTicketCounts() }
        XCTAssertEqual(initial, [:])
        let states: [(VspFeeTxStatus, VspTicketOutcome)] = [(.none, .none), (.none, .none), (.received, .none), (.confirmed, .none),
                                                            (.confirmed, .voted), (.confirmed, .voted), (.confirmed, .revoked),
                                                            (.confirmed, .missed), (.error, .none)]
        for (index, (status, outcome)) in states.enumerated() {
            var ticket = Self.sampleVspTicket(700 + index)
            ticket.feeTxStatus = status
            ticket.outcome = outcome
            try await store.write { [ticket] in try $0.insertVspTicket(ticket) }
        }
        let counts = try await store.read { try $0.vspTicketCounts() }
        XCTAssertEqual(counts, [VspTicketState(.none): 2, VspTicketState(.received): 1, VspTicketState(.confirmed): 1,
                                VspTicketState(.confirmed, .voted): 2, VspTicketState(.confirmed, .revoked): 1,
                                VspTicketState(.confirmed, .missed): 1, VspTicketState(.error): 1])
    }

    // vspviews
    public func checkStorage_vspTicketsByOutcomeNewestFirst() async throws {
        let store = try await backend()
        // (n, purchase height, outcome): the missed ones listed highest height first, a tie by hash.
        let rows: [(Int, Int64, VspTicketOutcome)] = [(801, 10, .missed), (802, 30, .missed), (803, 20, .voted),
                                                      (804, 30, .missed), (805, 5, .expired), (806, 25, .missed)]
        for (n, height, outcome) in rows {
            var ticket = Self.sampleVspTicket(n)
            (ticket.purchaseHeight, ticket.confirmed, ticket.feeTxStatus, ticket.outcome) = (height, true, .confirmed, outcome)
            try await store.write { [ticket] in try $0.insertVspTicket(ticket) }
        }
        let hex = { (n: Int) in String(format: "%064x", n) }
        let missed = try await store.read { try $0.vspTickets(outcome: .missed, limit: 10) }
        XCTAssertEqual(missed.map(\.hash), [802, 804, 806, 801].map(hex))
        XCTAssertEqual(missed.first, { var t = Self.sampleVspTicket(802); (t.purchaseHeight, t.confirmed, t.feeTxStatus, t.outcome) = (30, true, .confirmed, .missed); return t }())
        let firstTwo = try await store.read { try $0.vspTickets(outcome: .missed, limit: 2) }
        XCTAssertEqual(firstTwo.map(\.hash), [802, 804].map(hex))
        let none = try await store.read { try $0.vspTickets(outcome: .revoked, limit: 10) }
        XCTAssertEqual(none, [])
    }

    public func checkStorage_vspTicketRoundTripsEveryField() async throws {
        let store = try await backend()
        var ticket = Self.sampleVspTicket(1)
        ticket.hash = "484a68f7148e55d05f0b64a29fe7b148572cb5272d1ce2438cf15466d347f4f4"
        ticket.purchaseHeight = 1_300_000
        ticket.confirmed = true
        ticket.votingWIF = "PtWUJWhSXsM9ztPkdtH8REe91z7uoidX8dsMChJUZ2spagm7YvrNm"
        ticket.voteChoices["quote\"back\\slash/é🎉"] = "line\nbreak"
        ticket.feeTxHex = String(repeating: "0100", count: 500)
        ticket.feeTxHash = String(repeating: "e1", count: 32)
        ticket.feeTxStatus = .broadcast
        ticket.outcome = .revoked
        ticket.feeAddressIndex = UInt32.max
        try await store.write { [ticket] in try $0.insertVspTicket(ticket) }
        let read = try await store.read { [ticket] in try $0.vspTicket(hash: ticket.hash) }
        XCTAssertEqual(read, ticket)
        // Hashes compare exactly: the uppercase form is another key (spec §4.1), as is an unknown hash.
        let upper = try await store.read { [ticket] in try $0.vspTicket(hash: ticket.hash.uppercased()) }
        XCTAssertNil(upper)
        let read1 = try await store.read { try $0.vspTicket(hash: String(format: "%064x", 99)) }
        XCTAssertNil(read1)

        // Empty maps read back as empty maps, never nil; a second insert of the hash is refused and changes nothing.
        let bare = VspTicket(hash: String(format: "%064x", 2), commitmentAddress: "Ts2", feeAddressXPubID: 1,
                             feeAddressIndex: 2, feeAddress: "TsFee2", feeAmount: 1, feeExpiration: 5)
        try await store.write { try $0.insertVspTicket(bare) }
        let bareRead = try await store.read { try $0.vspTicket(hash: bare.hash) }
        XCTAssertEqual(bareRead?.voteChoices, [:])
        XCTAssertEqual(bareRead?.feeTxStatus, VspFeeTxStatus.none)
        XCTAssertEqual(bareRead?.outcome, VspTicketOutcome.none)
        var twin = bare
        twin.feeAddress = "TsOther"
        await assertStorageError(.duplicate) { [twin] in try await store.write { try $0.insertVspTicket(twin) } }
        let stillBare = try await store.read { try $0.vspTicket(hash: bare.hash) }
        XCTAssertEqual(stillBare, bare)

        // A ticket inserted in a transaction that throws is not there.
        let third = Self.sampleVspTicket(3)
        struct Abort: Error {}
        do {
            try await store.write { tx in
                try tx.insertVspTicket(third)
                throw Abort()
            }
        } catch is Abort {}
        let read2 = try await store.read { try $0.vspTicket(hash: third.hash) }
        XCTAssertNil(read2)

        // Listed by fee status, ascending by hash.
        try await store.write { try $0.insertVspTicket(Self.sampleVspTicket(0)) }
        let quoted = try await store.read { try $0.vspTickets(feeTxStatus: .none) }.map(\.hash)
        XCTAssertEqual(quoted, [String(format: "%064x", 0), bare.hash])
        let broadcast = try await store.read { try $0.vspTickets(feeTxStatus: .broadcast) }
        XCTAssertEqual(broadcast, [ticket])
        let read3 = try await store.read { try $0.vspTickets(feeTxStatus: .error) }
        XCTAssertEqual(read3, [])
    }

    public func checkStorage_parallelFirstRequestsRegisterOneVspTicket() async throws {
        let store = try await backend()
        let results = try await withThrowingTaskGroup(of: String?.self) { group in
            for attempt in 0..<12 {
                group.addTask {
                    var ticket = Self.sampleVspTicket(7)
                    ticket.feeAddress = "TsFeeAttempt\(attempt)"
                    do {
                        try await store.write { [ticket] in try $0.insertVspTicket(ticket) }
                        return ticket.feeAddress
                    } catch let error as StorageError where error.code == .duplicate {
                        return nil
                    }
                }
            }
            return try await group.reduce(into: [String]()) { if let winner = $1 { $0.append(winner) } }
        }
        XCTAssertEqual(results.count, 1, "exactly one first request registers the ticket: \(results)")
        let stored = try await store.read { try $0.vspTicket(hash: String(format: "%064x", 7)) }
        XCTAssertEqual(stored?.feeAddress, results.first)
    }

    public func checkStorage_vspFeeChangesOnlyFromAllowedStatus() async throws {
        let store = try await backend()
        let ticket = Self.sampleVspTicket(4)
        try await store.write { try $0.insertVspTicket(ticket) }
        // A refreshed quote keeps the address; the new amount and expiry are stored.
        let requote = VspFeeState(feeAmount: 30_000, feeExpiration: 1_700_007_200)
        let requoted = try await store.write { try $0.updateVspFee(ticketHash: ticket.hash, requote, ifStatusIn: VspFeeTxStatus.awaitingPayment) }
        XCTAssertTrue(requoted)
        let afterQuote = try await store.read { try $0.vspTicket(hash: ticket.hash) }
        XCTAssertEqual(afterQuote?.feeAmount, 30_000)
        XCTAssertEqual(afterQuote?.feeExpiration, 1_700_007_200)
        XCTAssertEqual(afterQuote?.feeAddress, ticket.feeAddress)

        // Parallel payments from `none`: exactly one is accepted.
        let winners = try await withThrowingTaskGroup(of: Bool.self) { group in
            for attempt in 0..<10 {
                group.addTask {
                    let paid = VspFeeState(feeAmount: 30_000, feeExpiration: 1_700_007_200, votingWIF: "PtWIF\(attempt)",
                                           feeTxHex: "01000000\(attempt)", feeTxHash: String(format: "%064x", attempt),
                                           feeTxStatus: .received)
                    return try await store.write { try $0.updateVspFee(ticketHash: ticket.hash, paid, ifStatusIn: VspFeeTxStatus.awaitingPayment) }
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        XCTAssertEqual(winners, 1)
        let paidRead = try await store.read { try $0.vspTicket(hash: ticket.hash) }
        let paid = try XCTUnwrap(paidRead)
        XCTAssertEqual(paid.feeTxStatus, .received)
        XCTAssertTrue(paid.votingWIF.hasPrefix("PtWIF"))
        XCTAssertEqual(paid.preferences, ticket.preferences, "fee updates leave the preferences alone")

        // received → broadcast → confirmed (hex cleared); a payment is refused once received.
        var moved = paid.fee
        moved.feeTxStatus = .broadcast
        let broadcast = try await store.write { [moved] in try $0.updateVspFee(ticketHash: ticket.hash, moved, ifStatusIn: [.received]) }
        XCTAssertTrue(broadcast)
        let refused = try await store.write { [moved] in try $0.updateVspFee(ticketHash: ticket.hash, moved, ifStatusIn: VspFeeTxStatus.awaitingPayment) }
        XCTAssertFalse(refused)
        moved.feeTxStatus = .confirmed
        moved.feeTxHex = ""
        _ = try await store.write { [moved] in try $0.updateVspFee(ticketHash: ticket.hash, moved, ifStatusIn: [.broadcast]) }
        let confirmed = try await store.read { try $0.vspTicket(hash: ticket.hash) }
        XCTAssertEqual(confirmed?.fee, moved)
        XCTAssertEqual(confirmed?.votingWIF, paid.votingWIF, "the voting key is kept")

        await assertStorageError(.notFound) {
            try await store.write { try $0.updateVspFee(ticketHash: String(format: "%064x", 99), requote, ifStatusIn: [.none]) }
        }
        await assertStorageError(.notFound) {
            try await store.write { try $0.setVspVotePreferences(ticketHash: String(format: "%064x", 99), VspVotePreferences()) }
        }
    }

    public func checkStorage_vspVoteChangesKeepTenAndRefuseReplays() async throws {
        let store = try await backend()
        let ticket = Self.sampleVspTicket(5)
        try await store.write { try $0.insertVspTicket(ticket) }
        // payfee's record: no replay check.
        let first = try await store.write { try $0.appendVspVoteChange(Self.voteChange(ticket.hash, timestamp: 100), requireNewerTimestamp: false) }
        XCTAssertEqual(first?.sequence, 0)
        // Same and older timestamps are replays: refused, nothing written.
        let same = try await store.write { try $0.appendVspVoteChange(Self.voteChange(ticket.hash, timestamp: 100), requireNewerTimestamp: true) }
        XCTAssertNil(same)
        let older = try await store.write { try $0.appendVspVoteChange(Self.voteChange(ticket.hash, timestamp: 99), requireNewerTimestamp: true) }
        XCTAssertNil(older)
        let read4 = try await store.read { try $0.vspVoteChanges(ticketHash: ticket.hash) }.count
        XCTAssertEqual(read4, 1)
        // Eleven more newer ones: ten are kept, the lowest sequences go first.
        for timestamp in 101...111 {
            let stored = try await store.write {
                try $0.appendVspVoteChange(Self.voteChange(ticket.hash, timestamp: Int64(timestamp)), requireNewerTimestamp: true)
            }
            XCTAssertEqual(stored?.sequence, UInt32(timestamp - 100))
        }
        let history = try await store.read { try $0.vspVoteChanges(ticketHash: ticket.hash) }
        XCTAssertEqual(history.map(\.sequence), Array(2...11))
        XCTAssertEqual(history.map(\.timestamp), Array(102...111))
        XCTAssertEqual(history.last, Self.voteChange(ticket.hash, timestamp: 111).withSequence(11))
        // The replay rule holds against every retained record, not only the newest.
        let replay = try await store.write { try $0.appendVspVoteChange(Self.voteChange(ticket.hash, timestamp: 105), requireNewerTimestamp: true) }
        XCTAssertNil(replay)

        // Preferences are replaced as given (the caller merges); other tickets have no history.
        let merged = ticket.preferences.merging(VspVotePreferences(voteChoices: ["maxtreasuryspend": "no", "new": "abstain"]))
        try await store.write { try $0.setVspVotePreferences(ticketHash: ticket.hash, merged) }
        let read = try await store.read { try $0.vspTicket(hash: ticket.hash) }
        XCTAssertEqual(read?.voteChoices, ["maxtreasuryspend": "no", "new": "abstain"])
        XCTAssertEqual(read?.tSpendPolicy, ticket.tSpendPolicy)
        XCTAssertEqual(read?.feeAmount, ticket.feeAmount, "preference changes leave the fee alone")
        let read5 = try await store.read { try $0.vspVoteChanges(ticketHash: String(format: "%064x", 6)) }
        XCTAssertEqual(read5, [])
        await assertStorageError(.notFound) {
            try await store.write { try $0.appendVspVoteChange(Self.voteChange(String(format: "%064x", 6), timestamp: 1), requireNewerTimestamp: false) }
        }
    }

    public func checkStorage_parallelVspVoteChangesWithOneTimestampOneWins() async throws {
        let store = try await backend()
        let ticket = Self.sampleVspTicket(8)
        try await store.write { try $0.insertVspTicket(ticket) }
        let kept = try await withThrowingTaskGroup(of: Bool.self) { group in
            for attempt in 0..<10 {
                group.addTask {
                    try await store.write {
                        try $0.appendVspVoteChange(Self.voteChange(ticket.hash, timestamp: 500, tag: ",\"n\":\(attempt)"),
                                                   requireNewerTimestamp: true)
                    } != nil
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        XCTAssertEqual(kept, 1, "two updates in one second: the second is a replay (spec §9)")
        let read6 = try await store.read { try $0.vspVoteChanges(ticketHash: ticket.hash) }.count
        XCTAssertEqual(read6, 1)
    }

    public func checkStorage_vspAltSignAddressOncePerTicket() async throws {
        let store = try await backend()
        // "Step zero": before the ticket is registered.
        let hash = String(format: "%064x", 9)
        let record = VspAltSignAddress(ticketHash: hash, address: "TsAlternate9", request: Data(#"{"altsignaddress":"TsAlternate9"}"#.utf8),
                                       requestSignature: "H18ier4C", response: Data(#"{"timestamp":1}"#.utf8),
                                       responseSignature: "NauhhMCL")
        try await store.write { try $0.insertVspAltSignAddress(record) }
        let read7 = try await store.read { try $0.vspAltSignAddress(ticketHash: hash) }
        XCTAssertEqual(read7, record)
        var second = record
        second.address = "TsAnother"
        await assertStorageError(.duplicate) { [second] in try await store.write { try $0.insertVspAltSignAddress(second) } }
        let read8 = try await store.read { try $0.vspAltSignAddress(ticketHash: hash) }?.address
        XCTAssertEqual(read8, "TsAlternate9")
        let read9 = try await store.read { try $0.vspAltSignAddress(ticketHash: String(format: "%064x", 10)) }
        XCTAssertNil(read9)
    }

    public func checkStorage_vspFeeXPubIndexesAreNeverReused() async throws {
        let store = try await backend()
        await assertStorageError(.notFound) { try await store.write { try $0.takeNextVspFeeAddressIndex() } }
        let first = try await store.write { try $0.addVspFeeXPub(key: "tpubFirst", now: 1_000) }
        XCTAssertEqual(first, VspFeeXPub(id: 1, key: "tpubFirst", lastUsedIndex: 0, retired: 0))
        let one = try await store.write { try $0.takeNextVspFeeAddressIndex() }
        XCTAssertEqual(one.lastUsedIndex, 1, "the first address is index 1 (spec §6.2)")
        // Parallel takers all get different indexes, with no gap.
        let taken = try await withThrowingTaskGroup(of: UInt32.self) { group in
            for _ in 0..<20 { group.addTask { try await store.write { try $0.takeNextVspFeeAddressIndex() }.lastUsedIndex } }
            return try await group.reduce(into: [UInt32]()) { $0.append($1) }
        }
        XCTAssertEqual(taken.sorted(), Array(2...21))
        // A take in a transaction that rolls back is not consumed; a committed one never comes back.
        struct Abort: Error {}
        do { try await store.write { tx in _ = try tx.takeNextVspFeeAddressIndex(); throw Abort() } } catch is Abort {}
        let read10 = try await store.write { try $0.takeNextVspFeeAddressIndex() }.lastUsedIndex
        XCTAssertEqual(read10, 22)

        // A new xpub gets the next id and starts again; the old one is stamped retired and keeps its counter.
        let second = try await store.write { try $0.addVspFeeXPub(key: "tpubSecond", now: 2_000) }
        XCTAssertEqual(second.id, 2)
        let read11 = try await store.write { try $0.takeNextVspFeeAddressIndex() }
        XCTAssertEqual(read11, VspFeeXPub(id: 2, key: "tpubSecond", lastUsedIndex: 1))
        let all = try await store.read { try $0.vspFeeXPubs() }
        XCTAssertEqual(all, [VspFeeXPub(id: 1, key: "tpubFirst", lastUsedIndex: 22, retired: 2_000),
                             VspFeeXPub(id: 2, key: "tpubSecond", lastUsedIndex: 1, retired: 0)])
        // An xpub used before is refused, current or retired; nothing changes.
        await assertStorageError(.duplicate) { try await store.write { try $0.addVspFeeXPub(key: "tpubFirst", now: 3_000) } }
        await assertStorageError(.duplicate) { try await store.write { try $0.addVspFeeXPub(key: "tpubSecond", now: 3_000) } }
        let read12 = try await store.read { try $0.vspFeeXPubs() }
        XCTAssertEqual(read12, all)
    }

    public func checkStorage_vspTablesSurviveBackupAndRestore() async throws {
        let source = try await backend()
        var paid = Self.sampleVspTicket(1)
        paid.fee = VspFeeState(feeAmount: 1, feeExpiration: 2, votingWIF: "PtWIF", feeTxHex: "0100", feeTxHash: "ab",
                               feeTxStatus: .received)
        let tickets = [paid, Self.sampleVspTicket(2)]
        let alt = VspAltSignAddress(ticketHash: paid.hash, address: "TsAlt", request: Data([0, 1, 2, 0xFF]),
                                    requestSignature: "sig", response: Data("{}".utf8), responseSignature: "rsig")
        try await store(tickets, alt, into: source)
        let snapshot = try await source.read { try $0.snapshot() }
        XCTAssertEqual(snapshot.vspTickets, tickets)
        XCTAssertEqual(snapshot.vspVoteChanges.map(\.sequence), [0, 1])
        XCTAssertEqual(snapshot.vspAltSignAddresses, [alt])
        XCTAssertEqual(snapshot.vspFeeXPubs, [VspFeeXPub(id: 1, key: "tpubOld", lastUsedIndex: 1, retired: 10),
                                              VspFeeXPub(id: 2, key: "tpubNew", lastUsedIndex: 0, retired: 0)])
        let counts = Dictionary(uniqueKeysWithValues: snapshot.rowCounts.map { ($0.table, $0.rows) })
        XCTAssertEqual(counts["VspTickets"], 2)
        XCTAssertEqual(counts["VspFeeXPubs"], 2)

        var file = Data()
        try PortableBackup.encode(snapshot, header: PortableBackup.Header(createdAt: 1, engine: source.engineName,
                                                                          schemaVersion: 1, tables: counts)) { file.append($0) }
        let (_, decoded) = try PortableBackup.decode(file)
        XCTAssertEqual(decoded, snapshot)
        let target = try await backend()
        try await target.write { try $0.restore(decoded) }
        let read13 = try await target.read { try $0.snapshot() }
        XCTAssertEqual(read13, snapshot)
        // The restored rows work: the history continues, the index counter continues, the ticket is unique.
        let next = try await target.write { [paid] in try $0.appendVspVoteChange(Self.voteChange(paid.hash, timestamp: 300), requireNewerTimestamp: true) }
        XCTAssertEqual(next?.sequence, 2)
        let read14 = try await target.write { try $0.takeNextVspFeeAddressIndex() }.lastUsedIndex
        XCTAssertEqual(read14, 1)
        await assertStorageError(.duplicate) { [paid] in try await target.write { [paid] in try $0.insertVspTicket(paid) } }
        await assertStorageError(.duplicate) { try await target.write { try $0.addVspFeeXPub(key: "tpubOld", now: 20) } }
    }

    private func store(_ tickets: [VspTicket], _ alt: VspAltSignAddress, into store: any StorageBackend) async throws {
        try await store.write { tx in
            for ticket in tickets { try tx.insertVspTicket(ticket) }
            _ = try tx.appendVspVoteChange(Self.voteChange(tickets[0].hash, timestamp: 100), requireNewerTimestamp: false)
            _ = try tx.appendVspVoteChange(Self.voteChange(tickets[0].hash, timestamp: 200), requireNewerTimestamp: true)
            try tx.insertVspAltSignAddress(alt)
            _ = try tx.addVspFeeXPub(key: "tpubOld", now: 5)
            _ = try tx.takeNextVspFeeAddressIndex()
            _ = try tx.addVspFeeXPub(key: "tpubNew", now: 10)
        }
    }

    public func checkStorage_vspOversizeAndNulValuesAreRejected() async throws {
        let store = try await backend()
        var huge = Self.sampleVspTicket(1)
        huge.feeTxHex = String(repeating: "a", count: StorageLimits.vspBodyBytes + 1)
        await assertStorageError(.invalidInput) { [huge] in try await store.write { try $0.insertVspTicket(huge) } }
        var nul = Self.sampleVspTicket(1)
        nul.voteChoices = ["agenda": "y\u{0}es"]
        await assertStorageError(.invalidInput) { [nul] in try await store.write { try $0.insertVspTicket(nul) } }
        var negative = Self.sampleVspTicket(1)
        negative.feeAmount = -1
        await assertStorageError(.invalidInput) { [negative] in try await store.write { try $0.insertVspTicket(negative) } }
        var noHash = Self.sampleVspTicket(1)
        noHash.hash = ""
        await assertStorageError(.invalidInput) { [noHash] in try await store.write { try $0.insertVspTicket(noHash) } }
        let read15 = try await store.read { try $0.snapshot() }.vspTickets
        XCTAssertEqual(read15, [])
        // The largest allowed body is stored whole.
        let ticket = Self.sampleVspTicket(2)
        try await store.write { try $0.insertVspTicket(ticket) }
        var big = Self.voteChange(ticket.hash, timestamp: 1)
        big.request = Data(repeating: 0x41, count: StorageLimits.vspBodyBytes)
        _ = try await store.write { [big] in try $0.appendVspVoteChange(big, requireNewerTimestamp: false) }
        let read16 = try await store.read { try $0.vspVoteChanges(ticketHash: ticket.hash) }.first?.request.count
        XCTAssertEqual(read16,
                       StorageLimits.vspBodyBytes)
        big.request.append(0x41)
        await assertStorageError(.invalidInput) { [big] in try await store.write { try $0.appendVspVoteChange(big, requireNewerTimestamp: false) } }
    }
}

extension VspVoteChange {
    fileprivate func withSequence(_ sequence: UInt32) -> VspVoteChange {
        var copy = self
        copy.sequence = sequence
        return copy
    }
}

// vspblocks: the block handler's storage steps (docs/vspd.md, "Block handler"), each guarded by the state it expects.
extension StorageConformanceTests {
    /// The block handler's checks, appended to `storageChecks`.
    var vspBlockHandlerStorageChecks: [ConformanceCheck] {
        [
            ("vspTicketConfirmsOnceWithItsHeight", checkStorage_vspTicketConfirmsOnceWithItsHeight),
            ("vspFeeStatusMovesOnlyFromExpected", checkStorage_vspFeeStatusMovesOnlyFromExpected),
            ("parallelVspFeeStatusMovesOneWins", checkStorage_parallelVspFeeStatusMovesOneWins),
            ("vspOutcomeLeavesTheWatchList", checkStorage_vspOutcomeLeavesTheWatchList),
            ("neverMinedVspTicketIsDeletedWithItsRecords", checkStorage_neverMinedVspTicketIsDeletedWithItsRecords),
            ("vspOutcomeScanHeightIsCompareAndSet", checkStorage_vspOutcomeScanHeightIsCompareAndSet),
            ("twoVspBlockHandlersBroadcastEachFeeOnce", checkStorage_twoVspBlockHandlersBroadcastEachFeeOnce),
        ]
    }

    /// Two web hosts on one database and one node, over 12 tickets whose fees wait for broadcast: host A's first send
    /// is held in flight while host B runs a whole block handler run, then A goes on. The status guard gives each fee
    /// to one host: 12 fee broadcasts in total (without it, both hosts broadcast every fee A had listed), every fee on
    /// the node and `broadcast` — the fee A still held was not on the node for B's step 3, which sent it again
    /// instead of failing it.
    public func checkStorage_twoVspBlockHandlersBroadcastEachFeeOnce() async throws {
        let store = try await backend()
        let node = InMemoryVspNode()
        let nodes = [node, node]
        var fees: [String] = []
        for n in 0..<12 {
            let ticket = VspTestTransactions.make(seed: 100 + n)
            let fee = VspTestTransactions.make(seed: 200 + n, value: 24_000)
            node.add(ticket.hex, txid: ticket.txid, confirmations: 6)
            var record = Self.paidVspTicket(n)
            record.hash = ticket.txid
            record.feeTxHex = fee.hex
            record.feeTxHash = fee.txid
            try await store.write { [record] in try $0.insertVspTicket(record) }
            fees.append(fee.hex)
        }
        let handlers = nodes.map {
            VspBlockHandler(storage: store, node: $0, wallets: [InMemoryVspWallet()], walletLabels: ["w"],
                            tickets: NetParams.simnet.tickets, metrics: MetricsRegistry(), logger: .disabled)
        }
        let gate = AsyncGate()
        let first = LockedValue(true)
        node.state.withLock {
            $0.beforeCall = { method, _ in
                guard method == "sendrawtransaction", first.withLock({ isFirst in defer { isFirst = false }; return isFirst }) else { return }
                await gate.wait()
            }
        }
        let hostA = Task { await handlers[0].runOnce() }
        for _ in 0..<2_000 where gate.waiting == 0 { try await Task.sleep(for: .milliseconds(5)) }
        XCTAssertEqual(gate.waiting, 1, "host A is sending its first fee")
        await handlers[1].runOnce()
        gate.open()
        await hostA.value
        let broadcasts = handlers.map { $0.metrics.feeBroadcasts.value(["sent"]) }
        XCTAssertEqual(broadcasts.reduce(0, +), 12, "each fee broadcast by one host: \(broadcasts)")
        XCTAssertEqual(broadcasts[0], 1, "host A broadcast the fee it claimed first, and nothing B had claimed")
        XCTAssertEqual(Set(node.state.value.sent), Set(fees))
        let statuses = try await store.read { try $0.vspTickets(confirmed: true) }.map(\.feeTxStatus)
        XCTAssertEqual(statuses, Array(repeating: .broadcast, count: 12))
    }

    /// A ticket payfee accepted: fee status `received`, a voting key and a fee transaction.
    public static func paidVspTicket(_ n: Int) -> VspTicket {
        var ticket = sampleVspTicket(n)
        ticket.fee = VspFeeState(feeAmount: ticket.feeAmount, feeExpiration: ticket.feeExpiration,
                                 votingWIF: "PtWUJWhSXsM9ztPkdtH8REe91z7uoidX8dsMChJUZ2spagm7Yvr\(n)",
                                 feeTxHex: "0100000001" + String(format: "%08x", n), feeTxHash: String(format: "%064x", 1_000 + n),
                                 feeTxStatus: .received)
        return ticket
    }

    public func checkStorage_vspTicketConfirmsOnceWithItsHeight() async throws {
        let store = try await backend()
        let (one, two) = (Self.paidVspTicket(1), Self.sampleVspTicket(2))
        try await store.write { try $0.insertVspTicket(one); try $0.insertVspTicket(two) }
        let unconfirmed = try await store.read { try $0.vspTickets(confirmed: false) }
        XCTAssertEqual(unconfirmed, [one, two])
        let first = try await store.write { try $0.confirmVspTicket(hash: one.hash, purchaseHeight: 1_200) }
        XCTAssertTrue(first)
        // A second confirmation (another host, a later block) changes nothing, not even the height.
        let again = try await store.write { try $0.confirmVspTicket(hash: one.hash, purchaseHeight: 1_300) }
        XCTAssertFalse(again)
        var expected = one
        expected.confirmed = true
        expected.purchaseHeight = 1_200
        let read = try await store.read { try $0.vspTicket(hash: one.hash) }
        XCTAssertEqual(read, expected, "only the flag and the height change; the voting key and fee stay")
        let confirmed = try await store.read { try $0.vspTickets(confirmed: true) }
        XCTAssertEqual(confirmed, [expected])
        let stillUnconfirmed = try await store.read { try $0.vspTickets(confirmed: false) }
        XCTAssertEqual(stillUnconfirmed, [two])
        await assertStorageError(.invalidInput) { try await store.write { try $0.confirmVspTicket(hash: two.hash, purchaseHeight: 0) } }
        await assertStorageError(.notFound) {
            try await store.write { try $0.confirmVspTicket(hash: String(format: "%064x", 99), purchaseHeight: 5) }
        }
    }

    public func checkStorage_vspFeeStatusMovesOnlyFromExpected() async throws {
        let store = try await backend()
        let ticket = Self.paidVspTicket(3)
        try await store.write { try $0.insertVspTicket(ticket) }
        // Not from the wrong status: nothing written.
        let wrong = try await store.write { try $0.moveVspFeeTxStatus(ticketHash: ticket.hash, from: .broadcast, to: .confirmed) }
        XCTAssertFalse(wrong)
        let unchanged = try await store.read { try $0.vspTicket(hash: ticket.hash) }
        XCTAssertEqual(unchanged, ticket)
        // received → broadcast keeps the hex; broadcast → confirmed clears it and keeps the voting key.
        let broadcast = try await store.write { try $0.moveVspFeeTxStatus(ticketHash: ticket.hash, from: .received, to: .broadcast) }
        XCTAssertTrue(broadcast)
        let afterBroadcast = try await store.read { try $0.vspTicket(hash: ticket.hash) }
        XCTAssertEqual(afterBroadcast?.feeTxStatus, .broadcast)
        XCTAssertEqual(afterBroadcast?.feeTxHex, ticket.feeTxHex)
        let confirmed = try await store.write { try $0.moveVspFeeTxStatus(ticketHash: ticket.hash, from: .broadcast, to: .confirmed) }
        XCTAssertTrue(confirmed)
        var expected = ticket
        expected.feeTxStatus = .confirmed
        expected.feeTxHex = ""
        let afterConfirm = try await store.read { try $0.vspTicket(hash: ticket.hash) }
        XCTAssertEqual(afterConfirm, expected)
        // received → error keeps the hex (the client pays again; payfee overwrites it).
        let other = Self.paidVspTicket(4)
        try await store.write { try $0.insertVspTicket(other) }
        let failed = try await store.write { try $0.moveVspFeeTxStatus(ticketHash: other.hash, from: .received, to: .error) }
        XCTAssertTrue(failed)
        let afterError = try await store.read { try $0.vspTicket(hash: other.hash) }
        XCTAssertEqual(afterError?.feeTxStatus, .error)
        XCTAssertEqual(afterError?.feeTxHex, other.feeTxHex)
        let errorList = try await store.read { try $0.vspTickets(feeTxStatus: .error) }.map(\.hash)
        XCTAssertEqual(errorList, [other.hash])
        await assertStorageError(.notFound) {
            try await store.write { try $0.moveVspFeeTxStatus(ticketHash: String(format: "%064x", 99), from: .received, to: .broadcast) }
        }
    }

    public func checkStorage_parallelVspFeeStatusMovesOneWins() async throws {
        let store = try await backend()
        let ticket = Self.paidVspTicket(5)
        try await store.write { try $0.insertVspTicket(ticket) }
        let winners = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<10 {
                group.addTask { try await store.write { try $0.moveVspFeeTxStatus(ticketHash: ticket.hash, from: .received, to: .broadcast) } }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        XCTAssertEqual(winners, 1, "two hosts claiming one broadcast: exactly one gets it")
    }

    public func checkStorage_vspOutcomeLeavesTheWatchList() async throws {
        let store = try await backend()
        let watched = [Self.paidVspTicket(7), Self.paidVspTicket(6)].map { ticket in
            var ticket = ticket
            ticket.fee.feeTxStatus = .confirmed
            ticket.fee.feeTxHex = ""
            ticket.confirmed = true
            ticket.purchaseHeight = 100
            return ticket
        }
        var broadcasting = Self.paidVspTicket(8)
        broadcasting.feeTxStatus = .broadcast
        let broadcast = broadcasting
        try await store.write { tx in for ticket in watched + [broadcast] { try tx.insertVspTicket(ticket) } }
        let list = try await store.read { try $0.vspTicketsAwaitingOutcome() }.map(\.hash)
        XCTAssertEqual(list, [watched[1].hash, watched[0].hash], "fee confirmed, no outcome, ascending by hash")
        try await store.write { try $0.setVspTicketOutcome(hash: watched[1].hash, .expired) }
        let after = try await store.read { try $0.vspTicketsAwaitingOutcome() }.map(\.hash)
        XCTAssertEqual(after, [watched[0].hash])
        let ended = try await store.read { try $0.vspTicket(hash: watched[1].hash) }
        XCTAssertEqual(ended?.outcome, .expired)
        XCTAssertEqual(ended?.votingWIF, watched[1].votingWIF)
        await assertStorageError(.notFound) { try await store.write { try $0.setVspTicketOutcome(hash: String(format: "%064x", 99), .voted) } }
    }

    public func checkStorage_neverMinedVspTicketIsDeletedWithItsRecords() async throws {
        let store = try await backend()
        let (gone, kept, mined) = (Self.paidVspTicket(10), Self.paidVspTicket(11), Self.paidVspTicket(12))
        try await store.write { tx in
            for ticket in [gone, kept, mined] {
                try tx.insertVspTicket(ticket)
                _ = try tx.appendVspVoteChange(Self.voteChange(ticket.hash, timestamp: 100), requireNewerTimestamp: false)
                try tx.insertVspAltSignAddress(VspAltSignAddress(ticketHash: ticket.hash, address: "TsAlt", request: Data("{}".utf8),
                                                                 requestSignature: "s", response: Data("{}".utf8),
                                                                 responseSignature: "r"))
            }
            _ = try tx.confirmVspTicket(hash: mined.hash, purchaseHeight: 50)
        }
        let deleted = try await store.write { try $0.deleteUnconfirmedVspTicket(hash: gone.hash) }
        XCTAssertTrue(deleted)
        let ticket = try await store.read { try $0.vspTicket(hash: gone.hash) }
        XCTAssertNil(ticket)
        let changes = try await store.read { try $0.vspVoteChanges(ticketHash: gone.hash) }
        XCTAssertEqual(changes, [])
        let alt = try await store.read { try $0.vspAltSignAddress(ticketHash: gone.hash) }
        XCTAssertNil(alt)
        // Another ticket's records stay; a confirmed ticket is never deleted; an absent one is a no-op.
        let keptChanges = try await store.read { try $0.vspVoteChanges(ticketHash: kept.hash) }.count
        XCTAssertEqual(keptChanges, 1)
        let keptAlt = try await store.read { try $0.vspAltSignAddress(ticketHash: kept.hash) }
        XCTAssertNotNil(keptAlt)
        let minedDeleted = try await store.write { try $0.deleteUnconfirmedVspTicket(hash: mined.hash) }
        XCTAssertFalse(minedDeleted)
        let minedStill = try await store.read { try $0.vspTicket(hash: mined.hash) }
        XCTAssertNotNil(minedStill)
        let absent = try await store.write { try $0.deleteUnconfirmedVspTicket(hash: gone.hash) }
        XCTAssertFalse(absent)
        // A deletion rolled back with its transaction leaves everything.
        struct Abort: Error {}
        do { try await store.write { tx in _ = try tx.deleteUnconfirmedVspTicket(hash: kept.hash); throw Abort() } } catch is Abort {}
        let rolledBack = try await store.read { try ($0.vspTicket(hash: kept.hash), $0.vspVoteChanges(ticketHash: kept.hash).count) }
        XCTAssertEqual(rolledBack.0, kept)
        XCTAssertEqual(rolledBack.1, 1)
        // The hash can be registered afresh, with a history starting again at 0 (spec §8.1: later E(6) or a new quote).
        try await store.write { try $0.insertVspTicket(gone) }
        let fresh = try await store.write { try $0.appendVspVoteChange(Self.voteChange(gone.hash, timestamp: 1), requireNewerTimestamp: true) }
        XCTAssertEqual(fresh?.sequence, 0)
    }

    public func checkStorage_vspOutcomeScanHeightIsCompareAndSet() async throws {
        let store = try await backend()
        let initial = try await store.read { try $0.vspOutcomeScanHeight() }
        XCTAssertEqual(initial, 0)
        let set = try await store.write { try $0.setVspOutcomeScanHeight(120, ifCurrentIs: 0) }
        XCTAssertTrue(set)
        let stale = try await store.write { try $0.setVspOutcomeScanHeight(200, ifCurrentIs: 0) }
        XCTAssertFalse(stale, "a host that read 0 before another moved it does not overwrite")
        let read = try await store.read { try $0.vspOutcomeScanHeight() }
        XCTAssertEqual(read, 120)
        let lowered = try await store.write { try $0.setVspOutcomeScanHeight(40, ifCurrentIs: 120) }
        XCTAssertTrue(lowered)
        let same = try await store.write { try $0.setVspOutcomeScanHeight(40, ifCurrentIs: 40) }
        XCTAssertTrue(same)
        await assertStorageError(.invalidInput) { try await store.write { try $0.setVspOutcomeScanHeight(-1, ifCurrentIs: 40) } }
        let winners = try await withThrowingTaskGroup(of: Bool.self) { group in
            for attempt in 0..<10 {
                group.addTask { try await store.write { try $0.setVspOutcomeScanHeight(Int64(100 + attempt), ifCurrentIs: 40) } }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        XCTAssertEqual(winners, 1)
        let final = try await store.read { try $0.vspOutcomeScanHeight() }
        XCTAssertTrue((100..<110).contains(final), "one of the parallel writers' heights: \(final)")
    }
}
