import Foundation
import HostKit
import HostTestSupport
import PoolKernel
import PoolTestKit
@testable import WebAppHost
import WebHost
import XCTest

/// Issue 22 items 2 and 3, through the real web app assembled from a config file: `/admin` behind the
/// admin gate, its figures against what the test stored, the low-fee form with its CSRF token, the ticket search,
/// and the charts' points against the hourly history the web app samples.
final class AdminDashboardWiringTests: XCTestCase {
    private let running = RunningWebApps()
    private let password = "a long enough pass phrase 42"

    override func tearDown() async throws { await running.stopAll() }

    private func startApp(_ extra: String) async throws -> (WebApp, Int) { try await running.start(prefix: "webapp-dashboard", extra) }

    private func addUser(_ app: WebApp, _ email: String, address: String = "") async throws -> UserId {
        let hash = try BCrypt.hash(password: password, cost: 4)
        return try await app.storage.insertUser(User(email: email, passwordHash: hash, multiSigAddress: address,
                                                     emailVerified: .verified)).id
    }

    /// The web app samples the current hour at start: wait for that row so the history no longer moves.
    private func waitForCurrentHourSample(_ app: WebApp) async throws -> [PoolHistorySample] {
        for _ in 0..<200 {
            let hour = PoolHistorySample.hour(containing: Int64(Date().timeIntervalSince1970))
            let rows = try await app.storage.read { try $0.historySamples(since: 0, limit: 10_000) }
            if rows.contains(where: { $0.hourStart == hour }) { return rows }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw PageClient.ClientError("the web app wrote no history row for the current hour")
    }

    private static func text(ofId id: String, in page: String) -> String? {
        PageClient.capture(#"id="\#(id)">([^<]*)<"#, in: page)
    }

    func testDashboard_gateRefusesStrangersNonAdminsAndOtherAddresses() async throws {
        let (app, port) = try await startApp("adminips=127.0.0.1\nadminuserids=1")
        _ = try await addUser(app, "admin@example.com")
        _ = try await addUser(app, "user@example.com")
        let hash = String(repeating: "ab", count: 32)

        let stranger = PageClient(port: port)
        XCTAssertEqual(try stranger.get("/admin").status, 403, "signed out")
        XCTAssertEqual(try stranger.post("/admin/lowfee", [("ticket", hash)]).status, 403, "signed out")
        let user = PageClient(port: port)
        try user.signIn("user@example.com", password)
        XCTAssertEqual(try user.get("/admin").status, 403, "signed in, not a listed admin")
        XCTAssertEqual(try user.get("/admin?q=admin@example.com").status, 403, "the search is behind the gate too")
        let admin = PageClient(port: port)
        try admin.signIn("admin@example.com", password)
        let page = try admin.get("/admin")
        XCTAssertEqual(page.status, 200)
        XCTAssertTrue(page.text.contains("Operator dashboard"))
        XCTAssertEqual(page.header("Cache-Control"), "no-store")
        let elsewhere = PageClient(port: port, source: "127.0.0.2")
        elsewhere.cookies = admin.cookies
        XCTAssertEqual(try elsewhere.get("/admin").status, 403, "the listed admin, not from an admin IP")
        let added = try await app.storage.read { try $0.lowFeeTickets() }
        XCTAssertEqual(added, [], "refused requests changed nothing")
    }

    func testDashboard_figuresSearchAndLowFeeFormFromWhatWasStored() async throws {
        let (app, port) = try await startApp("adminips=127.0.0.1")
        let alice = try await addUser(app, "alice@example.com", address: "SsAliceAddress")
        _ = try await addUser(app, "bob@example.com", address: "SsBobAddress")
        for n in 0..<3 { _ = try await addUser(app, "plain\(n)@example.com") }
        let now = Int64(Date().timeIntervalSince1970)
        // A week ago there were two accounts; mail that is not due for a day (the outbox leaves it queued).
        let later = now + 86_400
        let missedTicket = String(repeating: "c1", count: 32), votedTicket = String(repeating: "d2", count: 32)
        try await app.storage.write { tx in
            try tx.upsertHistorySample(PoolHistorySample(hourStart: PoolHistorySample.hour(containing: now - 7 * 86_400), users: 2))
            _ = try tx.enqueueMail(OutboxMessage(to: "a@example.com", subject: "s", body: "b", messageID: "<m1@test>", nextAttemptAt: later, createdAt: now))
            _ = try tx.enqueueMail(OutboxMessage(to: "a@example.com", subject: "s", body: "b", messageID: "<m2@test>",
                                                 attempts: 2, nextAttemptAt: later, lastError: "connection refused", createdAt: now))
            _ = try tx.enqueueMail(OutboxMessage(to: "a@example.com", subject: "s", body: "b", messageID: "<m3@test>",
                                                 status: .failed, attempts: 5, nextAttemptAt: later, lastError: "gave up", createdAt: now))
            for (ticket, result, micros) in [(votedTicket, VoteAuditRecord.Result.voted, Int64(40_000)),
                                             (missedTicket, .failed, 900_000)] {
                _ = try tx.appendVoteAudit(VoteAuditRecord(ticketHash: ticket, blockHeight: 77, blockHash: String(repeating: "0", count: 64),
                                                           userId: alice, voteBits: 1, policyName: "user", reason: "user's choice",
                                                           result: result, detail: result == .failed ? "wallet timed out" : "",
                                                           receivedAtMillis: now * 1_000, decisionMicros: 10, totalMicros: micros))
            }
        }
        let admin = PageClient(port: port)
        let page = try admin.get("/admin").text
        XCTAssertEqual(Self.text(ofId: "fig-users", in: page), "5")
        XCTAssertEqual(Self.text(ofId: "fig-active", in: page), "2")
        XCTAssertEqual(Self.text(ofId: "fig-week", in: page), "3", "5 accounts now, 2 a week ago")
        XCTAssertEqual(Self.text(ofId: "fig-mail-queued", in: page), "2")
        XCTAssertEqual(Self.text(ofId: "fig-mail-retrying", in: page), "1")
        XCTAssertEqual(Self.text(ofId: "fig-mail-failed", in: page), "1")
        XCTAssertEqual(Self.text(ofId: "latency-p50", in: page), "40 ms", "the one vote cast took 40,000 µs")
        // The wallets' own figures, read by the test from the wallet pool.
        let info = try await app.services.pool.stakeInfo()
        XCTAssertEqual(Self.text(ofId: "fig-live", in: page), String(info.live))
        XCTAssertEqual(Self.text(ofId: "fig-voted", in: page), String(info.voted))
        let missedTable = try XCTUnwrap(PageClient.capture(#"(?s)<table id="missed-tickets"[^>]*>(.*?)</table>"#, in: page))
        XCTAssertTrue(missedTable.contains(missedTicket) && missedTable.contains("alice@example.com")
                      && missedTable.contains("wallet timed out"), missedTable)
        XCTAssertFalse(missedTable.contains(votedTicket), "a vote cast is not a miss")

        // Ticket search by hash names the owner; by email and by id finds the user.
        let byTicket = try admin.get("/admin?q=\(missedTicket)").text
        XCTAssertEqual(Self.text(ofId: "search-owner", in: byTicket), "alice@example.com")
        XCTAssertTrue(byTicket.contains("wallet timed out"))
        XCTAssertTrue(try admin.get("/admin?q=ALICE@example.com").text.contains("User \(alice.rawValue): alice@example.com"))
        XCTAssertTrue(try admin.get("/admin?q=\(alice.rawValue)").text.contains("alice@example.com"))
        XCTAssertTrue(try admin.get("/admin?q=nobody@example.com").text.contains("No ticket or user matches"))

        // The low-fee form: refused without the page's CSRF token or with a bad hash; added with both right.
        let hash = String(repeating: "ef", count: 32)
        XCTAssertEqual(try admin.post("/admin/lowfee", [("ticket", hash)]).status, 400, "no CSRF token")
        let token = try XCTUnwrap(PageClient.capture(#"name="csrf_token" value="([0-9a-f]+)""#, in: try admin.get("/admin").text))
        let bad = try admin.post("/admin/lowfee", [("csrf_token", token), ("ticket", "not-a-hash")])
        XCTAssertEqual(bad.status, 400)
        XCTAssertTrue(bad.text.contains("64 hexadecimal characters"))
        let none = try await app.storage.read { try $0.lowFeeTickets() }
        XCTAssertEqual(none, [])
        let good = try admin.post("/admin/lowfee", [("csrf_token", token), ("ticket", hash.uppercased())])
        XCTAssertEqual(good.status, 303)
        XCTAssertEqual(good.header("Location"), "/admin?lowfee=added")
        let stored = try await app.storage.read { try $0.lowFeeTickets() }
        XCTAssertEqual(stored, [hash])
        let listed = try XCTUnwrap(PageClient.capture(#"(?s)<ul id="lowfee-added">(.*?)</ul>"#, in: try admin.get("/admin?lowfee=added").text))
        XCTAssertTrue(listed.contains(hash))
    }

    /// The web app runs the missed-and-expired sweep as a service: opening the dashboard starts it, and it asks the
    /// real wallet pool about every account with an address (what the wallets answer is asked by the test too).
    func testDashboard_openingItSweepsEveryAccountsTicketsThroughTheWallets() async throws {
        let (app, port) = try await startApp("adminips=127.0.0.1")
        _ = try await addUser(app, "carol@example.com", address: "SsCarolAddress")
        _ = try await addUser(app, "dave@example.com")
        var expectedTotal = 0, expectedFailed = 0
        do {
            let info = try await app.services.pool.stakePoolUserInfo(multisigAddress: "SsCarolAddress")
            expectedTotal = info.tickets.filter { $0.status == "missed" || $0.status == "expired" }.count
        } catch {
            expectedFailed = 1
        }
        let admin = PageClient(port: port)
        var page = try admin.get("/admin").text
        for _ in 0..<200 where !page.contains(#"id="unvoted-total""#) {
            try await Task.sleep(for: .milliseconds(50))
            page = try admin.get("/admin").text
        }
        XCTAssertEqual(Self.text(ofId: "unvoted-accounts", in: page), "1", "one account has an address")
        XCTAssertEqual(Self.text(ofId: "unvoted-total", in: page), String(expectedTotal))
        XCTAssertEqual(page.contains("1 account(s) not answered"), expectedFailed == 1, page)
    }

    func testDashboard_chartPointsMatchTheStoredHistory() async throws {
        let (app, port) = try await startApp("adminips=127.0.0.1")
        let hour = PoolHistorySample.hour(containing: Int64(Date().timeIntervalSince1970))
        // Two days of hours ending three hours ago, live tickets going up and down, votes growing.
        try await app.storage.write { tx in
            for index in 0..<48 {
                let live = Int64([3, 9, 14, 7, 22, 5][index % 6] + index)
                try tx.upsertHistorySample(PoolHistorySample(hourStart: hour - Int64(51 - index) * 3_600, liveTickets: live,
                                                             votedTotal: Int64(index * 2), missedTotal: Int64(index / 10),
                                                             users: Int64(10 + index), activeUsers: Int64(index / 2)))
            }
        }
        let history = try await waitForCurrentHourSample(app)
        XCTAssertEqual(history.count, 49, "48 stored hours and the web app's own sample of this hour")
        let client = PageClient(port: port)
        for path in ["/admin", "/stats"] {
            let page = try client.get(path)
            XCTAssertEqual(page.status, 200, path)
            let figure = try XCTUnwrap(PageClient.capture(#"(?s)<figure class="chart" id="chart-pool-size">(.*?)</figure>"#, in: page.text), path)
            let from = try XCTUnwrap(PageClient.capture(#"data-from="(-?\d+)""#, in: figure).flatMap { Double($0) })
            let to = try XCTUnwrap(PageClient.capture(#"data-to="(-?\d+)""#, in: figure).flatMap { Double($0) })
            let yMax = try XCTUnwrap(PageClient.capture(#"data-ymax="(\d+)""#, in: figure).flatMap { Double($0) })
            XCTAssertEqual(from, Double(history.first!.hourStart), path)
            XCTAssertEqual(to, Double(history.last!.hourStart), path)
            let highest = Double(history.map(\.liveTickets).max()!)
            XCTAssertTrue(yMax >= highest && yMax <= highest * 2.5, "the axis holds the highest value: \(yMax)")
            let points = try XCTUnwrap(PageClient.capture(#"<polyline[^>]*points="([^"]*)""#, in: figure))
                .split(separator: " ").map { $0.split(separator: ",").compactMap { Double($0) } }
            XCTAssertEqual(points.count, history.count, "one point per stored hour on \(path)")
            // The documented geometry: plot x 8…632, y 30…190.
            for (point, sample) in zip(points, history) {
                let x = 8 + 624 * (Double(sample.hourStart) - from) / (to - from)
                let y = 190 - 160 * Double(sample.liveTickets) / yMax
                XCTAssertEqual(point[0], x, accuracy: 0.051, "hour \(sample.hourStart) on \(path)")
                XCTAssertEqual(point[1], y, accuracy: 0.051, "\(sample.liveTickets) live tickets on \(path)")
            }
        }
        let dashboard = try client.get("/admin").text
        for id in ["votes-per-day", "users", "fee-revenue"] {
            XCTAssertTrue(dashboard.contains(#"id="chart-\#(id)""#), "the dashboard draws \(id)")
        }
        let stats = try client.get("/stats").text
        XCTAssertTrue(stats.contains(#"id="chart-votes-per-day""#))
        XCTAssertFalse(stats.contains(#"id="chart-fee-revenue""#), "revenue is for the operator only")
        let charts = try XCTUnwrap(PageClient.capture(#"(?s)<div class="charts">(.*?)<h3>Hourly samples"#, in: dashboard))
        XCTAssertTrue(charts.contains("<svg") && !charts.contains("<script") && charts.range(of: #"\son[a-z]+="#, options: .regularExpression) == nil,
                      "charts are inline SVG drawn by the server, without script or event handlers")
        // The hourly table shows the newest hour first.
        let table = try XCTUnwrap(PageClient.capture(#"(?s)<table id="history"[^>]*>.*?<tbody>\s*<tr><td>([^<]*)</td><td>(\d+)</td>"#, in: dashboard))
        XCTAssertTrue(table.hasSuffix("UTC"), table)
    }
}
