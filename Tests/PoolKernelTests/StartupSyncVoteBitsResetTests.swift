import Foundation
import PoolKernel
import PoolTestKit
import XCTest

/// The start-up vote-bits reset writes a page of users at once (`setVoteBits`): every user must end as the
/// per-user rules say, across pages, with nothing else of the user changed.
final class StartupSyncVoteBitsResetTests: XCTestCase {
    func testStartupSync_pagedResetLeavesEveryUserAsTheRulesSay() async throws {
        let fixture = WalletPoolFixture()
        // Agenda bits 0x0006 (abstain 0, no 2, yes 4): 1, 3, 5 are valid on version 6; 7 and 0x41 are not.
        let agenda = Agenda.lnFeatures
        // (vote bits, version) before → after, by hand from webapp.md §9.6.
        let cases: [(before: (UInt16, UInt32), after: (UInt16, UInt32))] = [
            ((5, 5), (1, 6)),     // old version: version moves, bits reset
            ((1, 4), (1, 6)),     // old version, bits already 1: version only
            ((0x41, 6), (1, 6)),  // invalid bits on this version
            ((7, 6), (1, 6)),     // both agenda bits: invalid
            ((5, 6), (5, 6)),     // valid: untouched
            ((3, 6), (3, 6)),     // valid: untouched
            ((1, 6), (1, 6)),
            ((5, 7), (1, 6)),     // a newer version is another version too
        ]
        let rows = (0..<4).flatMap { _ in cases }  // 32 users over pages of 5
        let stored = try await fixture.storage.write { tx in
            try rows.enumerated().map { n, row -> User in
                var user = StorageConformanceTests.activeUser(n)
                (user.voteBits, user.voteBitsVersion) = row.before
                user.id = try tx.insertUser(user)
                return user
            }
        }
        let logs = CapturingSink()
        let sync = StartupSync(pool: fixture.pool, storage: fixture.storage, configuration: .init(pageSize: 5),
                               logger: LogBackend(sinks: [logs]).logger("DCRS"))
        let report = try await sync.resetVoteBits(voteVersion: 6, agendas: [agenda])

        let users = try await fixture.storage.read { try $0.users(afterId: 0, limit: 100) }
        XCTAssertEqual(users.count, rows.count)
        for (user, (before, row)) in zip(users, zip(stored, rows)) {
            var expected = before
            (expected.voteBits, expected.voteBitsVersion) = row.after
            XCTAssertEqual(user, expected, "uid \(user.id): \(row.before) → \(row.after), nothing else changed")
        }
        XCTAssertEqual(report.usersChecked, 32)
        XCTAssertEqual(report.voteBitsVersionUpdated, 4 * 3)
        XCTAssertEqual(report.voteBitsReset, 4 * 4)
        XCTAssertTrue(logs.text.contains("updated VoteBitsVersion from 4 to 6 for uid 2"))
        XCTAssertFalse(logs.text.contains("updated VoteBits from 1 to 1 for uid 2"))
        XCTAssertTrue(logs.text.contains("reset invalid VoteBits from 7 to 1 for uid 28"))
        XCTAssertTrue(logs.text.contains("updated VoteBits from 5 to 1 for uid 32"))
        // A second start has nothing to change.
        let again = try await sync.resetVoteBits(voteVersion: 6, agendas: [agenda])
        XCTAssertEqual(again.voteBitsVersionUpdated + again.voteBitsReset, 0)
    }
}

extension Agenda {
    /// One agenda on bits 0x0006: abstain 0, no 2, yes 4.
    static let lnFeatures = Agenda(id: "lnfeatures", description: "", mask: 0x0006, choices: [
        AgendaChoice(id: "abstain", description: "", bits: 0, isAbstain: true),
        AgendaChoice(id: "no", description: "", bits: 0x0002, isNo: true),
        AgendaChoice(id: "yes", description: "", bits: 0x0004),
    ], startTime: 0, expireTime: 0)
}
