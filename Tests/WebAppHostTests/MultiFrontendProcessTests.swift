import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HostTestSupport
import PoolKernel
import PoolNet
import PoolTestKit
import XCTest

/// Issue 23 item 2, "many frontends, one database", with real processes: two `hxstakepool` executables started
/// from config files that differ only in their data and log directories, one `stakepoold`, one `simwallet` and
/// one MariaDB database, mail to the test SMTP sink. The two hosts must behave as one pool.
///
/// The stack is started once for the class (starting it is most of the cost) and torn down in `tearDown()` of
/// the class; the kill test starts and kills a third host of its own, so the shared two stay whole.
final class MultiFrontendProcessTests: XCTestCase {
    private static let stack = SharedStack()

    override class func tearDown() {
        let done = DispatchSemaphore(value: 0)
        Task {
            await stack.stop()
            done.signal()
        }
        done.wait()
        super.tearDown()
    }

    private func pool() async throws -> MultiHostPool { try await Self.stack.pool() }

    // MARK: - Sessions

    /// A session made on A is the session on B; signing out on B ends it on A, and the other way round.
    func testSession_madeOnOneHostWorksOnTheOther_andSigningOutOnEitherEndsIt() async throws {
        let pool = try await pool()
        let (a, b) = (pool.hosts[0].port, pool.hosts[1].port)
        let password = "session-password-0123"
        _ = try await pool.addUser(email: "session@example.com", password: password)
        for (signIn, signOut) in [(a, b), (b, a)] {
            let browser = CookieBrowser()
            defer { browser.invalidate() }
            let form = try await browser.request(signIn, "/signin")
            let signedIn = try await browser.request(signIn, "/signin", method: "POST", form: [
                ("csrf_token", try CookieBrowser.field("csrf_token", in: form.body)), ("email", "session@example.com"),
                ("password", password)])
            XCTAssertEqual(signedIn.status, 303, signedIn.body)
            XCTAssertEqual(signedIn.location, "/settings")
            var signOutPage = ""
            for port in [a, b] {
                let settings = try await browser.request(port, "/settings")
                XCTAssertEqual(settings.status, 200, "signed in on \(signIn), served by \(port)")
                XCTAssertTrue(settings.body.contains("action=\"/logout\""), "the signed-in navigation: \(settings.body)")
                if port == signOut { signOutPage = settings.body }
            }
            let cookie = try XCTUnwrap(browser.cookie("session"))
            // Signing out is a POST carrying the session's CSRF token (from a page of the host signing out).
            let out = try await browser.request(signOut, "/logout", method: "POST", form: [
                ("csrf_token", try CookieBrowser.field("csrf_token", in: signOutPage))])
            XCTAssertEqual(out.status, 303, out.body)
            // The old cookie, replayed (as a stolen copy would be), is signed out on both hosts.
            let replay = CookieBrowser()
            defer { replay.invalidate() }
            for port in [a, b] {
                let settings = try await replay.request(port, "/settings", headers: ["Cookie": "session=\(cookie)"])
                XCTAssertEqual(settings.status, 303, "signed out on \(signOut), asked on \(port)")
                XCTAssertTrue(settings.location.hasPrefix("/signin"), settings.location)
            }
        }
    }

    // MARK: - Sign-in throttle

