import Foundation
import PoolKernel
import XCTest

/// Backups: `snapshot()` reads every table, `restore(_:)` loads it into an empty database of any
/// engine, the portable file format carries it without loss.
extension StorageConformanceTests {
    /// Fills every table through the ordinary write operations; returns what was written, as the test knows it.
    private func fillEveryTable(_ store: any StorageBackend) async throws -> (users: [User], mail: OutboxMessage) {
        var hostile = Self.activeUser(7)
        hostile.email = "Ünïcode.O'Brien+\"x\"@Example.com"
        hostile.username = "back\\slash; DROP TABLE Users; -- 🎉"
        let first = try await store.insertUser(Self.activeUser(1))
        let second = try await store.insertUser(hostile)
        let third = try await store.insertUser(Self.sampleUser(3))
        let mail = Self.sampleMail(1)
        try await store.write { tx in
            _ = try tx.insertEmailChange(EmailChange(userId: first.id, newEmail: "new@example.com", token: "ec-token",
                                                     created: 10, expires: 20))
            _ = try tx.insertPasswordReset(PasswordReset(userId: third.id, token: "pr-token", created: 11, expires: 21))
            try tx.insertSession(SessionRecord(id: "session-signed-in", userId: second.id, payload: Data([0, 1, 0xFF, 10]),
                                               createdAt: 100, lastSeenAt: 150, expiresAt: 200))
            try tx.insertSession(SessionRecord(id: "session-anonymous", userId: nil, createdAt: 101, expiresAt: 201))
            _ = try tx.enqueueMail(mail)
            _ = try tx.appendVoteAudit(VoteAuditRecord(ticketHash: "ticket-a", blockHeight: 5, blockHash: "block-a",
                                                       userId: first.id, voteBits: 5, policyName: "userprefs",
                                                       reason: "user's choice", result: .voted, detail: "line\nbreak",
                                                       receivedAtMillis: 1_000, decisionMicros: 3, totalMicros: 9))
            _ = try tx.appendVoteAudit(VoteAuditRecord(ticketHash: "ticket-b", blockHeight: 6, blockHash: "block-b",
                                                       voteBits: 1, policyName: "userprefs", reason: "no user",
                                                       result: .voted, receivedAtMillis: 2_000, decisionMicros: 1,
                                                       totalMicros: 2))
            _ = try tx.addLowFeeTicket(hash: "lowfee-1")
            _ = try tx.incrementRateCount(key: "signin:10.0.0.1", windowStart: 600)
            _ = try tx.incrementRateCount(key: "signin:10.0.0.1", windowStart: 600)
            try tx.insertCaptcha(CaptchaChallenge(id: "captcha-1", answer: "42", expiresAt: 999))
            try tx.insertClosedAccount(ClosedAccount(userId: third.id, closedHeight: 77, closedAt: 78))
        }
        return ([first, second, third], mail)
    }

    public func checkStorage_snapshotRestoresIntoAnEmptyDatabase() async throws {
        let source = try await backend()
        let written = try await fillEveryTable(source)
        let snapshot = try await source.read { try $0.snapshot() }
        // What the snapshot holds is what was written, not merely what the engine returns twice.
        XCTAssertEqual(snapshot.users, written.users)
        XCTAssertEqual(snapshot.rowCounts.map(\.rows), [3, 1, 1, 2, 1, 2, 1, 1, 1, 1, 0, 0, 0, 0], "\(snapshot.rowCounts)")
        XCTAssertEqual(snapshot.sessions.map(\.id), ["session-anonymous", "session-signed-in"])
        XCTAssertEqual(snapshot.sessions.last?.payload, Data([0, 1, 0xFF, 10]))
        XCTAssertNil(snapshot.sessions.first?.userId)
        XCTAssertEqual(snapshot.outbox.first?.messageID, written.mail.messageID)
        XCTAssertEqual(snapshot.voteAudits.map(\.userId), [written.users[0].id, nil])
        XCTAssertEqual(snapshot.rateCounters, [.init(key: "signin:10.0.0.1", windowStart: 600, count: 2)])
        XCTAssertEqual(snapshot.closedAccounts.map(\.userId), [written.users[2].id])

        // Through the portable file and into a fresh database of this engine.
        let header = PortableBackup.Header(createdAt: 1_700_000_000, engine: source.engineName, schemaVersion: 1,
                                           tables: Dictionary(uniqueKeysWithValues: snapshot.rowCounts.map { ($0.table, $0.rows) }))
        var file = Data()
        try PortableBackup.encode(snapshot, header: header) { file.append($0) }
        let (readHeader, decoded) = try PortableBackup.decode(file)
        XCTAssertEqual(readHeader, header)
        XCTAssertEqual(decoded, snapshot)
        let target = try await backend()
        try await target.write { try $0.restore(decoded) }
        let restored = try await target.read { try $0.snapshot() }
        XCTAssertEqual(restored, snapshot)
        // The restored rows work as rows: look-ups by email (folded) and token, and new ids come after them.
        let found = try await target.read { try $0.user(email: "ünïcode.o'brien+\"x\"@example.com") }
        XCTAssertEqual(found?.id, written.users[1].id)
        let byToken = try await target.read { try $0.user(apiToken: "api.token.1") }
        XCTAssertEqual(byToken?.id, written.users[0].id)
        let next = try await target.insertUser(Self.sampleUser(4))
        XCTAssertGreaterThan(next.id, written.users[2].id)
        let nextMail = try await target.write { try $0.enqueueMail(Self.sampleMail(2)) }
        XCTAssertGreaterThan(nextMail, snapshot.outbox.map(\.id).max() ?? 0)
        await assertStorageError(.duplicate) { try await target.insertUser(Self.sampleUser(3)) }
    }

    public func checkStorage_restoreRefusesANonEmptyDatabaseAndBadRows() async throws {
        var user = Self.sampleUser(1)
        user.id = 5
        var oneUser = StorageSnapshot()
        oneUser.users = [user]
        let occupied = try await backend()
        _ = try await occupied.insertUser(Self.sampleUser(9))
        await assertStorageError(.notEmpty) { [oneUser] in try await occupied.write { try $0.restore(oneUser) } }
        let stillOne = try await occupied.read { try $0.userCount() }
        XCTAssertEqual(stillOne, 1)

        // Two accounts whose emails differ only in case: refused as a whole, nothing written.
        var twin = Self.sampleUser(2, email: "USER1@example.com")
        twin.id = 6
        var twins = oneUser
        twins.users.append(twin)
        let empty = try await backend()
        await assertStorageError(.duplicate) { [twins] in try await empty.write { try $0.restore(twins) } }
        let none = try await empty.read { try $0.snapshot() }
        XCTAssertTrue(none.isEmpty)
    }
}
