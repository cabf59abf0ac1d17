import Foundation
import HostKit
import HostTestSupport
import PoolKernel
import PoolTestKit
import WalletSimnet
import WebAppHost
import WebHost
import XCTest

/// The tickets page through the real path — simulated wallets answering `stakepooluserinfo` over TLS JSON-RPC, the
/// production `dcrwallet` plugin decoding the reply, the web app assembled from its config rendering the page — for
/// a user with tickets of every status (immature, live, voted recent and archived, missed, expired, invalid).
/// The ticket section's bytes must be exactly those the page rendered before the hashes were carried as 32-byte
/// values (`Tests/WebHostTests/Golden/tickets-page.html`, captured from that code on the same simulated chain), and each table holds
/// the hashes the wallet reported for it, linked to the explorer.
final class TicketsPageBytesTests: XCTestCase {
    private var rpcPool: SimnetRPCPool?

    override func tearDown() async throws { rpcPool?.stop() }

    static let explorer = "https://explorer.example/tx/"

    func testTicketsPage_everyStatusOverTheRealWallets_isByteIdenticalToTheGolden() async throws {
        var parameters = SimnetParameters.simnet
        parameters.ticketExpiry = 20 // tickets expire within a short test chain
        let rpcPool = try SimnetRPCPool(seed: 23, parameters: parameters)
        self.rpcPool = rpcPool
        let config = try rpcPool.config(["listen=127.0.0.1:0", "explorerurl=\(Self.explorer)", "maxvotedage=20"])
        let logs = CapturingSink()
        let app = try await WebApp.assemble(config: config, plugins: .builtIn(), logs: LogBackend(level: .warn, sinks: [logs]))
        let password = "tickets-password-0123"
        let uid = try await app.storage.insertUser(User(email: "tickets@example.com",
                                                        passwordHash: try BCrypt.hash(password: password, cost: 4),
                                                        emailVerified: .verified)).id
        let user = try await app.services.registration.registerAddress(
            userId: uid, pubKeyAddress: rpcPool.vectors.children[0].pubKeyAddress)

        // The chain of `UserInfoJSONWriterTests`: every status, some of each (fees paid to an address the simulated
        // wallets check, as theirs).
        let simnet = rpcPool.simnet
        simnet.mine(90)
        func buy(_ count: Int, _ fee: Simnet.PoolFee) throws {
            _ = try simnet.buyTickets(ticketAddress: user.multiSigAddress, feeAddress: simnet.feeAddress(index: 1), count: count, poolFee: fee)
        }
        try buy(150, .correct)
        try buy(3, .tooLow)
        for _ in 0..<45 {
            simnet.mine(1)
            if simnet.stats.height % 3 != 0 { simnet.voteWinners(wallet: 0) }
            if simnet.stats.height == 140 { try buy(80, .correct) }
        }
        try buy(3, .correct)
        simnet.mine(1)

        // Served once the chain is built (the wallet monitor would see the wallets catching up as lagging).
        guard case let .tcp(_, port) = try app.bind() else { throw CocoaError(.featureUnsupported) }
        let runner = Task { try await app.run() }
        defer { runner.cancel() }
        let browser = CookieBrowser()
        defer { browser.invalidate() }
        let form = try await browser.request(port, "/signin")
        let signedIn = try await browser.request(port, "/signin", method: "POST", form: [
            ("csrf_token", try CookieBrowser.field("csrf_token", in: form.body)), ("email", "tickets@example.com"),
            ("password", password)])
        XCTAssertEqual(signedIn.status, 303, signedIn.body)
        let page = try await browser.request(port, "/tickets")
        XCTAssertEqual(page.status, 200, page.location + logs.text)
        let section = try XCTUnwrap(Self.ticketSection(page.body), page.body)

        // Independent of the golden: each table lists the hashes the wallet gave for its status, as explorer links.
        let info = try await app.services.pool.stakePoolUserInfo(multisigAddress: user.multiSigAddress)
        let tip = Int64(simnet.stats.height), maturity = Int64(parameters.ticketMaturity)
        var expected: [String: [String]] = [:]
        for ticket in info.tickets {
            let hash = "\(ticket.ticket)"
            switch ticket.status {
            case "live" where tip - Int64(ticket.ticketHeight) < maturity: expected["ticketsimmature", default: []].append(hash)
            case "live": expected["ticketslive", default: []].append(hash)
            case "voted" where Int64(ticket.spentByHeight) >= tip - 20: expected["ticketsvoted", default: []].append(hash)
            case "voted": expected["archived", default: []].append(hash)
            default: expected["tickets\(ticket.status)", default: []].append(hash)
            }
        }
        expected["ticketsinvalid"] = info.invalid.map { "\($0)" }
        for table in ["ticketsimmature", "ticketslive", "ticketsvoted", "archived", "ticketsmissed", "ticketsexpired", "ticketsinvalid"] {
            XCTAssertGreaterThanOrEqual(expected[table]?.count ?? 0, 2, "several tickets for \(table)")
        }
        for (table, hashes) in expected where table != "archived" {
            let rows = try XCTUnwrap(Self.table(table, in: section), table)
            for hash in hashes {
                XCTAssertTrue(rows.contains("<a href=\"\(Self.explorer)\(hash)\" target=\"_blank\" rel=\"noopener\">\(hash)</a>"),
                              "\(table) links \(hash)")
            }
            XCTAssertEqual(rows.components(separatedBy: "<tr><td>").count - 1, hashes.count, table)
        }
        for hash in expected["archived"] ?? [] { XCTAssertFalse(section.contains(hash), "archived \(hash) is not listed") }

        let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("WebHostTests/Golden/tickets-page.html")
        guard let want = (try? Data(contentsOf: golden)).map({ String(decoding: $0, as: UTF8.self) }) else {
            let actual = FileManager.default.temporaryDirectory.appendingPathComponent("tickets-page.actual.html")
            try Data(section.utf8).write(to: actual)
            return XCTFail("no golden at \(golden.path); this run's section is in \(actual.path)")
        }
        XCTAssertEqual(section, want, "the tickets section differs from the golden")
    }

    /// The page's ticket card: from its heading to the end of its section.
    static func ticketSection(_ page: String) -> String? {
        guard let start = page.range(of: "<h1>Tickets</h1>"),
              let end = page.range(of: "</section>", range: start.upperBound..<page.endIndex) else { return nil }
        return String(page[start.lowerBound..<end.upperBound])
    }

    /// The body of the table with `id`.
    static func table(_ id: String, in section: String) -> String? {
        guard let start = section.range(of: "<table id=\"\(id)\""),
              let end = section.range(of: "</table>", range: start.upperBound..<section.endIndex) else { return nil }
        return String(section[start.upperBound..<end.lowerBound])
    }
}
