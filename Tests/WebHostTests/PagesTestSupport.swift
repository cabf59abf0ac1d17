import Foundation
import PoolKernel
import PoolTestKit
import XCTest
@testable import WebHost

/// Test shorthand: a wallet's ticket with its hashes written as the hex the tests expect on the page (any other
/// text is a mistake in the test: the real wallet client refuses it).
extension StakePoolUserTicket {
    init(status: String, ticket: String, ticketHeight: UInt32, spentBy: String = String(repeating: "0", count: 64),
         spentByHeight: UInt32 = 0) {
        self.init(status: status, ticket: TicketHash(hex: ticket)!, ticketHeight: ticketHeight, spentBy: TicketHash(hex: spentBy)!,
                  spentByHeight: spentByHeight)
    }
}

extension StakePoolUserInfo {
    init(tickets: [StakePoolUserTicket] = [], invalidHex: [String]) {
        self.init(tickets: tickets, invalid: invalidHex.map { TicketHash(hex: $0)! })
    }
}

/// The tickets the fake wallets report.
final class FakeTicketSource: TicketInfoSource {
    let info = LockedValue(StakePoolUserInfo())
    let height = LockedValue<Int64>(1000)
    func stakePoolUserInfo(multisigAddress: String) async throws -> StakePoolUserInfo { info.value }
    func bestBlockHeight() async throws -> Int64 { height.value }
}

/// A browser over `RawHTTPClient`: keeps cookies, follows nothing (tests look at redirects themselves).
final class TestBrowser {
    let port: Int
    var cookies: [String: String] = [:]
    var lastPage = ""

    init(port: Int) { self.port = port }

    var sessionCookie: String? { cookies["session"] }

    @discardableResult
    func get(_ path: String, headers: [String: String] = [:]) throws -> RawHTTPClient.Response {
        try request("GET", path, body: nil, headers: headers)
    }

    /// POSTs `fields`, adding the CSRF token of the last page unless `csrf` says otherwise.
    @discardableResult
    func post(_ path: String, _ fields: [String: String], csrf: String? = nil, headers: [String: String] = [:]) throws -> RawHTTPClient.Response {
        var all = fields
        if let token = csrf ?? csrfToken { all["csrf_token"] = token }
        // The form's captcha id rides along like the browser's hidden field.
        if all["captchaid"] == nil, let id = captchaId { all["captchaid"] = id }
        if csrf == "" { all["csrf_token"] = nil }
        return try request("POST", path, body: TestBrowser.encode(all), headers: headers)
    }

