import Foundation
import HostTestSupport
import PoolKernel
import PoolNet
import PoolTestKit
import XCTest

/// README's "Your first vote in five minutes", step by step in a real headless Chromium against the real dev stack
/// (`DevStack`: simwallet, two stakepoolds, the web app process, `poolctl dev`): `dev mine 120`, the demo account
/// signs in with its printed password, `dev buy … --count 5`, then `dev mine 1`, `16`, `10` — the tickets page shows
/// the five immature, then live, then voted, and the stats page counts them.
///
/// With `POOL_WRITE_SCREENSHOTS=1` (`make screenshots`) the pages are saved as the README's screenshots in
/// docs/screenshots/; otherwise the same flow runs and asserts, its screenshots going to test-artifacts/browser/.
/// Synchronous like the other browser tests: the DevTools calls block.
final class WalkthroughScreenshotTests: XCTestCase {
    private var stack: DevStack?
    private var chromium: HeadlessChromium?
    private static let repoRoot = WebAppTestConfig.repoRoot

    override func tearDown() {
        chromium?.stop()
        chromium = nil
        stack?.stop()
        stack = nil
    }

    func testWalkthrough_demoAccountSeesItsTicketsImmatureThenLiveThenVoted() throws {
        let binary = try HeadlessChromium.requireBinary()
        let stack = try blocking(seconds: 300) { try await DevStack(prefix: "walkthrough") }
        self.stack = stack
        let writeDocs = ProcessInfo.processInfo.environment["POOL_WRITE_SCREENSHOTS"] == "1"
        let folder = writeDocs ? Self.repoRoot + "/docs/screenshots" : Self.repoRoot + "/test-artifacts/browser"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)

        // What scripts/dev-run.sh does before the web app starts, then the web app.
        XCTAssertEqual(try stack.dev(["dev", "mine", "120"]).status, 0)
        let demo = try stack.dev(["dev", "demo-account"])
        XCTAssertEqual(demo.status, 0, demo.all)
        let password = try XCTUnwrap(demo.out.range(of: #"with password [0-9a-f]{24}"#, options: .regularExpression)
            .map { String(demo.out[$0].split(separator: " ").last!) }, demo.all)
        let port = try blocking(seconds: 120) { try await stack.startWebApp() }
        let site = "http://127.0.0.1:\(port)"

        let browser = try HeadlessChromium(binary: binary, directory: stack.harness.directory, width: 1000, height: 720)
        chromium = browser
        let page = browser.page!
        func shot(_ name: String) throws {
            let path = "\(folder)/\(name).png"
            try? FileManager.default.removeItem(atPath: path)
            try page.screenshot(to: path)
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            XCTAssertGreaterThan(size, 1000, "screenshot \(name)")
        }
        /// The ticket hashes listed in the table with `id`.
        func listed(_ id: String) throws -> Set<String> {
            let cells = try page.evaluate("Array.from(document.querySelectorAll('#\(id) tbody tr td:first-child')).map(td => td.innerText)")
            return Set(cells.arrayValue?.compactMap(\.stringValue) ?? [])
        }

        // Step 1: sign in with the printed password; the tickets page has the addresses and no tickets yet.
        try page.navigate(site + "/signin")
        try page.type("#inputEmail3", "demo@example.com")
        try page.type("#inputPassword3", password)
        try page.clickAndWait("form[action='/signin'] button[type=submit]")
        try page.navigate(site + "/tickets")
        var text = try page.text()
        XCTAssertTrue(text.contains("P2SH Address:") && text.contains("Immature Tickets (0)") && text.contains("Live Tickets (0)"), text)

        // Step 2: five tickets, mined in the next block: immature; matured 16 blocks later (simnet's ticket maturity):
        // live; called from the stake validation height on and voted by stakepoold: voted.
        let bought = try stack.dev(["dev", "buy", "demo@example.com", "--count", "5"])
        XCTAssertEqual(bought.status, 0, bought.all)
        let tickets = Set(DevStack.hashes(bought.out))
        XCTAssertEqual(tickets.count, 5, bought.all)
        for (blocks, heading, table, name) in [("1", "Immature Tickets (5)", "ticketsimmature", "walkthrough-1-immature"),
                                               ("16", "Live Tickets (5)", "ticketslive", "walkthrough-2-live"),
                                               ("10", "Voted Tickets (5)", "ticketsvoted", "walkthrough-3-voted")] {
            XCTAssertEqual(try stack.dev(["dev", "mine", blocks]).status, 0)
            try page.navigate(site + "/tickets")
            text = try page.text()
            XCTAssertTrue(text.contains(heading), "after mining \(blocks): \(text)")
            XCTAssertEqual(try listed(table), tickets, "after mining \(blocks)")
            // The table's section at the top of the screenshot (with no unspent tickets the instructions are open).
            try page.evaluate("document.getElementById('\(table)').closest('details').scrollIntoView()")
            try shot(name)
        }
        let info = try stack.dev(["dev", "info"])
        XCTAssertTrue(info.out.contains("immature 0, live 0, voted 5, missed 0"), info.all)
        try page.navigate(site + "/stats")
        XCTAssertEqual(try page.evaluate("document.getElementById('Voted').innerText").stringValue, "5")
        XCTAssertEqual(try page.evaluate("document.getElementById('Missed').innerText").stringValue, "0")
        try shot("walkthrough-4-stats")
    }
}
