import Foundation
import HostKit
import HostTestSupport
import PoolKernel
import PoolTestKit
import WebAppHost
import WebHost
import XCTest

/// Issue 24 item 4 (vspviews), through the real web app assembled from a config file with the vspd front on
/// (SQLite storage, in-memory vspd node and wallet plugins): vspd tickets stored in known states show on `/admin`
/// (counts, the missed list, the search by hash) and `/stats` as the test counts them; the voting key never shows;
/// a legacy-only pool shows none of it and its API JSON is unchanged.
final class VspViewsWiringTests: XCTestCase {
    private let running = RunningWebApps()
    private let node = InMemoryVspNode()
    private let wallet = InMemoryVspWallet()
    private static let wif = "PtWUJWhSXsM9ztPkdtH8REe91z7uoidX8dsMChJUZ2spagm7YvrNm"
    private static let vspOptions = "adminips=127.0.0.1\napifronts=both\nvspnode=memory\nvspwallet=memory\nvspfee=2.5\n"
        + "vspfeexpub=\(SimnetWalletPlugin.defaultKeys.voting)\n"

    override func tearDown() async throws { await running.stopAll() }

    private var plugins: PoolPlugins {
        var plugins = PoolPlugins.builtIn()
        let (node, wallet) = (node, wallet)
        plugins.vspNode.register("memory") { _ in ConnectableBackend(node, label: "memory node", connect: {}) }
        plugins.vspWallets.register("memory") { _ in VspWalletSet(wallets: [wallet], labels: ["memory wallet"], connect: {}) }
        return plugins
    }

