import Foundation
import HostTestSupport
import WebAppHost
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import PoolKernel
import PoolNet
import PoolTestKit
import StorageSQLite
import XCTest

/// What the README promises of the web app, through the real `hxstakepool` executable started from a config file
/// (issue 20): API v1 with a token `poolctl user token` printed, `closepool` in the API, `bcryptcost` in the stored
/// hash of a sign-up, `/captcha/answer` only with `captchatesthook` and `POOL_TEST_CAPTCHA=1`, SIGUSR1 reloading
/// the templates of `templatepath`, the log file scrubbed of the config's secrets, `metricslisten`, exit code 5.
/// Expected values come from the spec (webapp.md §4) and the options, not from the code under test.
final class WebAppExecutableWiringTests: XCTestCase {
    private var processes: HostProcesses?

    override func tearDown() async throws {
        processes?.stopAll()
        processes = nil
    }

    private func makeProcesses() throws -> HostProcesses {
        let made = try HostProcesses(prefix: "webapp-exec")
        processes = made
        return made
    }

    /// A config in its own directory under the harness's (SQLite at `<dir>/pool.sqlite`).
    private func writeConfig(_ hosts: HostProcesses, _ name: String, _ extra: String) throws -> (config: String, dir: String) {
        let dir = hosts.path(name)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let config = try WebAppTestConfig.write(into: dir, extra: "sqlitepath=\(dir)/pool.sqlite\n" + extra)
        return (config, dir)
    }

    // MARK: - API v1, poolctl user token, closepool

    func testAPIv1_withTheTokenPoolctlPrints_closedPoolShowsClosedAndStillTakesAddresses() async throws {
        let hosts = try makeProcesses()
        let (config, dir) = try writeConfig(hosts, "closed", "closepool=1\npoolfees=7.5\nbcryptcost=4")
        let app = try await hosts.startWebApp(config: config)

        // A verified user made by poolctl against the same database, and the token poolctl prints for them.
        let passwordFile = dir + "/password"
        try "a long enough password 123\n".write(toFile: passwordFile, atomically: true, encoding: .utf8)
        let added = try await hosts.poolctl(["-C", config, "user", "add", "--email", "api@example.com",
                                             "--password-file", passwordFile, "--verified"])
        XCTAssertEqual(added.status, 0, added.err)
        let printed = try await hosts.poolctl(["-C", config, "user", "token", "api@example.com"])
        XCTAssertEqual(printed.status, 0, printed.err)
        let token = printed.out.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertFalse(token.isEmpty || token.contains(" "), printed.out)
        let again = try await hosts.poolctl(["-C", config, "user", "token", "api@example.com"])
        XCTAssertEqual(again.out.trimmingCharacters(in: .whitespacesAndNewlines), token, "the same token until --regenerate")
        let bearer = ["Authorization": "Bearer \(token)"]

        // webapp.md §3.29: closepool → API stats PoolStatus "Closed"; address submission is still allowed.
        var (code, body) = try await HostProcesses.request(app.port, "/api/v1/stats")
        XCTAssertEqual(code, 200, body)
        var answer = try HostProcesses.json(body)
        XCTAssertEqual(answer["code"] as? Int, 0, body)
        XCTAssertEqual((answer["data"] as? [String: Any])?["PoolStatus"] as? String, "Closed", body)
        XCTAssertEqual((answer["data"] as? [String: Any])?["PoolFees"] as? Double, 7.5, body)

        // webapp.md §4.4: no valid token → code 16.
        (_, body) = try await HostProcesses.request(app.port, "/api/v1/getpurchaseinfo", headers: ["Authorization": "Bearer \(token)x"])
        answer = try HostProcesses.json(body)
        XCTAssertEqual(answer["code"] as? Int, 16, body)
        XCTAssertEqual(answer["message"] as? String, "purchaseinfo error - invalid api token", body)

        let address = try XCTUnwrap(try SimnetHDVectors.load().children.first).pubKeyAddress
        (code, body) = try await HostProcesses.request(app.port, "/api/v1/address", method: "POST",
                                                        form: [("UserPubKeyAddr", address)], headers: bearer)
        answer = try HostProcesses.json(body)
        XCTAssertEqual(answer["code"] as? Int, 0, body)
        XCTAssertEqual(answer["message"] as? String, "address successfully imported", body)

        (code, body) = try await HostProcesses.request(app.port, "/api/v1/getpurchaseinfo", headers: bearer)
        answer = try HostProcesses.json(body)
        XCTAssertEqual(answer["code"] as? Int, 0, body)
        XCTAssertEqual(answer["message"] as? String, "purchaseinfo successfully retrieved", body)
        let data = try XCTUnwrap(answer["data"] as? [String: Any], body)
        XCTAssertEqual(data["PoolFees"] as? Double, 7.5, body)
        // A 1-of-2 multisig redeem script (OP_1 <33-byte key> <33-byte key> OP_2 OP_CHECKMULTISIG), simnet P2SH.
        let script = try XCTUnwrap(data["Script"] as? String, body)
        XCTAssertTrue(script.hasPrefix("5121") && script.hasSuffix("52ae") && script.count == 142, script)
        XCTAssertTrue((data["TicketAddress"] as? String)?.hasPrefix("Sc") == true, body)
    }

