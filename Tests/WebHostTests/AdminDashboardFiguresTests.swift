import Foundation
import PoolKernel
import PoolTestKit
@testable import WebHost
import XCTest

/// Issue 22: the dashboard's aggregates are worked out once and shared for `dashboardFiguresMaxAge` seconds (their
/// age shown, the wallets from the monitor's last probe instead of a probe round per request), and the pool-wide
/// missed and expired tickets with their owners, swept from the wallets and paged. Requests go through the real
/// pages and router (admin gate by IP) over in-memory storage; the clock is the test's.
final class AdminDashboardFiguresTests: XCTestCase {
    private let now = LockedValue<Int64>(1_700_000_000)

    /// Per multisig address, the tickets the fake wallets report; listed addresses do not answer.
    private final class TicketsByAddress: TicketInfoSource {
        let tickets: [String: [StakePoolUserTicket]]
        let failing: Set<String>
        init(_ tickets: [String: [StakePoolUserTicket]], failing: Set<String> = []) {
            self.tickets = tickets
            self.failing = failing
        }
        func stakePoolUserInfo(multisigAddress: String) async throws -> StakePoolUserInfo {
            if failing.contains(multisigAddress) { throw WalletPoolError(.walletUnavailable, "wallet 0 timed out") }
            return StakePoolUserInfo(tickets: tickets[multisigAddress] ?? [])
        }
        func bestBlockHeight() async throws -> Int64 { 1_000 }
    }

    private func makeRouter(storage: InMemoryStorage, wallets: FakeWalletPool, tickets: any TicketInfoSource,
                            sweep: UnvotedTicketsSweep? = nil) throws -> Router {
        let root = PagesTestCase.repoRoot
        var configuration = PagesConfiguration(cookieSecret: "test-secret", publicPath: root + "/public")
        configuration.dashboardFiguresMaxAge = 10
        let accounts = AccountService(configuration: .init(bcryptCost: 4), storage: storage,
                                      renderer: EmailRenderer(configuration: .init(templateDirectory: nil), logger: .disabled),
                                      tokens: APITokenSigner(secret: "s", issuer: "t"), wakeOutbox: {}, logger: .disabled)
        let clock = now
        let pages = Pages(configuration: configuration, storage: storage, templates: try TemplateLibrary(directory: root + "/templates"),
                          accounts: accounts, registrar: FakeRegistrar(storage: storage), wallets: wallets, tickets: tickets,
                          stats: nil, logger: .disabled, unvotedTickets: sweep, clock: { clock.value })
        return Router(routes: pages.adminRoutes(adminGuard: AdminGuard(adminIPs: ["127.0.0.1"], logger: .disabled)))
    }

    private func get(_ router: Router, _ target: String) async throws -> String {
        let parts = target.split(separator: "?", maxSplits: 1).map(String.init)
        var request = HTTPRequest(method: .get, target: target, path: parts[0], query: parts.count > 1 ? parts[1] : "")
        request.clientIP = "127.0.0.1"
        let response: HTTPResponse
        switch router.respond(to: request) {
        case .immediate(let immediate): response = immediate
        case .deferred(let work): response = await work()
        }
        XCTAssertEqual(response.status.code, 200, target)
        return String(decoding: response.body, as: UTF8.self)
    }