    /// Ten failures for one account from one address, five on each host, lock that address out of the account on
    /// both (the limit is ten per account and address; per-host counting would allow twenty).
    func testSignInThrottle_failuresOnOneHostCountOnTheOther() async throws {
        let pool = try await pool()
        let ports = pool.hosts.map(\.port)
        // The documented limits (docs/operations.md, "Sign-in throttle"): 10 failures per (account, address) in
        // 15-minute windows.
        let (limit, window) = (10, Int64(900))
        let browser = CookieBrowser()
        defer { browser.invalidate() }
        // The counts live in fixed windows: an attempt whose window ended mid-way is run again with a new account.
        for attempt in 1...2 {
            let email = "throttled\(attempt)@example.com"
            let password = "throttle-password-0123"
            _ = try await pool.addUser(email: email, password: password)
            let started = Int64(Date().timeIntervalSince1970) / window
            func signIn(_ port: Int, _ password: String) async throws -> String {
                let form = try await browser.request(port, "/signin")
                return try await browser.request(port, "/signin", method: "POST", form: [
                    ("csrf_token", try CookieBrowser.field("csrf_token", in: form.body)), ("email", email), ("password", password)]).body
            }
            for failure in 0..<limit {
                let page = try await signIn(ports[failure % 2], "wrong password \(failure)")
                XCTAssertTrue(page.contains(AccountService.invalidCredentials), "failure \(failure): \(page)")
            }
            var refusals: [String] = []
            for port in ports { refusals.append(try await signIn(port, password)) }
            guard Int64(Date().timeIntervalSince1970) / window == started else { continue }
            for (port, page) in zip(ports, refusals) {
                XCTAssertTrue(page.contains("Too many sign-in attempts"), "host \(port) refuses even the right password: \(page)")
            }
            return
        }
        XCTFail("two throttle windows ended mid-attempt")
    }

    // MARK: - Captcha

    /// A challenge issued on A is answered on B, once: the replay on A fails, and of two parallel answers of a
    /// second challenge (one per host) exactly one passes.
    func testCaptcha_issuedOnOneHostIsAnsweredOnTheOtherExactlyOnce() async throws {
        let pool = try await pool()
        let (a, b) = (pool.hosts[0].port, pool.hosts[1].port)
        let browser = CookieBrowser()
        defer { browser.invalidate() }
        let password = "captcha-password-0123"
        func challenge(on port: Int) async throws -> (csrf: String, id: String, answer: String) {
            let form = try await browser.request(port, "/signup")
            let id = try CookieBrowser.field("captchaid", in: form.body)
            let answer = try await browser.request(port, "/captcha/answer?id=\(id)")
            XCTAssertEqual(answer.status, 200)
            return (try CookieBrowser.field("csrf_token", in: form.body), id, answer.body)
        }
        func signUp(_ port: Int, _ email: String, _ form: (csrf: String, id: String, answer: String)) async throws -> String {
            try await browser.request(port, "/signup", method: "POST", form: [
                ("csrf_token", form.csrf), ("email", email), ("password", password), ("passwordrepeat", password),
                ("captchaid", form.id), ("captcha", form.answer)]).body
        }
        let refused = "The characters you typed did not match the image"

        let first = try await challenge(on: a)
        let onB = try await signUp(b, "captcha-b@example.com", first)
        XCTAssertTrue(onB.contains("A verification email has been sent to captcha-b@example.com"), onB)
        let replay = try await signUp(a, "captcha-replay@example.com", first)
        XCTAssertTrue(replay.contains(refused), replay)

        let second = try await challenge(on: b)
        async let onA = signUp(a, "captcha-race-a@example.com", second)
        async let onBAgain = signUp(b, "captcha-race-b@example.com", second)
        let pages = try await [onA, onBAgain]
        XCTAssertEqual(pages.filter { $0.contains("A verification email has been sent") }.count, 1, "exactly one passes")
        XCTAssertEqual(pages.filter { $0.contains(refused) }.count, 1, "the other is refused")

        var accounts: [String] = []
        for email in ["captcha-b@example.com", "captcha-replay@example.com", "captcha-race-a@example.com", "captcha-race-b@example.com"] {
            if try await pool.storage.user(email: email) != nil { accounts.append(email) }
        }
        XCTAssertEqual(accounts.count, 2, "\(accounts)")
        XCTAssertEqual(accounts.first, "captcha-b@example.com")
    }

    // MARK: - Mail

