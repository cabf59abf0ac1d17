import Foundation
import PoolKernel
import PoolTestKit
import WebAppHost
import XCTest

/// The web app's database check raises the operator's `database` incident (issue 18 item 4), with an injected
/// clock: the `ALERT database-down` error line is written the moment the check fails; the alert mail cannot be
/// queued then (the outbox lives in that database), so it is held and queued — saying since when — together
/// with the recovery message when the check answers again.
final class WebAppDatabaseIncidentTests: XCTestCase {
    func testDatabaseIncident_loggedAtOnce_mailQueuedWithItsRecoveryWhenTheDatabaseAnswers() async throws {
        let storage = InMemoryStorage()
        let now = LockedValue(Date(timeIntervalSince1970: 1_800_000_000))
        let clock: @Sendable () -> Date = { now.value }
        let logs = CapturingSink()
        let alerter = OperatorAlerter(configuration: .init(recipient: "ops@example.com", sender: "pool@example.com"),
                                      storage: storage, logger: LogBackend(level: .info, sinks: [logs]).logger("DCRS"), clock: clock)
        let health = WebAppHealth(pool: WalletPool(members: [], logger: .disabled), storage: storage, mailPlugin: "log",
                                  stakepoolds: PeerReachability(names: []), clock: clock, alerter: alerter, logger: .disabled)
        let first = await health.report()
        XCTAssertEqual(first.status, .ok)

        // The check's read and the alert mail's write both fail: the database is down.
        storage.failNext(2, with: StorageError(.unavailable, "Can't connect to server on '127.0.0.1' (111)"))
        now.withLock { $0 += 3 }
        let down = await health.report()
        XCTAssertEqual(down.status, .down)
        let alert = try XCTUnwrap(logs.captured.first { $0.contains("ALERT database-down") }, logs.text)
        XCTAssertTrue(alert.contains("[ERR]") && alert.contains("hxstakepool: database unreachable"), logs.text)
        XCTAssertEqual(alerter.heldMailCount, 1, "held until the database can queue it")
        XCTAssertEqual(alerter.openIncidents, ["database"])
        var queued = try await storage.read { try $0.outboxMessages(status: .queued, limit: 10) }
        XCTAssertTrue(queued.isEmpty)

        // The same failed result seen again (cached, or by the background refresh) is not a second alert.
        _ = await health.report()
        XCTAssertEqual(logs.captured.filter { $0.contains("ALERT database-") }.count, 1, logs.text)

        now.withLock { $0 += 60 }
        let back = await health.report()
        XCTAssertEqual(back.status, .ok)
        queued = try await storage.read { try $0.outboxMessages(status: .queued, limit: 10) }
        XCTAssertEqual(queued.count, 2, "\(queued.map(\.subject))")
        XCTAssertEqual(queued.first?.subject, "[hxstakepool] hxstakepool: database unreachable")
        XCTAssertTrue(queued[0].body.contains("open since 2027-01-15T08:00:03Z"), queued[0].body)
        XCTAssertTrue(queued[0].body.contains("Can't connect to server"), queued[0].body)
        XCTAssertTrue(queued[0].body.contains("raised at 2027-01-15T08:00:03Z and held back"), queued[0].body)
        XCTAssertTrue(queued[1].subject.contains("database reachable again (trouble since 2027-01-15T08:00:03Z, 60 s)"),
                      queued[1].subject)
        XCTAssertEqual(alerter.heldMailCount, 0)
        XCTAssertEqual(alerter.openIncidents, [])
    }
}