    /// The defaults: the API says the pool is open, and there is no `/captcha/answer` — neither without
    /// `captchatesthook` nor with it but without `POOL_TEST_CAPTCHA=1` in the environment.
    func testDefaults_poolOpenInTheAPIAndNoCaptchaAnswerRoute() async throws {
        let hosts = try makeProcesses()
        let plain = try writeConfig(hosts, "plain", "")
        let app = try await hosts.startWebApp(config: plain.config, environment: ["POOL_TEST_CAPTCHA": "1"])
        let (_, stats) = try await HostProcesses.request(app.port, "/api/v1/stats")
        XCTAssertEqual((try HostProcesses.json(stats)["data"] as? [String: Any])?["PoolStatus"] as? String, "Open", stats)
        let signup = try await captchaId(app.port)
        var (code, _) = try await HostProcesses.request(app.port, "/captcha/answer?id=\(signup.id)")
        XCTAssertEqual(code, 404, "no test hook without captchatesthook, even with the environment variable")

        let hookOnly = try writeConfig(hosts, "hook", "captchatesthook=1")
        let hooked = try await hosts.startWebApp(config: hookOnly.config, environment: ["POOL_TEST_CAPTCHA": ""])
        let other = try await captchaId(hooked.port)
        (code, _) = try await HostProcesses.request(hooked.port, "/captcha/answer?id=\(other.id)")
        XCTAssertEqual(code, 404, "captchatesthook alone does not expose it")
    }

    // MARK: - bcryptcost

    /// A sign-up through the form stores a bcrypt hash with the configured cost (`$2a$05$`, not the default 10).
    /// The captcha is answered through the test hook, which needs `captchatesthook` and the environment variable.
    func testBcryptCost_signUpStoresAHashOfTheConfiguredCost() async throws {
        let hosts = try makeProcesses()
        let (config, dir) = try writeConfig(hosts, "bcrypt", "bcryptcost=5\ncaptchatesthook=1")
        let app = try await hosts.startWebApp(config: config, environment: ["POOL_TEST_CAPTCHA": "1"])
        let session = URLSession(configuration: .ephemeral)
        let form = try await captchaId(app.port, session: session)
        let (answerCode, answer) = try await HostProcesses.request(app.port, "/captcha/answer?id=\(form.id)", session: session)
        XCTAssertEqual(answerCode, 200)
        XCTAssertEqual(answer.count, 5, "five digits: \(answer)")
        let password = "correct horse battery staple 42"
        let (code, body) = try await HostProcesses.request(app.port, "/signup", method: "POST", form: [
            ("csrf_token", form.csrf), ("email", "cost@example.com"), ("password", password), ("passwordrepeat", password),
            ("captchaid", form.id), ("captcha", answer),
        ], session: session)
        XCTAssertEqual(code, 200, body)

        let storage = SQLiteStorage(configuration: .init(path: dir + "/pool.sqlite"), logger: .disabled)
        let user = try await storage.read { try $0.user(email: "cost@example.com") }
        await storage.shutdown()
        let hash = try XCTUnwrap(user?.passwordHash, "the sign-up stored the user: \(body.prefix(600))")
        XCTAssertTrue(hash.hasPrefix("$2a$05$"), hash)
        XCTAssertEqual(hash.count, 60, hash)
    }