    /// 120 mails queued in the shared outbox, plus a sign-up's verification mail on each host (which also wakes
    /// each host's delivery at once): every one reaches the SMTP sink exactly once, and both hosts delivered.
    func testOutbox_everyQueuedMailIsDeliveredExactlyOnceWithTwoHostsDelivering() async throws {
        let pool = try await pool()
        let tag = "multi" + UUID().uuidString.prefix(8).lowercased()
        let now = Int64(Date().timeIntervalSince1970)
        let queued = 120
        try await pool.storage.write { tx in
            for n in 0..<queued {
                _ = try tx.enqueueMail(OutboxMessage(to: "\(tag)-\(n)@example.com", subject: "Queued \(n)", body: "Body \(n)",
                                                     messageID: "\(tag).\(n)@pool.example", nextAttemptAt: now, createdAt: now))
            }
        }
        // A sign-up on each host at once: each enqueues its verification mail and wakes that host's outbox.
        async let onA = Self.signUp(pool.hosts[0].port, "\(tag)-signup-a@example.com")
        async let onB = Self.signUp(pool.hosts[1].port, "\(tag)-signup-b@example.com")
        _ = try await (onA, onB)
        let expected = queued + 2

        do {
            try await HostProcesses.waitFor("every tagged mail delivered in the outbox", seconds: 90) {
                let delivered = try await pool.storage.read { try $0.outboxMessages(status: .delivered, limit: 100_000) }
                return delivered.filter { $0.to.hasPrefix(tag) }.count == expected
            }
        } catch {
            let rows = try await pool.storage.read { tx in
                try [OutboxMessage.Status.queued, .sending, .failed, .delivered].flatMap { try tx.outboxMessages(status: $0, limit: 100_000) }
            }.filter { $0.to.hasPrefix(tag) }
            let logs = pool.hosts.map { ChildProcessHarness.contents(URL(fileURLWithPath: $0.output)).split(separator: "\n")
                .filter { $0.contains("MAIL") }.suffix(10).joined(separator: "\n") }
            XCTFail("outbox: \(Dictionary(grouping: rows, by: \.status.rawValue).mapValues(\.count)), errors: "
                + "\(Set(rows.map(\.lastError))); logs: \(logs)")
            throw error
        }
        let left = try await pool.storage.read { tx in
            try [OutboxMessage.Status.queued, .sending, .failed].flatMap { try tx.outboxMessages(status: $0, limit: 100_000) }
        }
        XCTAssertEqual(left.filter { $0.to.hasPrefix(tag) }.count, 0, "nothing queued, sending or failed")
        let received = try MultiHostPool.sinkMessages(tagged: tag)
        XCTAssertEqual(received.count, expected, "the sink got each message once")
        XCTAssertEqual(Set(received.map(\.recipient)).count, expected, "no recipient twice")
        XCTAssertEqual(Set(received.map(\.messageID)).count, expected, "no Message-ID twice")
        for n in 0..<queued {
            XCTAssertTrue(received.contains { $0.messageID == "<\(tag).\(n)@pool.example>" }, "message \(n)")
        }
        // Both hosts took part: each logged deliveries to tagged recipients, and together exactly `expected`.
        let perHost = pool.hosts.map { host in
            ChildProcessHarness.contents(URL(fileURLWithPath: host.output)).split(separator: "\n")
                .filter { $0.contains(" delivered (attempt ") && $0.contains("mail ") }
        }
        let mailIDs = try await pool.storage.read { tx in
            try tx.outboxMessages(status: .delivered, limit: 100_000).filter { $0.to.hasPrefix(tag) }.map(\.id)
        }
        let counts = perHost.map { lines in lines.filter { line in mailIDs.contains { line.contains("mail \($0) to ") } }.count }
        XCTAssertEqual(counts.reduce(0, +), expected, "each message delivered by one host: \(counts)")
        XCTAssertTrue(counts.allSatisfy { $0 > 0 }, "both hosts delivered: \(counts)")
    }

    private static func signUp(_ port: Int, _ email: String) async throws -> String {
        let browser = CookieBrowser()
        defer { browser.invalidate() }
        let form = try await browser.request(port, "/signup")
        let id = try CookieBrowser.field("captchaid", in: form.body)
        let answer = try await browser.request(port, "/captcha/answer?id=\(id)").body
        let page = try await browser.request(port, "/signup", method: "POST", form: [
            ("csrf_token", try CookieBrowser.field("csrf_token", in: form.body)), ("email", email),
            ("password", "signup-password-0123"), ("passwordrepeat", "signup-password-0123"), ("captchaid", id), ("captcha", answer)]).body
        XCTAssertTrue(page.contains("A verification email has been sent"), page)
        return page
    }