    /// The hidden captcha id of the last page (each form has its own challenge).
    var captchaId: String? { TestBrowser.capture(#"name="captchaid" value="([0-9a-f]*)""#, in: lastPage) }

    /// The answer to the last page's captcha, through the test hook (`/captcha/answer?id=`).
    func captchaAnswer() throws -> String { try get("/captcha/answer?id=\(captchaId ?? "")").text }

    /// The hidden csrf field of the last page.
    var csrfToken: String? { TestBrowser.capture(#"name="csrf_token" value="([0-9a-f]*)""#, in: lastPage) }

    func request(_ method: String, _ path: String, body: String?, headers: [String: String] = [:]) throws -> RawHTTPClient.Response {
        let client = try RawHTTPClient(port: port)
        var text = "\(method) \(path) HTTP/1.1\r\nHost: test\r\nConnection: close\r\n"
        if !cookies.isEmpty { text += "Cookie: " + cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; ") + "\r\n" }
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if let body {
            text += "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\n"
        }
        try client.send(text + "\r\n" + (body ?? ""))
        let response = try client.readResponse()
        for (name, value) in response.headers where name.lowercased() == "set-cookie" {
            let pair = value.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
            guard pair.count >= 1 else { continue }
            let key = String(pair[0]), content = pair.count > 1 ? String(pair[1]) : ""
            if value.contains("Max-Age=0") || content.isEmpty { cookies[key] = nil } else { cookies[key] = content }
        }
        if response.status == 200, response.header("Content-Type") == "text/html" { lastPage = response.text }
        return response
    }

    static func encode(_ fields: [String: String]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._*")
        return fields.sorted { $0.key < $1.key }.map { key, value in
            "\(key.addingPercentEncoding(withAllowedCharacters: allowed) ?? key)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)"
        }.joined(separator: "&")
    }

    static func capture(_ pattern: String, in text: String) -> String? {
        guard let regex = try? NSRegularExpression(pattern: pattern),
              let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
              let range = Range(match.range(at: 1), in: text) else { return nil }
        return String(text[range])
    }
}

/// Starts the pages on loopback over InMemoryStorage with fake wallets, registrar and tickets.
class PagesTestCase: WebHostTestCase {
    var storage: InMemoryStorage!
    var wallets: FakeWalletPool!
    var registrar: FakeRegistrar!
    var ticketSource: FakeTicketSource!
    var port = 0
    let changedUsers = LockedValue<[UserId]>([])
    let agendas = [Agenda(id: "lnfeatures", description: "Enable LN features", mask: 0x0006, choices: [
        AgendaChoice(id: "abstain", description: "abstain voting for change", bits: 0, isAbstain: true),
        AgendaChoice(id: "no", description: "keep the existing consensus rules", bits: 0x0002, isNo: true),
        AgendaChoice(id: "yes", description: "change to the new consensus rules", bits: 0x0004),
    ])]

    static var repoRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    /// Builds and serves the pages; `configure` adjusts the configuration first.
    /// `statusPage` also serves `/status` (admins from 127.0.0.1) rendered by the pages, as the web app does.
    func startPages(configure: (inout PagesConfiguration) -> Void = { _ in },
                    throttle: SignInThrottle = SignInThrottle(), statusPage: Bool = false) throws {
        storage = InMemoryStorage()
        wallets = FakeWalletPool()
        registrar = FakeRegistrar(storage: storage)
        ticketSource = FakeTicketSource()
        var configuration = PagesConfiguration(network: "testnet2", shortNetwork: "testnet", poolEmail: "admin@pool.example",
                                               poolFees: 7.5, poolLink: "https://pool.example", cookieSecret: "test-secret",
                                               publicPath: Self.repoRoot + "/public", voteVersion: 6, agendas: agendas,
                                               revealCaptchaForTests: true, addressIDs: NetParams.testnet3.addressIDs)
        configuration.ticketMaturity = Int64(NetParams.testnet3.tickets.maturity)
        configure(&configuration)
        let renderer = EmailRenderer(configuration: .init(baseURL: "http://pool.test", from: "pool@pool.test",
                                                          templateDirectory: nil), logger: logger)
        let accounts = AccountService(configuration: .init(closePool: configuration.closePool, voteVersion: 6,
                                                           bcryptCost: 4, throttle: throttle),
                                      storage: storage, renderer: renderer,
                                      tokens: APITokenSigner(secret: "api-secret", issuer: "http://pool.test"),
                                      wakeOutbox: {}, logger: logger)
        let tip = ticketSource.height
        let stats = StatsCache(storage: storage, wallets: wallets, configuration: APIConfiguration(),
                               tipHeight: { tip.value }, logger: logger)
        let changed = changedUsers
        let pages = Pages(configuration: configuration, storage: storage,
                          templates: try TemplateLibrary(directory: Self.repoRoot + "/templates"),
                          accounts: accounts, registrar: registrar, wallets: wallets, tickets: ticketSource, stats: stats,
                          userChanged: { id in changed.withLock { $0.append(id) } }, logger: logger,
                          environment: ["POOL_TEST_CAPTCHA": "1"])
        var routes = pages.routes
        if statusPage {
            let guardian = AdminGuard(adminIPs: ["127.0.0.1"], logger: logger)
            routes.append(StatusPage(wallets: wallets, render: pages.statusRenderer).route(adminGuard: guardian))
        }
        let router = Router(routes: routes, middleware: [RequestIDMiddleware(), SecurityHeadersMiddleware()],
                            notFound: pages.notFoundPage)
        (_, port) = try startServer(router)
    }

    func browser() -> TestBrowser { TestBrowser(port: port) }

    /// The last outbox message to `recipient`.
    func lastMail(to recipient: String) async throws -> OutboxMessage? {
        try await storage.read { try $0.outboxMessages(status: .queued, limit: 1000) }.last { $0.to == recipient }
    }

    func link(in mail: OutboxMessage?, path: String) -> String? {
        guard let body = mail?.body, let token = TestBrowser.capture(path + #"\?t=([0-9a-f]+)"#, in: body) else { return nil }
        return "\(path)?t=\(token)"
    }

    /// Signs up through the form (reading the captcha through the test hook) and verifies the email.
    func signUpAndVerify(_ browser: TestBrowser, email: String, password: String) async throws {
        try browser.get("/signup")
        let answer = try browser.captchaAnswer()
        let response = try browser.post("/signup", ["email": email, "password": password, "passwordrepeat": password,
                                                    "captcha": answer])
        XCTAssertTrue(response.text.contains("A verification email has been sent to \(email)"), response.text)
        let mail = try await lastMail(to: email)
        let verify = try XCTUnwrap(link(in: mail, path: "/emailverify"))
        XCTAssertTrue(try browser.get(verify).text.contains("Email successfully verified"))
    }

    func signIn(_ browser: TestBrowser, email: String, password: String) throws -> RawHTTPClient.Response {
        try browser.get("/signin")
        return try browser.post("/signin", ["email": email, "password": password])
    }
}
