import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HostKit
import HostTestSupport
import StakepooldHost
import WebAppHost
import PoolKernel
import PoolNet
import PoolTestKit
import StorageSQLite
import WebHost
import XCTest

/// The web app → stakepoold preference push end to end (issue 20): a user changes their vote bits through the
/// real web app (assembled from its config, `enablestakepoold`, `stakepooldhosts`, `stakepooldtoken`), by API v1
/// and then on the /voting page; a real `stakepoold` process sharing its database gets each push on its control
/// API and reloads (it reloads on nothing else), and on its clean stop writes the page's choice into its disk
/// cache (`uservotingconfig-*.json`, what it votes with).
final class VotePrefsEndToEndTests: XCTestCase {
    private static let token = "control-token-0123456789abcdef"
    private var harness: StakepooldProcessHarness?
    private var running: [(WebApp, Task<Void, any Error>)] = []

    override func tearDown() async throws {
        for (app, runner) in running {
            app.shutdown()
            _ = try? await runner.value
        }
        running = []
        harness?.stop()
        harness = nil
    }

    /// A running stakepoold (control API with `controltoken`) over a simwallet, on a fresh SQLite database.
    private struct Daemon {
        var process: Process
        var log: String
        var home: String
        var controlPort: UInt16
        var database: String
    }

    private func startStakepoold(_ harness: StakepooldProcessHarness) async throws -> Daemon {
        let (nodeAddress, walletAddresses, certificate) = try await harness.startSimwallet(wallets: 1)
        let node = try await harness.connect(nodeAddress, certificate: certificate, name: "control")
        let info = try await node.call("siminfo")
        let coldKey = try XCTUnwrap(info["coldwalletextpub"]?.stringValue)
        let database = harness.path("pool.sqlite")
        let seeded = SQLiteStorage(configuration: .init(path: database), logger: .disabled)
        try await seeded.migrate()
        await seeded.shutdown()

        // stakepoold on the shared database with its control API.
        let home = harness.path("stakepoold")
        let log = harness.path("stakepoold.out")
        let daemon = try harness.launch(try BuiltExecutable.path("stakepoold"), [
            "--simnet", "--appdata", home, "--logdir", home + "/logs", "--datadir", home + "/data",
            "--coldwalletextpub=\(coldKey)", "--storage=sqlite", "--sqlitepath=\(database)",
            "--dcrdhost=\(nodeAddress)", "--dcrduser=\(StakepooldProcessHarness.rpcUser)",
            "--dcrdpassword=\(StakepooldProcessHarness.rpcPassword)", "--dcrdcert=\(certificate)",
            "--wallethost=\(walletAddresses[0])", "--walletuser=\(StakepooldProcessHarness.rpcUser)",
            "--walletpassword=\(StakepooldProcessHarness.rpcPassword)", "--walletcert=\(certificate)",
            "--rpclisten=127.0.0.1:0", "--controltoken=\(Self.token)",
        ], log: log)
        let listening = try await harness.waitForLine(daemon, log, containing: "control API listening on ", seconds: 90)
        let controlPort = try ChildProcessHarness.address(after: "control API listening on ", in: listening).port
        try await harness.waitForLine(daemon, log, containing: "loaded prefs for 0 users from storage", seconds: 90)
        try await harness.waitForLine(daemon, log, containing: "subscribed to notifications from dcrd", seconds: 90)
        return Daemon(process: daemon, log: log, home: home, controlPort: controlPort, database: database)
    }

    /// The web app assembled from its config file on the daemon's database, pushing to stakepoold at the loopback
    /// ports `hosts` (two are required) with the daemon's certificate; returns it, its config and its port.
    private func startWebApp(_ harness: StakepooldProcessHarness, _ daemon: Daemon, hosts: [UInt16], extra: String = "") async throws
        -> (WebApp, PoolConfig, Int)
    {
        let dir = harness.path("webapp")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = try WebAppTestConfig.write(into: dir, extra: """
        sqlitepath=\(daemon.database)
        enablestakepoold=1
        stakepooldhosts=\(hosts.map { "127.0.0.1:\($0)" }.joined(separator: ","))
        stakepooldcerts=\(hosts.map { _ in daemon.home + "/rpc.cert" }.joined(separator: ","))
        stakepooldtoken=\(Self.token)
        \(extra)
        """)
        let (loaded, _, _) = try PoolConfig.load(arguments: ["-C", path], home: dir, plugins: .builtIn(), hostOptions: WebAppHostOptions.all)
        let config = try XCTUnwrap(loaded)
        let app = try await WebApp.assemble(config: config, plugins: .builtIn(), logs: LogBackend(level: .error, sinks: [CapturingSink()]))
        guard case let .tcp(_, port) = try app.bind() else { throw CocoaError(.featureUnsupported) }
        running.append((app, Task { try await app.run() }))
        return (app, config, port)
    }

