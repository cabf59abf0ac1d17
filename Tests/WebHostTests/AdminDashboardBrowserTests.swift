import Foundation
import HostKit
import HostTestSupport
import PoolKernel
import PoolNet
import PoolTestKit
import WebAppHost
import WebHost
import XCTest

/// Issue 22 item 4: a headless Chromium signs in as the admin of the real web app (assembled from a
/// config file), opens `/admin`, searches a ticket, reads the charts and screenshots them, on a desktop and a phone
/// viewport. Screenshots go to `test-artifacts/browser/` (README's copy: `docs/screenshots/admin-dashboard.png`).
///
/// Synchronous on purpose, as `PagesBrowserTests`: the DevTools calls block.
final class AdminDashboardBrowserTests: XCTestCase {
    private var chromium: HeadlessChromium?
    private var app: WebApp?
    private var runner: Task<Void, any Error>?
    private var directory: URL?
    private let artifacts = WebAppTestConfig.repoRoot + "/test-artifacts/browser"

    override func tearDown() {
        chromium?.stop()
        chromium = nil
        if let app, let runner {
            app.shutdown()
            _ = try? blocking(seconds: 30) { _ = try? await runner.value }
        }
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    func testAdminDashboardBrowser_signInSearchATicketAndScreenshotTheCharts() throws {
        let binary = try HeadlessChromium.requireBinary()
        let directory = try TestEnvironment.makeTemporaryDirectory(prefix: "dashboard-browser")
        self.directory = directory
        let path = try WebAppTestConfig.write(into: directory.path, adminIPs: "127.0.0.1",
                                              extra: "bcryptcost=4\nadminuserids=1\npoolfees=5")
        let (loaded, _, _) = try PoolConfig.load(arguments: ["-C", path], home: directory.path, plugins: .builtIn(),
                                                 hostOptions: WebAppHostOptions.all)
        let config = try XCTUnwrap(loaded)
        let app = try blocking(seconds: 60) {
            try await WebApp.assemble(config: config, plugins: .builtIn(), logs: LogBackend(level: .error, sinks: [CapturingSink()]))
        }
        self.app = app
        guard case let .tcp(_, port) = try app.bind() else { throw HeadlessChromium.LaunchError("no TCP listener") }
        runner = Task { try await app.run() }
        let site = "http://127.0.0.1:\(port)"

        // The admin (user 1), a user whose ticket missed, and three days of hourly history up to this hour (written
        // after the web app's own sample of this hour, which it replaces: one row per hour, the last write wins).
        let password = "a long enough pass phrase 42"
        let missed = String(repeating: "7e", count: 32)
        let hour = PoolHistorySample.hour(containing: Int64(Date().timeIntervalSince1970))
        try blocking(seconds: 30) {
            while try await app.storage.read({ try $0.historySamples(since: hour, limit: 1) }).isEmpty {
                try await Task.sleep(for: .milliseconds(50))
            }
            let hash = try BCrypt.hash(password: password, cost: 4)
            _ = try await app.storage.insertUser(User(email: "operator@example.com", passwordHash: hash, emailVerified: .verified))
            let owner = try await app.storage.insertUser(User(email: "owner@example.com", passwordHash: hash,
                                                              multiSigAddress: "SsOwnerAddress", emailVerified: .verified))
            try await app.storage.write { tx in
                for index in 0...72 {
                    let day = Int64(index / 24)
                    try tx.upsertHistorySample(PoolHistorySample(
                        hourStart: hour - Int64(index) * 3_600, liveTickets: 40 + Int64((index * 7) % 23),
                        votedTotal: 300 - Int64(index) * 4, missedTotal: 9 - day * 2, users: 120 - Int64(index / 3),
                        activeUsers: 80 - Int64(index / 4), feeRevenueAtoms: 90_000_000_000 - Int64(index) * 400_000_000))
                }
                _ = try tx.appendVoteAudit(VoteAuditRecord(ticketHash: missed, blockHeight: 4_242, blockHash: String(repeating: "0", count: 64),
                                                           userId: owner.id, voteBits: 1, policyName: "user", reason: "user's choice",
                                                           result: .failed, detail: "no wallet answered in time",
                                                           receivedAtMillis: Int64(Date().timeIntervalSince1970) * 1_000,
                                                           decisionMicros: 20, totalMicros: 2_500_000))
            }
        }

        try FileManager.default.createDirectory(atPath: artifacts, withIntermediateDirectories: true)
        let browser = try HeadlessChromium(binary: binary, directory: directory, width: 1200, height: 900)
        chromium = browser
        let page = browser.page!

        // Signed out, the gate answers 403 even from an admin address (adminuserids is set).
        try page.navigate(site + "/admin")
        XCTAssertEqual(try page.status(), 403)
        try page.navigate(site + "/signin")
        try page.type("#inputEmail3", "operator@example.com")
        try page.type("#inputPassword3", password)
        try page.clickAndWait("form[action='/signin'] button[type=submit]")
        XCTAssertEqual(try page.location(), "/settings")

        try page.navigate(site + "/admin")
        XCTAssertEqual(try page.status(), 200)
        let text = try page.text()
        XCTAssertTrue(text.contains("Operator dashboard"), text)
        XCTAssertTrue(text.contains("owner@example.com") && text.contains("no wallet answered in time"), "the miss and its owner")

        // Search the missed ticket from the form, as an operator would.
        try page.type("#q", missed)
        try page.clickAndWait("form[role=search] button[type=submit]")
        XCTAssertEqual(try page.location(), "/admin?q=" + missed)
        XCTAssertEqual(try page.evaluate("document.querySelector('#search-owner').textContent").stringValue, "owner@example.com")
        XCTAssertTrue(try page.text().contains("2500 ms"), "the attempt's latency")

        // The charts render as SVG in the browser: four of them, each with its shapes laid out at a real size.
        let charts = try page.evaluate("""
            Array.from(document.querySelectorAll('figure.chart svg')).map(s => {
              const r = s.getBoundingClientRect();
              return [s.closest('figure').id, Math.round(r.width), s.querySelectorAll('polyline, rect').length] })
            """).arrayValue ?? []
        let ids = charts.compactMap { $0.arrayValue?.first?.stringValue }
        XCTAssertEqual(ids, ["chart-pool-size", "chart-votes-per-day", "chart-users", "chart-fee-revenue"])
        for chart in charts {
            let values = chart.arrayValue ?? []
            XCTAssertGreaterThan(values[1].intValue ?? 0, 200, "\(chart) is drawn at a readable width")
            XCTAssertGreaterThan(values[2].intValue ?? 0, 0, "\(chart) has lines or bars")
        }
        // The pool-size line has a point per stored hour: 73, the web app's sample of this hour replaced by the test's.
        let points = try page.evaluate("document.querySelector('#chart-pool-size polyline').points.numberOfItems").intValue
        let stored = try blocking { try await app.storage.read { try $0.historySamples(since: 0, limit: 1_000).count } }
        XCTAssertEqual(stored, 73)
        XCTAssertEqual(points, Int64(stored))
        try page.evaluate("document.querySelector('.charts').scrollIntoView()")
        try page.saveScreenshot("admin-dashboard-charts", in: artifacts)
        XCTAssertEqual(try AxeAudit.load().seriousViolations(on: page), [], "axe on /admin with a search result")

        // On a phone the page does not scroll sideways (wide tables scroll inside their box) and charts fit.
        try page.setViewport(width: 390, height: 844, mobile: true)
        try page.navigate(site + "/admin")
        let overflow = try page.evaluate("document.documentElement.scrollWidth - window.innerWidth").intValue ?? 1
        XCTAssertLessThanOrEqual(overflow, 0, "the dashboard is wider than a phone")
        let chartWidth = try page.evaluate("Math.round(document.querySelector('#chart-pool-size svg').getBoundingClientRect().width)").intValue ?? 0
        XCTAssertTrue((250...390).contains(chartWidth), "chart width on a phone: \(chartWidth)")
        try page.evaluate("document.querySelector('.charts').scrollIntoView()")
        try page.saveScreenshot("admin-dashboard-phone", in: artifacts)
    }
}
