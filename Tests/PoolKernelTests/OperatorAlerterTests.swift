import Foundation
import PoolKernel
import PoolTestKit
import XCTest

/// Operator alerts by incident (issue 18 item 4), with an injected clock: one message per incident naming
/// every wallet, a recovery message for every incident that was told, a new outage right after a recovery is
/// told too, and flaps are summarised rather than dropped.
final class OperatorAlerterTests: XCTestCase {
    func testAlerts_twoWalletsDownInOneProbeMakeOneMessageNamingBoth() async throws {
        let fixture = WalletPoolFixture(alertInterval: 900)
        let monitor = WalletPoolMonitor(pool: fixture.pool, logger: .disabled)
        await monitor.tick()
        fixture.setDown(0)
        fixture.setDown(2)
        fixture.clock.advance(30)
        await monitor.tick()
        var mails = try await fixture.alertMails()
        XCTAssertEqual(mails.count, 1, "\(mails.map(\.subject))")
        let opening = try XCTUnwrap(mails.first)
        XCTAssertTrue(opening.subject.contains("wallet 0 (w0) is down") && opening.subject.contains("wallet 2 (w2) is down"),
                      opening.subject)
        XCTAssertTrue(opening.body.contains("open since 2023-11-14T22:13:50Z"), opening.body)
        // Both come back in the next probe: one recovery message.
        fixture.setDown(0, false)
        fixture.setDown(2, false)
        fixture.clock.advance(30)
        await monitor.tick()
        mails = try await fixture.alertMails()
        XCTAssertEqual(mails.count, 2, "\(mails.map(\.subject))")
        XCTAssertTrue(mails[1].subject.contains("recovered"), mails[1].subject)
        XCTAssertTrue(mails[1].subject.contains("30 s"), mails[1].subject)
    }

    func testAlerts_recoveryIsAlwaysToldAndASecondOutageSoonAfterIsToo() async throws {
        let fixture = WalletPoolFixture(alertInterval: 900)
        let monitor = WalletPoolMonitor(pool: fixture.pool, logger: .disabled)
        await monitor.tick()
        for (step, down) in [true, false, true].enumerated() {
            fixture.setDown(1, down)
            fixture.clock.advance(60)
            await monitor.tick()
            let mails = try await fixture.alertMails()
            XCTAssertEqual(mails.count, step + 1, "step \(step): \(mails.map(\.subject))")
        }
        let mails = try await fixture.alertMails().map(\.subject)
        XCTAssertTrue(mails[0].contains("is down") && mails[1].contains("recovered") && mails[2].contains("is down"), "\(mails)")
    }

    func testAlerts_stakepooldIncidentGroupsHostsAndToldOnceEachWay() async throws {
        let storage = InMemoryStorage()
        let clock = TestClock()
        let alerter = OperatorAlerter(configuration: .init(recipient: "ops@example.com", minimumInterval: 900),
                                      storage: storage, logger: .disabled, clock: clock.function)
        await alerter.send(.stakepooldTrouble(host: "10.0.0.1:9113", problem: "connection refused"))
        clock.advance(5)
        await alerter.send(.stakepooldTrouble(host: "10.0.0.2:9113", problem: "connection refused"))
        clock.advance(5)
        await alerter.send(.stakepooldRecovered(host: "10.0.0.1:9113"))
        XCTAssertEqual(alerter.openIncidents, ["stakepoold"])
        var mails = try await storage.read { try $0.outboxMessages(status: .queued, limit: 100) }
        XCTAssertEqual(mails.count, 1, "one message while the incident stays open: \(mails.map(\.subject))")
        clock.advance(5)
        await alerter.send(.stakepooldRecovered(host: "10.0.0.2:9113"))
        mails = try await storage.read { try $0.outboxMessages(status: .queued, limit: 100) }
        XCTAssertEqual(mails.count, 2)
        XCTAssertTrue(mails[1].subject.contains("reachable again"), mails[1].subject)
        XCTAssertTrue(mails[1].body.contains("10.0.0.2:9113 unreachable") && mails[1].body.contains("3 events"), mails[1].body)
        XCTAssertEqual(alerter.openIncidents, [])
        // A missed vote is never grouped or held.
        await alerter.send(OperatorAlert(kind: .voteMissed, walletIndex: nil, subject: "vote missed", body: "ticket"))
        await alerter.send(OperatorAlert(kind: .voteMissed, walletIndex: nil, subject: "vote missed", body: "ticket"))
        mails = try await storage.read { try $0.outboxMessages(status: .queued, limit: 100) }
        XCTAssertEqual(mails.count, 4)
    }
}
