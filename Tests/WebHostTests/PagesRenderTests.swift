import Foundation
import PoolKernel
import PoolTestKit
import XCTest
@testable import WebHost

/// Captcha image encoding, Go float formatting, tickets classification at scale, stats and status pages.
final class PagesRenderTests: PagesTestCase {
    func testPNGEncoder_checksumsAndStoredBlocks() throws {
        XCTAssertEqual(PNGEncoder.crc32(Array("IEND".utf8)), 0xAE42_6082)
        XCTAssertEqual(PNGEncoder.adler32(Array("Wikipedia".utf8)), 0x11E6_0398)
        // Stored blocks split at 65535 bytes and decode back to the input.
        let data = (0..<150_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let zlib = PNGEncoder.zlibStored(data)
        var decoded: [UInt8] = []
        var index = 2
        var final = false
        while !final {
            final = zlib[index] & 1 == 1
            XCTAssertEqual(zlib[index] >> 1, 0, "stored block")
            let length = Int(zlib[index + 1]) | Int(zlib[index + 2]) << 8
            let complement = Int(zlib[index + 3]) | Int(zlib[index + 4]) << 8
            XCTAssertEqual(length ^ 0xFFFF, complement)
            decoded += zlib[(index + 5)..<(index + 5 + length)]
            index += 5 + length
        }
        XCTAssertEqual(decoded, data)
        XCTAssertEqual(Array(zlib[index...]), PNGEncoder.bigEndian(PNGEncoder.adler32(data)))
    }

    func testCaptchaImage_isAValidPNG() throws {
        let png = CaptchaImage.png(for: "40213")
        XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        // Walk the chunks and check every CRC.
        var index = 8
        var types: [String] = []
        while index < png.count {
            let length = Int(png[index]) << 24 | Int(png[index + 1]) << 16 | Int(png[index + 2]) << 8 | Int(png[index + 3])
            let body = Array(png[(index + 4)..<(index + 8 + length)])
            let crc = Array(png[(index + 8 + length)..<(index + 12 + length)])
            XCTAssertEqual(crc, PNGEncoder.bigEndian(PNGEncoder.crc32(body)))
            types.append(String(decoding: body.prefix(4), as: UTF8.self))
            index += 12 + length
        }
        XCTAssertEqual(types, ["IHDR", "IDAT", "IEND"])
        XCTAssertNotEqual(CaptchaImage.png(for: "40213"), png, "noise differs per image")
    }

    func testCaptcha_servedOnlyForPendingChallengeAndOneUse() throws {
        try startPages()
        let browser = browser()
        XCTAssertEqual(try browser.get("/captcha.png").status, 404)
        try browser.get("/signup")
        let image = try browser.get("/captcha.png?id=\(browser.captchaId ?? "")")
        XCTAssertEqual(image.status, 200)
        XCTAssertEqual(image.header("Content-Type"), "image/png")
        let answer = try browser.captchaAnswer()
        _ = try browser.post("/signup", ["email": "x", "password": "a", "passwordrepeat": "a", "captcha": answer])
        // The failed post consumed it; the re-rendered page made a new one that differs (almost surely).
        let next = try browser.captchaAnswer()
        XCTAssertEqual(next.count, 5)
    }

    func testCaptchaHook_offWithoutEnvironmentFlag() throws {
        let storage = InMemoryStorage()
        let renderer = EmailRenderer(configuration: .init(templateDirectory: nil), logger: logger)
        let accounts = AccountService(configuration: .init(), storage: storage, renderer: renderer,
                                      tokens: APITokenSigner(secret: "s", issuer: "i"), wakeOutbox: {}, logger: logger)
        let pages = Pages(configuration: PagesConfiguration(cookieSecret: "x", revealCaptchaForTests: true), storage: storage,
                          templates: try TemplateLibrary(directory: Self.repoRoot + "/templates"), accounts: accounts,
                          registrar: FakeRegistrar(storage: storage), wallets: FakeWalletPool(), tickets: FakeTicketSource(),
                          stats: nil, logger: logger, environment: [:])
        XCTAssertFalse(pages.routes.contains { $0.pattern == "/captcha/answer" })
    }

    func testGoFloatFormat_matchesGoPercentV() {
        let cases: [(Double, String)] = [(12_345_678, "1.2345678e+07"), (0.5, "0.5"), (100_000, "100000"), (1e6, "1e+06"),
                                         (0.0001, "0.0001"), (0.00001, "1e-05"), (7.5, "7.5"), (123_456.5, "123456.5"),
                                         (0, "0"), (-2.25, "-2.25"), (1_234_567.5, "1.2345675e+06"), (1e21, "1e+21"),
                                         (0.31234, "0.31234"), (42, "42")]
        for (value, expected) in cases { XCTAssertEqual(GoFloatFormat.v(value), expected, "\(value)") }
    }

    func testTicketsPage_tenThousandTicketsClassified() async throws {
        try startPages { $0.maxVotedAge = 100 }
        let browser = browser()
        try await signUpAndVerify(browser, email: "t@example.com", password: "render-Pass-001")
        _ = try signIn(browser, email: "t@example.com", password: "render-Pass-001")
        XCTAssertEqual(try browser.get("/tickets").header("Location"), "/address")
        let user = try await storage.user(email: "t@example.com")
        try await storage.updateUser(id: user!.id) { $0.multiSigAddress = "TcXYZ"; $0.multiSigScript = "5121ab" }
        ticketSource.height.withLock { $0 = 1000 }
        var tickets: [StakePoolUserTicket] = []
        for i in 0..<10_000 {
            let hash = String(format: "%064x", i)
            switch i % 4 {
            case 0: tickets.append(StakePoolUserTicket(status: "live", ticket: hash, ticketHeight: UInt32(i % 900)))
            case 1: tickets.append(StakePoolUserTicket(status: "voted", ticket: hash, ticketHeight: 1,
                                                       spentBy: hash, spentByHeight: UInt32(850 + i % 150)))
            case 2: tickets.append(StakePoolUserTicket(status: "missed", ticket: hash, ticketHeight: 1,
                                                       spentByHeight: UInt32(10_000 - i)))
            default: tickets.append(StakePoolUserTicket(status: "expired", ticket: hash, ticketHeight: 2, spentByHeight: 3))
            }
        }
        // The maxvotedage boundary (webapp.md §8: listed iff SpentByHeight >= best height − maxvotedage = 900).
        let atBoundary = String(repeating: "b9", count: 32), belowBoundary = String(repeating: "b8", count: 32)
        tickets.append(StakePoolUserTicket(status: "voted", ticket: atBoundary, ticketHeight: 1, spentBy: atBoundary,
                                           spentByHeight: 900))
        tickets.append(StakePoolUserTicket(status: "voted", ticket: belowBoundary, ticketHeight: 1, spentBy: belowBoundary,
                                           spentByHeight: 899))
        ticketSource.info.withLock { $0 = StakePoolUserInfo(tickets: tickets, invalid: []) }
        let page = try browser.get("/tickets")
        XCTAssertEqual(page.status, 200)
        // Counted by hand: of the 2500 looped voted tickets (i % 4 == 1, spent at 850 + i % 150), those with
        // i % 150 >= 50 are listed: 1662; plus the one at the boundary: 1663 listed, 839 of 2502 archived.
        XCTAssertTrue(page.text.contains("2502 total tickets voted (839 archived and not shown)."))
        XCTAssertEqual(page.text.components(separatedBy: "<tr><td><a href=").count - 1, 2500 + 1663 + 2500 + 2500)
        XCTAssertTrue(page.text.contains(atBoundary), "a ticket voted at best height − maxvotedage is listed")
        XCTAssertFalse(page.text.contains(belowBoundary), "a ticket voted one block earlier is archived")
        let view = TicketsView(info: StakePoolUserInfo(tickets: tickets), bestHeight: 1000, ticketMaturity: 16, maxVotedAge: 100)
        // Missed tickets (i % 4 == 2, spent at 10000 − i) are listed by ascending spend height: 2 … 9998.
        let missed = view.missed.map { view.tickets[Int($0)].spentByHeight }
        XCTAssertEqual(missed.first, 2)
        XCTAssertEqual(missed.last, 9998)
        XCTAssertEqual(missed, missed.sorted())
        XCTAssertTrue(page.text.contains("importscript 5121ab"))
        XCTAssertTrue(page.text.contains("--testnet"))
        XCTAssertTrue(page.text.contains("No tickets."))
    }

    /// The wallet calls immature and live tickets both "live"; the page tells them apart by the network's ticket
    /// maturity (testnet3: 16 blocks, from its params file): at best height 1000 a ticket mined at 985 is immature
    /// (live from block 1001), one mined at 984 is live.
    func testTicketsPage_splitsImmatureFromLiveByTicketMaturity() async throws {
        try startPages()
        let browser = browser()
        try await signUpAndVerify(browser, email: "m@example.com", password: "render-Pass-002")
        _ = try signIn(browser, email: "m@example.com", password: "render-Pass-002")
        let user = try await storage.user(email: "m@example.com")
        try await storage.updateUser(id: user!.id) { $0.multiSigAddress = "TcXYZ"; $0.multiSigScript = "5121ab" }
        ticketSource.height.withLock { $0 = 1000 }
        let young = String(repeating: "1", count: 64), old = String(repeating: "2", count: 64)
        ticketSource.info.withLock { $0 = StakePoolUserInfo(tickets: [
            StakePoolUserTicket(status: "live", ticket: young, ticketHeight: 985),
            StakePoolUserTicket(status: "live", ticket: old, ticketHeight: 984),
        ]) }
        let page = try browser.get("/tickets").text
        XCTAssertTrue(page.contains("Immature Tickets (1)"), page)
        XCTAssertTrue(page.contains("Live Tickets (1)"), page)
        let immature = try XCTUnwrap(page.components(separatedBy: "id=\"ticketsimmature\"").last?.components(separatedBy: "</table>").first)
        let live = try XCTUnwrap(page.components(separatedBy: "id=\"ticketslive\"").last?.components(separatedBy: "</table>").first)
        XCTAssertTrue(immature.contains(young) && !immature.contains(old), immature)
        XCTAssertTrue(immature.contains("<td>985</td><td>1001</td>"), "bought at 985, live from 1001: \(immature)")
        XCTAssertTrue(live.contains(old) && !live.contains(young), live)

        // Sixteen blocks after 985 the young ticket is live too.
        ticketSource.height.withLock { $0 = 1001 }
        let later = try browser.get("/tickets").text
        XCTAssertTrue(later.contains("Immature Tickets (0)") && later.contains("Live Tickets (2)"), later)
    }

    func testStatsPage_showsSpecRowsAndRedirectsWhenStopped() throws {
        try startPages()
        wallets.state.withLock { $0.stakeInfo = StakeInfo(poolSize: 40_000, difficulty: 12_345_678, live: 10, voted: 3) }
        let page = try browser().get("/stats")
        XCTAssertEqual(page.status, 200)
        XCTAssertTrue(page.text.contains("<span id=\"Difficulty\">1.2345678e+07</span>"))
        XCTAssertTrue(page.text.contains("<span id=\"PoolStatus\">Open</span>"))
        XCTAssertTrue(page.text.contains("<span id=\"Network\">testnet2</span>"))
        wallets.state.withLock { $0.stopped = true }
        XCTAssertEqual(try browser().get("/stats").header("Location"), "/error")
        let error = try browser().get("/error")
        XCTAssertTrue(error.text.contains("Wallets are still online and voting."))
    }
}

/// reCAPTCHA reply interpretation (the network part needs Google and is not exercised here).
final class RecaptchaVerifierTests: XCTestCase {
    func testRecaptcha_interpretsReplies() {
        func reply(_ head: String, _ body: String) -> [UInt8] { Array((head + "\r\n\r\n" + body).utf8) }
        XCTAssertTrue(RecaptchaVerifier.interpret(reply("HTTP/1.1 200 OK\r\nContent-Type: application/json",
                                                        #"{"success": true, "hostname": "x"}"#)).0)
        XCTAssertTrue(RecaptchaVerifier.interpret(reply("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked",
                                                        "11\r\n{\"success\": true}\r\n0\r\n\r\n")).0)
        let failed = RecaptchaVerifier.interpret(reply("HTTP/1.1 200 OK", #"{"success": false, "error-codes": ["invalid-input-response"]}"#))
        XCTAssertFalse(failed.0)
        XCTAssertEqual(failed.1, ["invalid-input-response"])
        XCTAssertFalse(RecaptchaVerifier.interpret(reply("HTTP/1.1 500 Oops", #"{"success": true}"#)).0)
        XCTAssertFalse(RecaptchaVerifier.interpret(reply("HTTP/1.1 200 OK", "not json")).0)
        XCTAssertFalse(RecaptchaVerifier.interpret(Array("garbage".utf8)).0)
        XCTAssertEqual(RecaptchaVerifier.formEscape("a b&c=d"), "a%20b%26c%3Dd")
    }
}

final class TicketsViewTests: XCTestCase {
    /// Hashes reach the page as 32-byte values (the wallet client refuses any other text, `WalletWireTests`) and are
    /// written as lower-case hex; the explorer prefix, operator text, is escaped.
    func testTicketsView_rowsWriteHashesAsHexAndEscapeTheExplorer() {
        let hash = TicketHash(w0: 0x0123_4567_89ab_cdef, w1: 0, w2: 0, w3: 0xff)
        let hex = "0123456789abcdef" + String(repeating: "0", count: 46) + "ff"
        let info = StakePoolUserInfo(tickets: [StakePoolUserTicket(status: "live", ticket: hash, ticketHeight: 1)], invalid: [hash])
        let data = TicketsView(info: info, bestHeight: 10, ticketMaturity: 16, maxVotedAge: 5)
            .templateData(explorer: "https://x.example/tx/?q=\"><script>")
        let link = "<a href=\"https://x.example/tx/?q=&#34;&gt;&lt;script&gt;\(hex)\" target=\"_blank\" rel=\"noopener\">\(hex)</a>"
        XCTAssertEqual(data["TicketsImmatureRows"]?.text, "<tr><td>\(link)</td><td>1</td><td>17</td></tr>\n")
        XCTAssertEqual(data["TicketsInvalidRows"]?.text, "<tr><td>\(link)</td></tr>\n")
        XCTAssertEqual(TicketsView(info: info, bestHeight: 10, ticketMaturity: 16, maxVotedAge: 5).templateData(explorer: "")["TicketsLiveRows"]?.text,
                       "", "the ticket is immature, not live")
        XCTAssertEqual(HTMLEscaping.escape("abc123"), "abc123")
        XCTAssertEqual(HTMLEscaping.escape("<\u{338}a&\"'>é"), "&lt;\u{338}a&amp;&#34;&#39;&gt;é")
    }
}