    // MARK: - Registrations

    /// 200 address submissions at once, alternating between the hosts: 200 distinct users registered with their
    /// own pool key, fee address and ticket (P2SH) address, each script on every wallet once, and stakepoold,
    /// reloading from the same database, sees all of them.
    func testRegistrations_200ConcurrentOverBothHosts_uniqueAddressesAndTheScriptOnEveryWallet() async throws {
        let pool = try await pool()
        let count = 200
        var users: [(User, String)] = []
        for n in 0..<count { users.append(try await pool.addUser(email: "reg\(n)@example.com")) }
        // Independent keys for the users' addresses: children of a key the pool does not know.
        let userRoot = try await pool.simulationKey("coldwalletextpub").child(7)
        let addresses = try (0..<count).map { try userRoot.child(UInt32($0)).pubKeyAddress(network: .simnet).encoded }
        let ports = pool.hosts.map(\.port)
        // A client that really opens 200 connections at once (and waits for a loaded machine).
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = count
        configuration.timeoutIntervalForRequest = 300
        let client = URLSession(configuration: configuration)
        defer { client.invalidateAndCancel() }
        let answers = try await withThrowingTaskGroup(of: (Int, Int, String).self) { group in
            for (n, (_, token)) in users.enumerated() {
                group.addTask {
                    let (status, body) = try await HostProcesses.request(ports[n % 2], "/api/v2/address", method: "POST",
                                                                         form: [("UserPubKeyAddr", addresses[n])],
                                                                         headers: ["Authorization": "Bearer \(token)"],
                                                                         session: client)
                    return (n, status, body)
                }
            }
            return try await group.reduce(into: [(Int, Int, String)]()) { $0.append($1) }
        }
        for (n, status, body) in answers {
            XCTAssertEqual(status, 200, "submission \(n): \(body)")
            XCTAssertTrue(body.contains(#""status":"success""#), "submission \(n): \(body)")
        }

        let voting = try await pool.simulationKey("votingwalletextpub").child(0)
        let cold = try await pool.simulationKey("coldwalletextpub").child(0)
        var stored: [User] = []
        for (user, _) in users { stored.append(try await pool.storedUser(user.id)) }
        XCTAssertEqual(Set(stored.map(\.id)).count, count, "unique user ids")
        XCTAssertEqual(Set(stored.map(\.userFeeAddr)).count, count, "distinct fee addresses")
        XCTAssertEqual(Set(stored.map(\.multiSigAddress)).count, count, "distinct ticket addresses")
        XCTAssertEqual(Set(stored.map(\.poolPubKeyAddr)).count, count, "distinct pool keys")
        for (n, user) in stored.enumerated() {
            let uid = UInt32(user.id.rawValue)
            XCTAssertEqual(user.userPubKeyAddr, addresses[n])
            XCTAssertEqual(user.userFeeAddr, try cold.child(uid).p2pkhAddress(network: .simnet).encoded, "uid \(uid): /0/uid of the cold key")
            XCTAssertEqual(user.poolPubKeyAddr, try voting.child(uid).pubKeyAddress(network: .simnet).encoded, "uid \(uid)")
            XCTAssertEqual(user.multiSigAddress,
                           try Address.scriptHash(script: try Hex.decode(user.multiSigScript), network: .simnet).encoded)
        }
        let scripts = stored.map { $0.multiSigScript.lowercased() }
        for wallet in 0..<pool.wallets.count {
            let held = try await pool.scripts(ofWallet: wallet)
            for script in scripts {
                XCTAssertEqual(held.filter { $0 == script }.count, 1, "wallet \(wallet) holds each script once")
            }
        }
        // stakepoold reads the same database: a reload after the last registration sees every registered user.
        let registered = try await pool.storage.read { try $0.votingUsers().count }
        XCTAssertGreaterThanOrEqual(registered, count)
        try await HostProcesses.waitFor("stakepoold to load \(registered) users", seconds: 60) {
            ChildProcessHarness.contents(URL(fileURLWithPath: pool.stakepooldLog)).contains("reloaded voting prefs for \(registered) users")
        }
    }

    /// One user sends two different addresses at once, one to each host (a double submit through the load
    /// balancer), for 20 users: each user ends with one registration — one script (of one of the two addresses),
    /// once on every wallet, no script of the other address anywhere — and exactly one of the two answers is a
    /// success. The hosts' in-process guards can't see each other; the database's locking read must.
    func testRegistrations_twoAddressesOfOneUserOnBothHostsAtOnce_oneScriptWins() async throws {
        let pool = try await pool()
        let users = 20
        let before = try await (0..<3).asyncMap { try await pool.scripts(ofWallet: $0) }
        let root = try await pool.simulationKey("coldwalletextpub").child(11)
        var accounts: [(User, String)] = []
        for n in 0..<users { accounts.append(try await pool.addUser(email: "double\(n)@example.com")) }
        let ports = pool.hosts.map(\.port)
        let answers = try await withThrowingTaskGroup(of: (Int, Int, String).self) { group in
            for (n, (_, token)) in accounts.enumerated() {
                for side in 0..<2 {
                    let address = try root.child(UInt32(2 * n + side)).pubKeyAddress(network: .simnet).encoded
                    group.addTask {
                        let (_, body) = try await HostProcesses.request(ports[side], "/api/v2/address", method: "POST",
                                                                        form: [("UserPubKeyAddr", address)],
                                                                        headers: ["Authorization": "Bearer \(token)"])
                        return (n, side, body)
                    }
                }
            }
            return try await group.reduce(into: [(Int, Int, String)]()) { $0.append($1) }
        }
        var scripts: [String] = []
        for (n, (user, _)) in accounts.enumerated() {
            let stored = try await pool.storedUser(user.id)
            let mine = answers.filter { $0.0 == n }
            let winners = mine.filter { $0.2.contains(#""status":"success""#) }
            XCTAssertEqual(winners.count, 1, "user \(n): \(mine.map(\.2))")
            // Either address may be the one kept: a submission that finds the other's script pending completes that
            // script (an address never changes once submitted), and only one of the two final writes succeeds.
            let submitted = try (0..<2).map { try root.child(UInt32(2 * n + $0)).pubKeyAddress(network: .simnet).encoded }
            XCTAssertTrue(submitted.contains(stored.userPubKeyAddr), "user \(n): \(stored.userPubKeyAddr) is one of \(submitted)")
            XCTAssertFalse(stored.multiSigAddress.isEmpty, "user \(n) is registered")
            scripts.append(stored.multiSigScript.lowercased())
        }
        for wallet in 0..<3 {
            let held = try await pool.scripts(ofWallet: wallet)
            XCTAssertEqual(held.count, before[wallet].count + users, "wallet \(wallet): one new script per user, no loser's script")
            for script in scripts { XCTAssertEqual(held.filter { $0 == script }.count, 1, "wallet \(wallet)") }
        }
    }

    // MARK: - A host killed mid-registration

    /// A third host is killed (`kill -9`) while wallet 2 holds its `importscript` (wallets 0 and 1 imported, the
    /// script tied to the user in the database); the user's retry on host A completes exactly that registration:
    /// one script, once on every wallet, and a later submission on host B is refused as already submitted.
    func testKillNineMidRegistration_theOtherHostServesTheUserAndItCompletesOnce() async throws {
        let pool = try await pool()
        let victim = try await pool.startHost()
        let (user, token) = try await pool.addUser(email: "killed@example.com")
        let userRoot = try await pool.simulationKey("coldwalletextpub").child(9)
        let address = try userRoot.child(0).pubKeyAddress(network: .simnet).encoded
        let before = try await (0..<3).asyncMap { try await pool.scripts(ofWallet: $0) }
        _ = try await pool.node.call("simstallimports", [.int(2), .bool(true)])
        var stalled = true
        defer { if stalled { Task { [node = pool.node] in _ = try? await node.call("simstallimports", [.int(2), .bool(false)]) } } }
        let submission = Task.detached { [port = victim.port] in
            try? await HostProcesses.request(port, "/api/v2/address", method: "POST", form: [("UserPubKeyAddr", address)],
                                             headers: ["Authorization": "Bearer \(token)"])
        }
        defer { submission.cancel() }

        // Mid-way: the script is tied to the user, wallets 0 and 1 have it, wallet 2 holds the call.
        var script = ""
        try await HostProcesses.waitFor("wallets 0 and 1 to import the pending script", seconds: 60) {
            script = try await pool.storage.user(id: user.id)?.multiSigScript.lowercased() ?? ""
            guard !script.isEmpty else { return false }
            let zero = try await pool.scripts(ofWallet: 0), one = try await pool.scripts(ofWallet: 1)
            return zero.contains(script) && one.contains(script)
        }
        let pending = try await pool.storedUser(user.id)
        XCTAssertEqual(pending.multiSigAddress, "", "not active yet")
        kill(victim.process.processIdentifier, SIGKILL)
        victim.process.waitUntilExit()
        XCTAssertEqual(victim.process.terminationReason, .uncaughtSignal)
        _ = try await pool.node.call("simstallimports", [.int(2), .bool(false)])
        stalled = false
        let walletTwo = try await pool.scripts(ofWallet: 2)
        XCTAssertFalse(walletTwo.contains(script), "wallet 2 never got it")

        // The user tries again; the load balancer sends them to host A.
        let (status, body) = try await HostProcesses.request(pool.hosts[0].port, "/api/v2/address", method: "POST",
                                                             form: [("UserPubKeyAddr", address)],
                                                             headers: ["Authorization": "Bearer \(token)"])
        XCTAssertEqual(status, 200, body)
        XCTAssertTrue(body.contains(#""status":"success""#), body)
        let completed = try await pool.storedUser(user.id)
        XCTAssertEqual(completed.multiSigScript.lowercased(), script, "the same script")
        XCTAssertEqual(completed.userPubKeyAddr, address)
        XCTAssertEqual(completed.multiSigAddress, try Address.scriptHash(script: try Hex.decode(script), network: .simnet).encoded)
        XCTAssertEqual(completed.heightRegistered, pending.heightRegistered)
        for wallet in 0..<3 {
            let held = try await pool.scripts(ofWallet: wallet)
            XCTAssertEqual(held.filter { $0 == script }.count, 1, "wallet \(wallet) holds the script once")
            XCTAssertEqual(held.count, before[wallet].count + 1, "wallet \(wallet): one new script, no other")
        }
        let again = try await HostProcesses.request(pool.hosts[1].port, "/api/v2/address", method: "POST",
                                                    form: [("UserPubKeyAddr", try userRoot.child(1).pubKeyAddress(network: .simnet).encoded)],
                                                    headers: ["Authorization": "Bearer \(token)"])
        XCTAssertTrue(again.1.contains("address already submitted"), again.1)
        let after = try await pool.storedUser(user.id)
        XCTAssertEqual(after.multiSigScript.lowercased(), script)
    }
}

/// The class's one stack, started by the first test that needs it.
private actor SharedStack {
    private var started: MultiHostPool?
    private var failure: (any Error)?

    func pool() async throws -> MultiHostPool {
        if let started { return started }
        if let failure { throw failure }
        do {
            let pool = try await MultiHostPool.start()
            started = pool
            return pool
        } catch {
            failure = error
            throw error
        }
    }

    func stop() async {
        await started?.stop()
        started = nil
    }
}

private extension Range where Bound == Int {
    func asyncMap<T>(_ transform: (Int) async throws -> T) async rethrows -> [T] {
        var values: [T] = []
        for index in self { values.append(try await transform(index)) }
        return values
    }
}