    func testVotingChangeInTheWebApp_reachesARealStakepooldsPreferenceCache() async throws {
        let harness = try StakepooldProcessHarness(prefix: "prefs-e2e")
        self.harness = harness
        let started = try await startStakepoold(harness)
        let (daemon, log, controlPort) = (started.process, started.log, started.controlPort)

        // The web app: the daemon and a second stakepoold host where nothing listens (two are required).
        let refusing = try ChildProcessHarness.refusingPort()   // held, never listening, for the whole test
        defer { refusing.close() }
        let unused = refusing.localAddress.port
        let (app, config, port) = try await startWebApp(harness, started, hosts: [controlPort, unused])

        // A verified user with an API token registers an address, then changes their vote bits (webapp.md §4.6, §4.7).
        let password = "voter password 0123456789"
        let uid = try await app.storage.insertUser(User(email: "voter@example.com", passwordHash: try BCrypt.hash(password: password, cost: 4),
                                                        emailVerified: .verified)).id
        let token = APITokenSigner(secret: config.apiSecret, issuer: config.baseURL).issue(for: uid)
        _ = try await app.storage.updateUser(id: uid) { $0.apiToken = token }
        let bearer = ["Authorization": "Bearer \(token)"]
        let address = try XCTUnwrap(try SimnetHDVectors.load().children.first).pubKeyAddress
        var (_, body) = try await HostProcesses.request(Int(port), "/api/v1/address", method: "POST",
                                                         form: [("UserPubKeyAddr", address)], headers: bearer)
        XCTAssertEqual(try HostProcesses.json(body)["code"] as? Int, 0, body)
        try await harness.waitForLine(daemon, log, containing: "reloaded voting prefs for 1 users", seconds: 90)
        let reloadsBefore = reloads(harness.contents(log))

        (_, body) = try await HostProcesses.request(Int(port), "/api/v1/voting", method: "POST", form: [("VoteBits", "5")],
                                                     headers: bearer)
        let answer = try HostProcesses.json(body)
        XCTAssertEqual(answer["code"] as? Int, 0, body)
        XCTAssertEqual(answer["message"] as? String, "sucessfully updated voting preferences", body)
        try await HostProcesses.waitFor("stakepoold reloading after the API change", seconds: 90) {
            self.reloads(harness.contents(log)) > reloadsBefore
        }

        // Then on the /voting page, signed in (webapp.md §9.5): bits = 1 | each agenda's chosen choice.
        let browser = URLSession(configuration: .ephemeral)
        var (code, page) = try await HostProcesses.request(Int(port), "/signin", session: browser)
        (code, page) = try await HostProcesses.request(Int(port), "/signin", method: "POST", form: [
            ("csrf_token", try csrf(page)), ("email", "voter@example.com"), ("password", password),
        ], session: browser)
        (code, page) = try await HostProcesses.request(Int(port), "/voting", session: browser)
        XCTAssertEqual(code, 200, page)
        let agendas = Self.agendaChoices(page)
        XCTAssertFalse(agendas.isEmpty, "the voting page lists the agendas: \(page)")
        // Each agenda's last choice; if that adds up to the API's 5, the first agenda's first choice instead.
        var chosen = agendas.map { $0.last ?? 0 }
        if chosen.reduce(1, |) == 5 { chosen[0] = agendas[0][0] }
        let expected = chosen.reduce(UInt16(1), |)
        let form = [("csrf_token", try csrf(page)), ("updateVoting", "true")]
            + chosen.enumerated().map { ("agenda\($0.offset)", "\($0.element)") }
        XCTAssertNotEqual(expected, 5, "a change from the API's bits")
        let reloadsAfterAPI = reloads(harness.contents(log))
        (code, page) = try await HostProcesses.request(Int(port), "/voting", method: "POST", form: form, session: browser)
        XCTAssertTrue(page.contains("successfully updated voting preferences"), page)
        try await HostProcesses.waitFor("stakepoold reloading after the page change", seconds: 90) {
            self.reloads(harness.contents(log)) > reloadsAfterAPI
        }

        // Its clean stop writes what it would vote with.
        daemon.terminate()
        let stopped = await harness.waitForExit(daemon, seconds: 60)
        XCTAssertTrue(stopped)
        XCTAssertEqual(daemon.terminationStatus, 0, harness.contents(log).suffix(2_000).description)
        let saved = try XCTUnwrap(harness.contents(log).split(separator: "\n")
            .first { $0.contains("saveData: successfully saved uservotingconfig data to ") }, harness.contents(log))
        let file = try XCTUnwrap(saved.components(separatedBy: "saved uservotingconfig data to ").last)
        let cache = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file)))
            as? [String: [String: Any]])
        let user = try XCTUnwrap(cache.values.first { $0["Userid"] as? Int == Int(uid.rawValue) }, "\(cache)")
        XCTAssertEqual(user["VoteBits"] as? Int, Int(expected), "the choice made on the voting page: \(cache)")
    }

    /// Issue 18 item 3: a change that cannot reach stakepoold (its control port refuses: a relay in front of the
    /// real daemon, paused) stays pending — `pool_stakepoold_pending_notifications` 1, the daemon reloads nothing —
    /// and is retried until the daemon has it, once the port answers again; then the gauge is 0.
    func testVotingChangeWhileStakepooldIsUnreachable_isRetriedUntilTheRealDaemonHasIt() async throws {
        let harness = try StakepooldProcessHarness(prefix: "prefs-retry")
        self.harness = harness
        let started = try await startStakepoold(harness)
        let relay = try TCPRelay(target: PoolNet.HostPort(host: "127.0.0.1", port: started.controlPort))
        defer { relay.stop() }
        let refusing = try ChildProcessHarness.refusingPort()
        defer { refusing.close() }
        let (app, config, port) = try await startWebApp(harness, started, hosts: [relay.port, refusing.localAddress.port],
                                                         extra: "alertemail=ops@example.org")

        let uid = try await app.storage.insertUser(User(email: "late@example.com", passwordHash: "x", emailVerified: .verified)).id
        let token = APITokenSigner(secret: config.apiSecret, issuer: config.baseURL).issue(for: uid)
        _ = try await app.storage.updateUser(id: uid) { $0.apiToken = token }
        let bearer = ["Authorization": "Bearer \(token)"]
        let address = try XCTUnwrap(try SimnetHDVectors.load().children.first).pubKeyAddress
        var (_, body) = try await HostProcesses.request(Int(port), "/api/v1/address", method: "POST",
                                                         form: [("UserPubKeyAddr", address)], headers: bearer)
        XCTAssertEqual(try HostProcesses.json(body)["code"] as? Int, 0, body)
        (_, body) = try await HostProcesses.request(Int(port), "/api/v1/voting", method: "POST", form: [("VoteBits", "5")],
                                                     headers: bearer)
        XCTAssertEqual(try HostProcesses.json(body)["code"] as? Int, 0, "the user's change is accepted: \(body)")
        let pending = "pool_stakepoold_pending_notifications{host=\"127.0.0.1:\(relay.port)\"} "
        try await HostProcesses.waitFor("the change pending for the unreachable daemon") {
            try await HostProcesses.request(Int(port), "/metrics").1.contains(pending + "1\n")
        }
        XCTAssertFalse(harness.contents(started.log).contains("reloaded voting prefs for 1 users"), "nothing reached it yet")

        try relay.resume()
        try await harness.waitForLine(started.process, started.log, containing: "reloaded voting prefs for 1 users", seconds: 120)
        try await HostProcesses.waitFor("nothing pending once delivered") {
            try await HostProcesses.request(Int(port), "/metrics").1.contains(pending + "0\n")
        }
        // The operator heard of it once: one message for the incident (both hosts, every retry), not one per failure.
        let alerts = try await app.storage.read { tx in
            try tx.outboxMessages(status: .queued, limit: 100) + tx.outboxMessages(status: .delivered, limit: 100)
        }.filter { $0.to == "ops@example.org" }
        XCTAssertEqual(alerts.count, 1, "\(alerts.map(\.subject))")
        let told = alerts.first.map { "\($0.subject) \($0.body)" } ?? ""
        XCTAssertTrue([relay.port, refusing.localAddress.port].contains { told.contains("stakepoold at 127.0.0.1:\($0) unreachable") }, told)
    }

    private func csrf(_ page: String) throws -> String {
        try XCTUnwrap(WebAppExecutableWiringTests.capture(#"name="csrf_token" value="([0-9a-f]+)""#, in: page), page)
    }

    /// The option values (choice bits) of each `agenda<i>` select of the voting page, in order.
    static func agendaChoices(_ page: String) -> [[UInt16]] {
        page.components(separatedBy: "<select name=\"agenda").dropFirst().map { select in
            let options = select.components(separatedBy: "</select>")[0].components(separatedBy: "<option value=\"").dropFirst()
            return options.compactMap { UInt16($0.prefix { $0 != "\"" }) }
        }
    }

    private func reloads(_ log: String) -> Int { log.components(separatedBy: "reloaded voting prefs for 1 users").count - 1 }

    /// stakepoold's own logging set-up registers its config's secrets: a request whose path is the control token
    /// is logged as refused, with `***` in its place, in the daemon's log file; no RPC password appears either.
    func testStakepooldLogScrubber_theConfigsSecretsNeverReachItsLogFile() async throws {
        let harness = try StakepooldProcessHarness(prefix: "stakepoold-scrub")
        self.harness = harness
        let daemon = try await startStakepoold(harness)
        let (code, _) = try await ChildProcessHarness.controlRequest(
            PoolNet.HostPort(host: "127.0.0.1", port: daemon.controlPort), certificate: daemon.home + "/rpc.cert",
            path: "/\(Self.token)")
        XCTAssertEqual(code, 401, "no token sent")
        let logFile = daemon.home + "/logs/simnet/stakepoold.log"
        var text = ""
        try await HostProcesses.waitFor("the refusal in stakepoold's log file") {
            text = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
            return text.contains("control API refused GET /*** HTTP/1.1")
        }
        for secret in [Self.token, StakepooldProcessHarness.rpcPassword] {
            XCTAssertFalse(text.contains(secret), "\(secret) in \(logFile)")
            XCTAssertFalse(harness.contents(daemon.log).contains(secret), "\(secret) on stdout")
        }
    }
}