    private static func text(ofId id: String, in page: String) -> String? {
        PageClient.capture(#"id="\#(id)">([^<]*)<"#, in: page)
    }

    /// Tickets in states the block handler leaves alone (mined long ago, past any height the in-memory node has;
    /// no fee waiting to be sent), so the counts stay what was stored.
    private static let states: [(VspFeeTxStatus, VspTicketOutcome)] = [
        (.none, .none), (.none, .none), (.error, .none), (.confirmed, .none), (.confirmed, .none), (.confirmed, .none),
        (.confirmed, .voted), (.confirmed, .voted), (.confirmed, .missed), (.confirmed, .missed), (.confirmed, .expired),
        (.confirmed, .revoked),
    ]

    private static func ticket(_ n: Int, _ status: VspFeeTxStatus, _ outcome: VspTicketOutcome) -> VspTicket {
        var ticket = StorageConformanceTests.sampleVspTicket(9_000 + n)
        (ticket.confirmed, ticket.purchaseHeight, ticket.feeTxStatus, ticket.outcome) = (true, 5_000_000 + Int64(n), status, outcome)
        ticket.feeAmount = 12_345_678
        if status == .confirmed { ticket.votingWIF = wif }
        return ticket
    }

    func testVspViews_dashboardStatsAndSearchShowStoredVspTickets_neverTheVotingKey() async throws {
        let (app, port) = try await running.start(prefix: "vspviews", Self.vspOptions, plugins: plugins)
        let tickets = Self.states.enumerated().map { Self.ticket($0.offset, $0.element.0, $0.element.1) }
        for ticket in tickets { try await app.storage.write { try $0.insertVspTicket(ticket) } }
        // Expected figures, counted here from what was stored.
        let count = { (match: (VspTicket) -> Bool) in String(tickets.filter(match).count) }
        let voting = count { $0.feeTxStatus == .confirmed && $0.outcome == .none }
        let voted = count { $0.outcome == .voted }, missed = count { $0.outcome == .missed }
        let expired = count { $0.outcome == .expired || $0.outcome == .revoked }
        XCTAssertEqual([voting, voted, missed, expired], ["3", "2", "2", "2"])

        let admin = PageClient(port: port)
        let page = try admin.get("/admin").text
        XCTAssertTrue(page.contains("vspd API tickets"), page)
        XCTAssertEqual(Self.text(ofId: "fig-vsp-total", in: page), String(tickets.count))
        XCTAssertEqual(Self.text(ofId: "fig-vsp-voting", in: page), voting)
        XCTAssertEqual(Self.text(ofId: "fig-vsp-voted", in: page), voted)
        XCTAssertEqual(Self.text(ofId: "fig-vsp-missed", in: page), missed)
        XCTAssertEqual(Self.text(ofId: "fig-vsp-expired", in: page), expired)
        for status in VspFeeTxStatus.allCases {
            XCTAssertEqual(Self.text(ofId: "vsp-fee-\(status.rawValue)", in: page), count { $0.feeTxStatus == status }, "\(status)")
        }
        // The missed vspd tickets are in the dashboard's missed list, as vspd tickets.
        let missedTable = try XCTUnwrap(PageClient.capture(#"(?s)<table id="missed-tickets"[^>]*>(.*?)</table>"#, in: page))
        for ticket in tickets {
            XCTAssertEqual(missedTable.contains(ticket.hash), ticket.outcome == .missed, ticket.hash)
        }
        XCTAssertTrue(missedTable.contains("vspd ticket"), missedTable)
        XCTAssertFalse(page.contains(Self.wif))

        // The search by hash finds a vspd ticket: fee state, outcome, fee address and amount, choices; no key.
        let missedTicket = try XCTUnwrap(tickets.first { $0.outcome == .missed })
        let found = try admin.get("/admin?q=\(missedTicket.hash.uppercased())").text
        XCTAssertEqual(Self.text(ofId: "search-owner", in: found), "vspd ticket (no account)")
        XCTAssertEqual(Self.text(ofId: "search-vsp-feestatus", in: found), "confirmed")
        XCTAssertEqual(Self.text(ofId: "search-vsp-outcome", in: found), "missed")
        XCTAssertEqual(Self.text(ofId: "search-vsp-confirmed", in: found), "yes, bought at block \(missedTicket.purchaseHeight)")
        XCTAssertEqual(Self.text(ofId: "search-vsp-feeaddress", in: found), missedTicket.feeAddress)
        XCTAssertEqual(Self.text(ofId: "search-vsp-feeamount", in: found), "0.12345678 DCR")
        XCTAssertEqual(Self.text(ofId: "search-vsp-key", in: found), "yes")
        XCTAssertEqual(Self.text(ofId: "search-vsp-choices", in: found), "maxtreasuryspend: yes; ")
        XCTAssertFalse(found.contains(Self.wif))
        let unknown = try admin.get("/admin?q=\(String(repeating: "5a", count: 32))").text
        XCTAssertNil(Self.text(ofId: "search-vsp-feestatus", in: unknown), "a hash no vspd ticket has")

        // /stats: the vspd block beside the pool's figures; the legacy API's JSON has no vspd fields.
        let stats = try admin.get("/stats")
        XCTAssertEqual(stats.status, 200)
        XCTAssertEqual(Self.text(ofId: "VspVoting", in: stats.text), voting)
        XCTAssertEqual(Self.text(ofId: "VspVoted", in: stats.text), voted)
        XCTAssertEqual(Self.text(ofId: "VspMissed", in: stats.text), missed)
        XCTAssertEqual(Self.text(ofId: "VspExpired", in: stats.text), expired)
        XCTAssertFalse(stats.text.contains(Self.wif))
        XCTAssertFalse(try admin.get("/api/v2/stats").text.lowercased().contains("vsp"))
    }

    func testVspViews_legacyOnlyPool_showsNoVspdTickets() async throws {
        let (app, port) = try await running.start(prefix: "vspviews-legacy", "adminips=127.0.0.1")
        var missed = Self.ticket(1, .confirmed, .missed)
        missed.hash = String(repeating: "7c", count: 32)
        try await app.storage.write { [missed] in try $0.insertVspTicket(missed) }
        let admin = PageClient(port: port)
        let page = try admin.get("/admin").text
        XCTAssertTrue(page.contains("Operator dashboard"))
        XCTAssertFalse(page.contains("vspd API tickets"))
        XCTAssertFalse(page.contains(missed.hash), "no vspd rows in the missed list")
        XCTAssertNil(Self.text(ofId: "search-vsp-feestatus", in: try admin.get("/admin?q=\(missed.hash)").text))
        let stats = try admin.get("/stats")
        XCTAssertEqual(stats.status, 200)
        XCTAssertFalse(stats.text.contains("vsp-stats"))
    }
}
