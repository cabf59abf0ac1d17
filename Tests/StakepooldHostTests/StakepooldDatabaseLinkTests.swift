import Foundation
import PoolKernel
import PoolTestKit
import StakepooldHost
import VotePolicies
import XCTest

/// The engine's database link (issue 18 item 3): an outage that starts while the daemon runs is noticed by the
/// vote audit write (not only by a prefs reload), voting goes on, and when the database answers again the link
/// is up and every user's prefs are reloaded from it.
final class StakepooldDatabaseLinkTests: XCTestCase {
    func testDatabaseLink_outageSeenByTheAuditThenResynced() async throws {
        let storage = try await StakepooldTestFixture.storageWithOwner()
        let wallet = StakepooldTestFixture.wallet()
        let simnet = try NetParams.named("simnet")
        var settings = StakepooldEngine.Settings()
        settings.databaseBackoff = .init(base: .milliseconds(10), cap: .milliseconds(50))
        let engine = try await StakepooldEngine.start(
            wallet: wallet, node: InMemoryNode(), storage: storage, policy: UserPrefsPolicy(),
            agendas: { simnet.agendas(forVoteVersion: $0) }, settings: settings, logger: .disabled)
        let database = try XCTUnwrap(engine.database)
        XCTAssertTrue(database.isUp)
        let services = Task { try await withThrowingDiscardingTaskGroup { group in
            for service in engine.services { group.addTask { try await service.run() } }
        } }
        defer { services.cancel(); engine.reloader.finish() }

        // A user the daemon has not loaded yet (nothing asks it to reload): it is loaded by the resync.
        _ = try await storage.insertUser(User(email: "late@example.com", passwordHash: "x", multiSigAddress: "SsWpLateUser111111111111111111111111",
                                              voteBits: 1, voteBitsVersion: 6))
        XCTAssertEqual(engine.prefs.count, 1)
        storage.failNext(1_000_000)
        let report = await engine.loop.process(WinningTickets(blockHash: String(repeating: "d", count: 64), blockHeight: 600,
                                                              tickets: [StakepooldTestFixture.tickets[2]]))
        XCTAssertEqual(report.cast, 1, "voting goes on without the database")
        XCTAssertFalse(database.isUp, "the failed audit write marked the database down")
        XCTAssertNotNil(database.outageStart)

        storage.failNext(0)
        for _ in 0..<500 where !(database.isUp && engine.prefs.count == 2) { try await Task.sleep(for: .milliseconds(10)) }
        XCTAssertTrue(database.isUp)
        XCTAssertEqual(engine.prefs.count, 2, "prefs reloaded after the outage")
        XCTAssertEqual(database.outageStart, nil)
    }
}
