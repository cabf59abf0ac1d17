import Foundation
import PoolKernel
import PoolTestKit
import XCTest
@testable import WebHost

/// Closing an account from /settings (issue 21 item 6), through the real pages, account service, API
/// and storage: password and CSRF required; sign-in, every session and the API token end at once; the voting
/// row stays for stakepoold; the email is erased once no ticket can still vote. Also `explorerurl` on the tickets
/// page.
final class PagesCloseAccountTests: PagesTestCase {
    private let email = "leaver@example.com", password = "correct horse battery"

    /// Signs up, verifies, signs in and submits an address; returns the browser and the API token from /settings.
    private func registeredUser() async throws -> (TestBrowser, String) {
        let browser = browser()
        try await signUpAndVerify(browser, email: email, password: password)
        XCTAssertEqual(try signIn(browser, email: email, password: password).status, 303)
        try browser.get("/address")
        XCTAssertEqual(try browser.post("/address", ["UserPubKeyAddr": "TkQ4jEVTpGn1LZAmCZRZ3n8hNWe9Hh8vbvfrTQuQaTCRJpsbKDCaf"]).status, 303)
        try browser.get("/voting")
        XCTAssertLessThan(try browser.post("/voting", ["agenda0": "4", "updateVoting": "true"]).status, 400)
        let settings = try browser.get("/settings")
        let token = try XCTUnwrap(TestBrowser.capture(#"<pre class="token" id="apitoken">([^<]+)</pre>"#, in: settings.text))
        return (browser, token)
    }

    /// The API on the same storage and token secret as the pages (PagesTestCase's AccountService).
    private func apiPort() throws -> Int {
        let configuration = APIConfiguration(network: "testnet2", poolEmail: "admin@pool.example", poolFees: 7.5)
        let api = PoolAPI(configuration: configuration, storage: storage,
                          tokens: APITokenSigner(secret: "api-secret", issuer: "http://pool.test"), registrar: registrar,
                          wallets: wallets, stats: StatsCache(storage: storage, wallets: wallets, configuration: configuration, logger: logger),
                          isValidVoteBits: { _ in true }, logger: logger)
        return try startServer(Router(routes: api.routes)).1
    }

    private func purchaseInfo(port: Int, token: String) throws -> String {
        let client = try RawHTTPClient(port: port)
        try client.send("GET /api/v1/getpurchaseinfo HTTP/1.1\r\nHost: pool\r\nAuthorization: Bearer \(token)\r\nConnection: close\r\n\r\n")
        return try client.readResponse().text
    }

    func testCloseAccount_endsSignInSessionsAndTokenButKeepsVoting() async throws {
        try startPages()
        let api = try apiPort()
        let (browser, token) = try await registeredUser()
        XCTAssertTrue(try purchaseInfo(port: api, token: token).contains(#""status":"success""#), "token works before closing")
        let other = self.browser()
        XCTAssertEqual(try signIn(other, email: email, password: password).status, 303, "a second signed-in browser")
        let before = try await storage.user(email: email)
        let votingBefore = try await storage.read { try $0.votingUsers() }
        XCTAssertEqual(votingBefore.count, 1)

        // Without the CSRF token, or with a wrong password, nothing closes.
        try browser.get("/settings")
        let forged = try browser.post("/settings", ["password": password, "closeAccount": "true"], csrf: "")
        XCTAssertEqual(forged.status, 400, "CSRF check refuses")
        let wrong = try browser.post("/settings", ["password": "not the password", "closeAccount": "true"])
        XCTAssertTrue(wrong.text.contains("Password not valid"), wrong.text)
        let stillOpen = try await storage.read { try $0.closedAccount(userId: before!.id) }
        XCTAssertNil(stillOpen)

        // An email change asked for before closing: its link must not work afterwards.
        try browser.get("/settings")
        let changeAnswer = try browser.captchaAnswer()
        let change = try browser.post("/settings", ["password": password, "updateEmail": "true", "email": "moved@example.com",
                                                    "captcha": changeAnswer])
        XCTAssertTrue(change.text.contains("Verification token sent to new email address"), change.text)
        let changeMail = try await lastMail(to: "moved@example.com")
        let changeLink = try XCTUnwrap(self.link(in: changeMail, path: "/emailupdate"))

        ticketSource.height.withLock { $0 = 1_234 }
        try browser.get("/settings")
        let closed = try browser.post("/settings", ["password": password, "closeAccount": "true"])
        XCTAssertEqual(closed.status, 303)
        XCTAssertEqual(closed.header("Location"), "/accountclosed")
        XCTAssertTrue(try browser.get("/accountclosed").text.contains("Your account is closed"))

        // Signed out everywhere, the password no longer signs in, the API token is refused.
        XCTAssertEqual(try browser.get("/settings").status, 303)
        XCTAssertEqual(try other.get("/settings").status, 303, "the other browser's session ended too")
        let again = try signIn(self.browser(), email: email, password: password)
        XCTAssertTrue(again.text.contains("Invalid Email or Password"), again.text)
        XCTAssertFalse(try purchaseInfo(port: api, token: token).contains(#""status":"success""#), "token revoked")
        let sessions = try await storage.write { tx in try tx.deleteSessions(userId: before!.id) }
        XCTAssertEqual(sessions, 0, "no session of the user is left in storage")

        // stakepoold still reads the user with the last preferences; the closing height is the wallets' height.
        let votingAfter = try await storage.read { try $0.votingUsers() }
        XCTAssertEqual(votingAfter, votingBefore)
        let record = try await storage.read { try $0.closedAccount(userId: before!.id) }
        XCTAssertEqual(record?.closedHeight, 1_234)
        let voteBits = try await storage.user(id: before!.id)?.voteBits
        XCTAssertEqual(voteBits, 5, "yes on lnfeatures kept")

        // The owner is told, at the account's address; the earlier email-change link changes nothing now.
        let confirmation = try await lastMail(to: email)
        XCTAssertEqual(confirmation?.subject, "Stake pool account closed")
        XCTAssertTrue(confirmation?.body.contains("Tickets of yours that can\nstill vote are voted by the pool") ?? false)
        let late = try self.browser().get(changeLink)
        XCTAssertTrue(late.text.contains("Email verification token not valid"), late.text)
        let emailAfter = try await storage.user(id: before!.id)?.email
        XCTAssertEqual(emailAfter, email, "the address did not move")
        let changeToken = String(changeLink.split(separator: "=").last ?? "")
        let leftover = try await storage.read { try $0.emailChange(token: changeToken) }
        XCTAssertNil(leftover, "the link is used up")

        // A reset link would reopen the account: none is sent.
        let reset = self.browser()
        try reset.get("/passwordreset")
        let answer = try reset.captchaAnswer()
        _ = try reset.post("/passwordreset", ["email": email, "captcha": answer])
        let mails = try await storage.read { try $0.outboxMessages(status: .queued, limit: 1000) }
        XCTAssertFalse(mails.contains { $0.subject.lowercased().contains("password reset") && $0.to == self.email },
                       "no reset link for a closed account")
    }

    func testCloseAccount_emailErasedOnlyOnceNoTicketCanVote() async throws {
        try startPages()
        let (browser, _) = try await registeredUser()
        let found = try await storage.user(email: email)
        let id = try XCTUnwrap(found).id
        ticketSource.height.withLock { $0 = 1_000 }
        ticketSource.info.withLock { $0 = StakePoolUserInfo(tickets: [
            StakePoolUserTicket(status: "live", ticket: String(repeating: "a", count: 64), ticketHeight: 990)]) }
        try browser.get("/settings")
        XCTAssertEqual(try browser.post("/settings", ["password": password, "closeAccount": "true"]).status, 303)

        // testnet3: ticket maturity 16 + expiry 6144 blocks (dcrd chaincfg), not figures taken from the code under test.
        let window = Int64(NetParams.testnet3.tickets.maturity + NetParams.testnet3.tickets.expiry)
        XCTAssertEqual(window, 16 + 6_144)
        let eraser = ClosedAccountEraser(storage: storage, tickets: ticketSource, votingWindow: window, logger: logger)
        ticketSource.height.withLock { $0 = 1_000 + window - 1 }
        let early = try await eraser.eraseOnce()
        XCTAssertEqual(early, 0, "a ticket bought at closing can still vote")
        ticketSource.height.withLock { $0 = 1_000 + window }
        let withLive = try await eraser.eraseOnce()
        XCTAssertEqual(withLive, 0, "the wallets still report a live ticket (bought after closing)")
        let kept = try await storage.user(id: id)?.email
        XCTAssertEqual(kept, email)

        ticketSource.info.withLock { $0 = StakePoolUserInfo(tickets: [
            StakePoolUserTicket(status: "voted", ticket: String(repeating: "a", count: 64), ticketHeight: 990,
                                spentBy: String(repeating: "b", count: 64), spentByHeight: 2_000)]) }
        let erased = try await eraser.eraseOnce()
        XCTAssertEqual(erased, 1)
        let row = try await storage.user(id: id)
        XCTAssertEqual(row?.email, "closed-\(id.rawValue)@erased.invalid")
        XCTAssertFalse(row?.username.contains("leaver") ?? true)
        let byEmail = try await storage.user(email: email)
        XCTAssertNil(byEmail, "the address is gone")
        let voting = try await storage.read { try $0.votingUsers() }
        XCTAssertEqual(voting.map(\.userId), [id], "voting row kept")
        let twice = try await eraser.eraseOnce()
        XCTAssertEqual(twice, 0, "once")

        // The address can sign up again.
        try await signUpAndVerify(self.browser(), email: email, password: password)
    }

    func testTickets_explorerURLOption() async throws {
        let hash = String(repeating: "a", count: 64)
        for (explorer, network, expected) in [("https://explorer.example/tx/", "testnet", "https://explorer.example/tx/" + hash),
                                              ("", "testnet", nil), (nil, "simnet", nil),
                                              (nil, "mainnet", "https://mainnet.decred.org/tx/" + hash)] as [(String?, String, String?)] {
            try startPages { $0.explorerURL = explorer; $0.shortNetwork = network }
            let browser = browser()
            try await signUpAndVerify(browser, email: email, password: password)
            _ = try signIn(browser, email: email, password: password)
            try browser.get("/address")
            _ = try browser.post("/address", ["UserPubKeyAddr": "TkQ4jEVTpGn1LZAmCZRZ3n8hNWe9Hh8vbvfrTQuQaTCRJpsbKDCaf"])
            ticketSource.info.withLock { $0 = StakePoolUserInfo(tickets: [StakePoolUserTicket(status: "live", ticket: hash, ticketHeight: 900)]) }
            let page = try browser.get("/tickets").text
            XCTAssertTrue(page.contains(hash), "\(network): the hash is shown")
            if let expected {
                XCTAssertTrue(page.contains("<a href=\"\(expected)\""), "\(network) \(explorer ?? "default"): \(page)")
            } else {
                XCTAssertFalse(page.contains("<a href=\"https://") && page.contains("/tx/"), "\(network): plain hashes")
                XCTAssertTrue(page.contains("<td>\(hash)</td>"), page)
            }
        }
    }
}