    /// The sign-up form's CSRF token and captcha id.
    private func captchaId(_ port: Int, session: URLSession = .shared) async throws -> (csrf: String, id: String) {
        let (code, page) = try await HostProcesses.request(port, "/signup", session: session)
        XCTAssertEqual(code, 200, page)
        let csrf = try XCTUnwrap(Self.capture(#"name="csrf_token" value="([0-9a-f]+)""#, in: page), page)
        let id = try XCTUnwrap(Self.capture(#"name="captchaid" value="([0-9a-f]+)""#, in: page), page)
        return (csrf, id)
    }

    static func capture(_ pattern: String, in text: String) -> String? {
        guard let regex = try? NSRegularExpression(pattern: pattern),
              let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
              let range = Range(match.range(at: 1), in: text) else { return nil }
        return String(text[range])
    }

    // MARK: - SIGUSR1

    /// The operator edits a template in `templatepath` and sends SIGUSR1: the next page shows the edit
    /// (webapp.md §10.2); before the signal it does not.
    func testSIGUSR1_reloadsTheTemplatesOfTheConfiguredTemplatePath() async throws {
        let hosts = try makeProcesses()
        let templates = hosts.path("templates")
        try FileManager.default.copyItem(atPath: WebAppTestConfig.repoRoot + "/templates", toPath: templates)
        let (config, _) = try writeConfig(hosts, "usr1", "templatepath=\(templates)")
        // The config's own templatepath line comes first; the later one would be refused as "set twice".
        let text = try String(contentsOfFile: config, encoding: .utf8)
            .replacingOccurrences(of: "templatepath=\(WebAppTestConfig.repoRoot)/templates\n", with: "")
        try text.write(toFile: config, atomically: true, encoding: .utf8)
        let app = try await hosts.startWebApp(config: config)
        var (code, page) = try await HostProcesses.request(app.port, "/")
        XCTAssertEqual(code, 200)
        XCTAssertTrue(page.contains("Decred Stake Pool Overview"), page)

        let home = templates + "/home.html"
        let edited = try String(contentsOfFile: home, encoding: .utf8)
            .replacingOccurrences(of: "Decred Stake Pool Overview", with: "Overview edited by the operator")
        try edited.write(toFile: home, atomically: true, encoding: .utf8)
        (_, page) = try await HostProcesses.request(app.port, "/")
        XCTAssertFalse(page.contains("Overview edited by the operator"), "templates are not re-read without the signal")

        kill(app.process.processIdentifier, SIGUSR1)
        try await hosts.waitForLine(app.process, app.output, containing: "LoadTemplates() executed.")
        (code, page) = try await HostProcesses.request(app.port, "/")
        XCTAssertEqual(code, 200)
        XCTAssertTrue(page.contains("Overview edited by the operator"), page)
        XCTAssertTrue(app.process.isRunning, "SIGUSR1 does not stop the web app")
    }

    // MARK: - The log scrubber

    /// Requests whose paths are the config's secrets reach the access log: the log file the web app writes
    /// through its own logging set-up shows them as `***`, never in clear.
    func testLogScrubber_theConfigsSecretsNeverReachTheLogFile() async throws {
        let hosts = try makeProcesses()
        let secrets = ["recaptcha-secret-0123456789abcdef", "stakepoold-token-0123456789"]
        let (config, dir) = try writeConfig(hosts, "scrub", """
        recaptchasecret=\(secrets[0])
        recaptchasitekey=site-key-0123456789
        stakepooldtoken=\(secrets[1])
        """)
        let configured = ["api-secret-value-0123456789abcdef", "cookie-secret-value-0123456789abcdef"] + secrets
        let app = try await hosts.startWebApp(config: config)
        for secret in configured {
            let (code, _) = try await HostProcesses.request(app.port, "/\(secret)")
            XCTAssertEqual(code, 404)
        }
        let logFile = dir + "/logs/simnet/hxstakepool.log"
        var log = ""
        try await HostProcesses.waitFor("four scrubbed access-log lines") {
            log = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
            return log.components(separatedBy: "\"GET /***\" 404").count - 1 >= 4
        }
        let stdout = ChildProcessHarness.contents(URL(fileURLWithPath: app.output))
        for secret in configured {
            XCTAssertFalse(log.contains(secret), "\(secret) in the log file")
            XCTAssertFalse(stdout.contains(secret), "\(secret) on stdout")
        }
    }

    // MARK: - metricslisten

    /// With `metricslisten`, `/metrics` and `/health` are served on that address and `/metrics` is gone from
    /// the main port, even for an admin IP.
    // MARK: - Heap retention

    /// The executable keeps freed heap for the next requests (`HeapRetention`) and says so in its log; an
    /// operator's `GLIBC_TUNABLES` with a malloc threshold is left in force.
    func testHeapRetention_appliedByTheExecutable_operatorsTunablesLeftInForce() async throws {
        let hosts = try makeProcesses()
        let plain = try await hosts.startWebApp(config: try writeConfig(hosts, "heap", "").config)
        let plainLog = try String(contentsOfFile: plain.output, encoding: .utf8)
        XCTAssertTrue(plainLog.contains("heap: keeps up to 64 MiB of freed memory"), plainLog)
        let tuned = try await hosts.startWebApp(config: try writeConfig(hosts, "heap-tunables", "").config,
                                                environment: ["GLIBC_TUNABLES": "glibc.malloc.trim_threshold=1048576"])
        let tunedLog = try String(contentsOfFile: tuned.output, encoding: .utf8)
        XCTAssertTrue(tunedLog.contains("heap: the glibc.malloc thresholds in GLIBC_TUNABLES are left in force"), tunedLog)
        XCTAssertFalse(tunedLog.contains("heap: keeps"), tunedLog)
    }

    func testMetricsListen_servedThereAndNotOnTheMainPort() async throws {
        let hosts = try makeProcesses()
        let (config, _) = try writeConfig(hosts, "metrics", "metricslisten=127.0.0.1:0")
        let app = try await hosts.startWebApp(config: config)
        let line = try await hosts.waitForLine(app.process, app.output, containing: "metrics: listening on ")
        let metricsPort = Int(try ChildProcessHarness.address(after: "metrics: listening on ", in: line).port)
        XCTAssertNotEqual(metricsPort, app.port)
        var (code, body) = try await HostProcesses.request(metricsPort, "/metrics")
        XCTAssertEqual(code, 200, body)
        XCTAssertTrue(body.contains("\npool_wallets_configured 3\n"), body)
        (code, body) = try await HostProcesses.request(metricsPort, "/health")
        XCTAssertEqual(code, 200, body)
        XCTAssertTrue(body.hasPrefix("{\"status\":"), body)
        (code, _) = try await HostProcesses.request(app.port, "/metrics")
        XCTAssertEqual(code, 404, "not on the main listener, although 127.0.0.1 is in adminips")
    }

    /// Without `metricslisten`, the main port serves `/metrics` to `adminips` (the contrast to the test above).
    func testMetricsListen_emptyServesMetricsOnTheMainPortToAdmins() async throws {
        let hosts = try makeProcesses()
        let (config, _) = try writeConfig(hosts, "nometrics", "")
        let app = try await hosts.startWebApp(config: config)
        let (code, body) = try await HostProcesses.request(app.port, "/metrics")
        XCTAssertEqual(code, 200, body)
        XCTAssertTrue(body.contains("\npool_wallets_configured 3\n"), body)
        XCTAssertFalse(ChildProcessHarness.contents(URL(fileURLWithPath: app.output)).contains("metrics: listening on"))
    }

    // MARK: - Exit codes

    /// Runs `hxstakepool -C config` until it exits (bounded): its status and output.
    private func runToExit(_ hosts: HostProcesses, config: String) async throws -> (Int32, String) {
        let output = config + ".out"
        let process = try hosts.launch("hxstakepool", ["-C", config], output: output)
        let exited = await ChildProcessHarness.waitForExit(process, seconds: 90)
        XCTAssertTrue(exited, "hxstakepool still running")
        return (process.terminationStatus, ChildProcessHarness.contents(URL(fileURLWithPath: output)))
    }

    /// webapp.md §10.1: a listener that cannot bind exits 5, logging `could not bind` once.
    func testExitCode5_listenAddressTaken() async throws {
        let hosts = try makeProcesses()
        let taken = try TCPListenerHolder()
        let (config, _) = try writeConfig(hosts, "exit5", "")
        let text = try String(contentsOfFile: config, encoding: .utf8)
            .replacingOccurrences(of: "listen=127.0.0.1:0", with: "listen=127.0.0.1:\(taken.port)")
        try text.write(toFile: config, atomically: true, encoding: .utf8)
        let (status, printed) = try await runToExit(hosts, config: config)
        XCTAssertEqual(status, 5, printed)
        XCTAssertTrue(printed.contains("could not bind"), printed)
        _ = taken
    }

    /// webapp.md §10.1: a failure while serving exits 6. The main listener is bound and "listening on" logged;
    /// then a service of the running app — the `metricslisten` server on a port in use — fails, and the whole
    /// app stops with `serve failed`.
    func testExitCode6_aServiceFailsWhileServing() async throws {
        let hosts = try makeProcesses()
        let taken = try TCPListenerHolder()
        let (config, _) = try writeConfig(hosts, "exit6", "metricslisten=127.0.0.1:\(taken.port)")
        let (status, printed) = try await runToExit(hosts, config: config)
        XCTAssertEqual(status, 6, printed)
        XCTAssertTrue(printed.contains("DCRS: listening on "), printed)
        XCTAssertTrue(printed.contains("serve failed"), printed)
        _ = taken
    }
}