    private static func text(ofId id: String, in page: String) -> String? {
        TestBrowser.capture(#"id="\#(id)"[^>]*>([^<]*)<"#, in: page)
    }

    // MARK: - Shared figures

    func testFigures_sharedForMaxAgeWithTheirAge_walletsFromTheLastProbeNotAProbePerRequest() async throws {
        let storage = InMemoryStorage()
        for n in 0..<3 {
            _ = try await storage.insertUser(User(email: "u\(n)@example.com", passwordHash: "x", multiSigAddress: n == 0 ? "SsA" : ""))
        }
        let wallets = FakeWalletPool()
        let probedAt = now.value - 7
        wallets.state.withLock {
            $0.probed = ProbedWalletStatuses(wallets: [WalletSlotStatus(connected: true, enableVoting: true, unlocked: true,
                                                                        state: "up", missingScripts: 0, missingTickets: 0, height: 4_321)],
                                             probedAt: Date(timeIntervalSince1970: TimeInterval(probedAt)))
        }
        let router = try makeRouter(storage: storage, wallets: wallets, tickets: TicketsByAddress([:]))

        var page = try await get(router, "/admin")
        XCTAssertEqual(Self.text(ofId: "fig-users", in: page), "3")
        XCTAssertEqual(Self.text(ofId: "fig-active", in: page), "1")
        let walletsTable = try XCTUnwrap(TestBrowser.capture(#"(?s)<table id="dashboard-wallets"[^>]*>(.*?)</table>"#, in: page))
        XCTAssertTrue(walletsTable.contains("<td>4321</td>"), "the probed height: \(walletsTable)")
        XCTAssertTrue(page.contains(HistoryChart.stamp(probedAt)), "the probe's time is shown")
        XCTAssertEqual(TestBrowser.capture(#"id="figures-age" data-age="(\d+)""#, in: page), "0")

        // More accounts and mail: within the figures' age the page still shows the shared ones, with their age.
        for n in 3..<5 { _ = try await storage.insertUser(User(email: "u\(n)@example.com", passwordHash: "x")) }
        _ = try await storage.write { try $0.enqueueMail(OutboxMessage(to: "a@example.com", subject: "s", body: "b", messageID: "<m@t>",
                                                                      nextAttemptAt: 1, createdAt: 1)) }
        now.withLock { $0 += 9 }
        page = try await get(router, "/admin?q=nobody@example.com")
        XCTAssertEqual(Self.text(ofId: "fig-users", in: page), "3", "shared for 10 s")
        XCTAssertEqual(Self.text(ofId: "fig-mail-queued", in: page), "0")
        XCTAssertEqual(TestBrowser.capture(#"id="figures-age" data-age="(\d+)""#, in: page), "9")
        XCTAssertTrue(page.contains("No ticket or user matches"), "the search is the request's own")

        now.withLock { $0 += 1 }
        page = try await get(router, "/admin")
        XCTAssertEqual(Self.text(ofId: "fig-users", in: page), "5", "worked out again once 10 s old")
        XCTAssertEqual(Self.text(ofId: "fig-mail-queued", in: page), "1")
        XCTAssertEqual(TestBrowser.capture(#"id="figures-age" data-age="(\d+)""#, in: page), "0")
        XCTAssertEqual(wallets.state.value.probeCalls, 0, "no walletinfo round per request while a probe is cached")
    }

    func testFigures_withoutAProbeYetOneRoundPerSharedComputation() async throws {
        let storage = InMemoryStorage()
        let wallets = FakeWalletPool()
        wallets.state.withLock { $0.slots = [WalletSlotStatus(connected: false, detail: "connection refused")] }
        let router = try makeRouter(storage: storage, wallets: wallets, tickets: TicketsByAddress([:]))
        for _ in 0..<3 { _ = try await get(router, "/admin") }
        XCTAssertEqual(wallets.state.value.probeCalls, 1, "three requests within the figures' age, one probe round")
        now.withLock { $0 += 10 }
        let page = try await get(router, "/admin")
        XCTAssertTrue(page.contains("connection refused"))
        XCTAssertEqual(wallets.state.value.probeCalls, 2)
    }

    // MARK: - Pool-wide missed and expired tickets

    func testUnvotedTickets_everyAccountsMissedAndExpiredTicketsWithOwners_newestFirstBoundedAndPaged() async throws {
        let storage = InMemoryStorage()
        let statuses = ["live", "voted", "missed", "expired"]
        var byAddress: [String: [StakePoolUserTicket]] = [:]
        var owners: [(id: UserId, email: String, address: String)] = []
        for n in 1...120 {
            let address = n % 7 == 0 ? "" : "SsOwner\(n)"
            let user = try await storage.insertUser(User(email: "owner\(n)@example.com", passwordHash: "x", multiSigAddress: address))
            owners.append((user.id, user.email, address))
            guard !address.isEmpty else { continue }
            byAddress[address] = (0..<(n % 4)).map { k in
                StakePoolUserTicket(status: statuses[(n + k) % 4], ticket: String(format: "%064x", n * 100 + k),
                                    ticketHeight: UInt32(500 + (n * 37 + k * 11) % 300),
                                    spentByHeight: statuses[(n + k) % 4] == "live" ? 0 : UInt32(900 + k))
            }
        }
        // A ticket paying an address no account has is not the pool's to list; one account's wallet call fails.
        byAddress["SsNobody"] = [StakePoolUserTicket(status: "expired", ticket: String(repeating: "e", count: 64), ticketHeight: 999)]
        let failing = "SsOwner5"
        let keep = 60
        let sweep = UnvotedTicketsSweep(storage: storage, tickets: TicketsByAddress(byAddress, failing: [failing]), interval: 600,
                                        keep: keep, logger: .disabled, clock: { [now] in now.value })
        let router = try makeRouter(storage: storage, wallets: FakeWalletPool(), tickets: TicketsByAddress([:]), sweep: sweep)

        // What the list must be, from the test's own accounts and tickets: newest purchase first, then by hash.
        var expected: [[String]] = []
        for owner in owners where !owner.address.isEmpty && owner.address != failing {
            for ticket in byAddress[owner.address] ?? [] where ticket.status == "missed" || ticket.status == "expired" {
                expected.append([ticket.ticket.hex, ticket.status, String(ticket.ticketHeight),
                                 ticket.spentByHeight == 0 ? "" : String(ticket.spentByHeight), owner.email])
            }
        }
        expected.sort { (Int($0[2])!, $1[0]) > (Int($1[2])!, $0[0]) }
        XCTAssertGreaterThan(expected.count, keep, "the bound is exercised")

        let before = try await get(router, "/admin")
        XCTAssertTrue(before.contains("Not swept yet"), "no sweep has finished")
        // Opening the page asked for a sweep: the service runs it.
        let service = Task { try await sweep.run() }
        defer { service.cancel() }
        for _ in 0..<500 where sweep.status.result == nil { try await Task.sleep(for: .milliseconds(10)) }
        XCTAssertNotNil(sweep.status.result, "the dashboard's visit started a sweep")

        var rows: [[String]] = []
        var page = try await get(router, "/admin")
        XCTAssertEqual(Self.text(ofId: "unvoted-total", in: page), String(expected.count))
        XCTAssertEqual(Self.text(ofId: "unvoted-accounts", in: page), String(owners.filter { !$0.address.isEmpty }.count))
        XCTAssertTrue(page.contains("1 account(s) not answered"), "the failing account is counted")
        for number in 1...3 {
            if number > 1 { page = try await get(router, "/admin?unvoted=\(number)") }
            let table = try XCTUnwrap(TestBrowser.capture(#"(?s)<table id="unvoted-tickets"[^>]*>.*?<tbody>(.*?)</tbody>"#, in: page))
            let pageRows = Self.rows(table)
            XCTAssertLessThanOrEqual(pageRows.count, Pages.unvotedPageSize)
            if number == 3 {
                XCTAssertEqual(pageRows, Array(rows.suffix(pageRows.count)), "a page past the end shows the last one")
            } else {
                rows += pageRows
            }
        }
        XCTAssertEqual(rows, Array(expected.prefix(keep)), "the newest \(keep) with their owners, over the pages")
        XCTAssertTrue(page.contains("Page 2 of 2"), page)
        XCTAssertFalse(rows.contains { $0[0] == String(repeating: "e", count: 64) })

    }

    /// The cells of each `<tr>` (tags stripped).
    private static func rows(_ tbody: String) -> [[String]] {
        tbody.components(separatedBy: "<tr>").dropFirst().map { row in
            row.components(separatedBy: "<td>").dropFirst().map { cell in
                cell.hasPrefix("<a") ? (TestBrowser.capture(#">([^<]*)</a>"#, in: cell) ?? "") : String(cell.prefix { $0 != "<" })
            }
        }
    }
}
