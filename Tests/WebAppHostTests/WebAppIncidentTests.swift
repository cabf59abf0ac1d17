import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HostKit
import HostTestSupport
import PoolKernel
import PoolNet
import PoolTestKit
import StakepooldControl
import WebAppHost
import WebHost
import XCTest

/// Issue 18 items 2–4 through the real web app assembled from a config file:
/// - mail trouble: with an SMTP server that refuses connections, the outbox's failures become an
///   `ALERT mail-failing` error line; when the server accepts again, the incident's message and the
///   recovery's reach the operator's mailbox (the SMTP sink of with-test-services, its `flaky` listener);
/// - `/status` shows what `/metrics` knows: per stakepoold whether it is reachable, refuses our token (and how
///   often), and has a preference change pending; the forwarded-header warning; the open alert incidents.
final class WebAppIncidentTests: XCTestCase {
    private var directory: URL?
    private var apps: [(WebApp, Task<Void, any Error>)] = []
    private var cleanups: [() async -> Void] = []

    override func tearDown() async throws {
        for (app, runner) in apps {
            app.shutdown()
            _ = try? await runner.value
        }
        apps = []
        for cleanup in cleanups { await cleanup() }
        cleanups = []
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    private func makeDirectory() throws -> URL {
        if let directory { return directory }
        let made = try TestEnvironment.makeTemporaryDirectory(prefix: "webapp-incident")
        directory = made
        return made
    }

    /// Assembles and runs the web app from a config file with `extra` lines; returns it, its port and its log.
    private func startApp(_ extra: String) async throws -> (WebApp, Int, CapturingSink) {
        let dir = try makeDirectory().path
        let path = try WebAppTestConfig.write(into: dir, extra: "bcryptcost=4\n" + extra)
        let (loaded, _, _) = try PoolConfig.load(arguments: ["-C", path], home: dir, plugins: .builtIn(), hostOptions: WebAppHostOptions.all)
        let config = try XCTUnwrap(loaded)
        let logs = CapturingSink()
        let app = try await WebApp.assemble(config: config, plugins: .builtIn(), logs: LogBackend(level: .info, sinks: [logs]))
        guard case let .tcp(_, port) = try app.bind() else { throw CocoaError(.featureUnsupported) }
        apps.append((app, Task { try await app.run() }))
        return (app, Int(port), logs)
    }

    private func waitFor(_ what: String, seconds: Int = 30, _ condition: () throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if try condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        XCTFail("timed out waiting for \(what)")
        throw CancellationError()
    }

    private func get(_ port: Int, _ path: String, headers: [String: String] = [:]) async throws -> (Int, String) {
        var request = URLRequest(url: try XCTUnwrap(URL(string: "http://127.0.0.1:\(port)\(path)")))
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (body, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: body, as: UTF8.self))
    }

    // MARK: - Mail trouble through a refusing SMTP server

    /// Takes the sink's flaky listener down (connections refused) or brings it back on the same port.
    private func setFlaky(up: Bool) async throws {
        let address = try PoolNet.HostPort(parsing: try TestEnvironment.require("POOL_SMTP_CONTROL"))
        let connection = try await NetConnection.connect(to: address, timeout: .seconds(5))
        defer { connection.close() }
        let answer = try await connection.perform { connection in
            try connection.write(up ? "up\n" : "down\n", timeout: .seconds(5))
            return try connection.read(maxLength: 16, timeout: .seconds(5))
        }
        XCTAssertEqual(String(decoding: answer, as: UTF8.self), "ok\n")
    }

    /// The subjects of the mails the sink received for `recipient`, oldest first.
    private func subjects(to recipient: String) throws -> [String] {
        let maildir = try TestEnvironment.require("POOL_SMTP_MAILDIR")
        let names = try FileManager.default.contentsOfDirectory(atPath: maildir).filter { $0.hasSuffix(".json") }.sorted {
            $0.count == $1.count ? $0 < $1 : $0.count < $1.count
        }
        var subjects: [String] = []
        for name in names {
            let base = maildir + "/" + name.dropLast(5)
            guard let meta = try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: base + ".json"))) as? [String: Any],
                  (meta["rcpt_tos"] as? [String])?.contains(recipient) == true,
                  let raw = try? String(contentsOfFile: base + ".eml", encoding: .utf8) else { continue }
            let subject = raw.components(separatedBy: "\r\n").first { $0.hasPrefix("Subject: ") }
            subjects.append(subject.map { String($0.dropFirst("Subject: ".count)) } ?? "")
        }
        return subjects
    }

    private func enqueue(_ app: WebApp, to recipient: String) async throws {
        let now = Int64(Date().timeIntervalSince1970)
        let message = OutboxMessage(to: recipient, subject: "Welcome", body: "hello",
                                    messageID: MailMessage.makeMessageID(from: "pool@example.com"), nextAttemptAt: now, createdAt: now)
        _ = try await app.storage.write { try $0.enqueueMail(message) }
        app.outbox.wake()
    }

    func testMailIncident_refusingSMTPServer_incidentLogged_thenIncidentAndRecoveryDelivered() async throws {
        let flaky = try TestEnvironment.require("POOL_SMTP_FLAKY")
        let operatorAddress = "ops-\(UUID().uuidString.prefix(8).lowercased())@example.org"
        try await setFlaky(up: false)
        cleanups.append { [self] in try? await setFlaky(up: true) }
        let (app, port, logs) = try await startApp("""
        smtphost=\(flaky)
        smtptls=none
        smtpfrom=pool@example.com
        alertemail=\(operatorAddress)
        """)

        // Three users' mails, each refused: three failures in a row are an incident, logged as an error at once.
        for index in 0..<3 { try await enqueue(app, to: "user\(index)-\(operatorAddress)") }
        try await waitFor("the mail-failing alert in the log") { logs.text.contains("ALERT mail-failing") }
        let alert = try XCTUnwrap(logs.captured.first { $0.contains("ALERT mail-failing") })
        XCTAssertTrue(alert.contains("[ERR]"), alert)
        XCTAssertEqual(try subjects(to: operatorAddress), [], "nothing can reach the operator yet")
        XCTAssertEqual(app.services.alerter.openIncidents, ["mail"])
        // /metrics and /health say so: the queue (three users' mails and the alert), its age, failing.
        var metrics = "", code = 0, health = ""
        for _ in 0..<100 {   // the mail figures are sampled with the health checks (cached briefly)
            metrics = try await get(port, "/metrics").1
            (code, health) = try await get(port, "/health")
            if Self.value(metrics, "pool_mail_failing").flatMap({ Int($0) }) ?? 0 >= 3,
               Self.value(metrics, "pool_mail_queue_depth").flatMap({ Int($0) }) ?? 0 >= 3,
               try ChildProcessHarness.healthCheck(health, "mail")?["state"] as? String == "degraded" { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(Self.value(metrics, "pool_mail_failing").flatMap { Int($0) }, metrics), 3, metrics)
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(Self.value(metrics, "pool_mail_queue_depth").flatMap { Int($0) }, metrics), 3, metrics)
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(Self.value(metrics, "pool_mail_oldest_queued_seconds").flatMap { Double($0) }, metrics), 0)
        XCTAssertEqual(code, 200, "mail trouble is degraded, not down: \(health)")
        XCTAssertEqual(ChildProcessHarness.healthStatus(health), "degraded", health)
        XCTAssertEqual(try ChildProcessHarness.healthCheck(health, "mail")?["state"] as? String, "degraded", health)

        // The server accepts again; the next mail goes out, and with it everything that waited.
        try await setFlaky(up: true)
        try await enqueue(app, to: "user3-\(operatorAddress)")
        try await waitFor("both operator messages at the sink") { try self.subjects(to: operatorAddress).count >= 2 }
        let received = try subjects(to: operatorAddress)
        XCTAssertEqual(received.count, 2, "\(received)")
        XCTAssertTrue(received[0].contains("mail delivery failing"), "\(received)")
        XCTAssertTrue(received[1].contains("mail delivery works again") && received[1].contains("trouble since"), "\(received)")
        XCTAssertEqual(app.services.alerter.openIncidents, [])
        for index in 0..<4 {
            try await waitFor("user \(index)'s mail") { try !self.subjects(to: "user\(index)-\(operatorAddress)").isEmpty }
        }
        for _ in 0..<100 {
            metrics = try await get(port, "/metrics").1
            (code, health) = try await get(port, "/health")
            if metrics.contains("\npool_mail_queue_depth 0\n"),
               try ChildProcessHarness.healthCheck(health, "mail")?["state"] as? String == "ok" { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        XCTAssertTrue(metrics.contains("\npool_mail_failing 0\n") && metrics.contains("\npool_mail_queue_depth 0\n"), metrics)
        XCTAssertEqual(try ChildProcessHarness.healthCheck(health, "mail")?["state"] as? String, "ok", health)
    }

    // MARK: - Database trouble through a MariaDB that goes away

    func testDatabaseIncident_mysqlGoesAway_loggedAtOnce_thenIncidentAndRecoveryQueuedWhenItReturns() async throws {
        let mysqlPort = try XCTUnwrap(UInt16(try TestEnvironment.require("POOL_MYSQL_PORT")))
        let relay = try TCPRelay(target: PoolNet.HostPort(host: "127.0.0.1", port: mysqlPort), relaying: true)
        cleanups.append { relay.stop() }
        let operatorAddress = "ops-\(UUID().uuidString.prefix(8).lowercased())@example.org"
        let (app, port, logs) = try await startApp("""
        storage=mysql
        dbhost=127.0.0.1
        dbport=\(relay.port)
        dbuser=\(try TestEnvironment.require("POOL_MYSQL_USER"))
        dbpassword=\(try TestEnvironment.require("POOL_MYSQL_PASSWORD"))
        dbname=\(try TestEnvironment.require("POOL_MYSQL_DATABASE"))
        alertemail=\(operatorAddress)
        """)
        let before = try await get(port, "/health").0
        XCTAssertEqual(before, 200)

        // The database goes away: /health says down and the alert is in the log at once, as an error.
        relay.pause()
        var health = 0
        for _ in 0..<100 {
            health = try await get(port, "/health").0
            if health == 503 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        XCTAssertEqual(health, 503)
        let downMetrics = try await get(port, "/metrics").1
        XCTAssertTrue(downMetrics.contains("\npool_database_up 0\n"), downMetrics)
        let alert = try XCTUnwrap(logs.captured.first { $0.contains("ALERT database-down") }, logs.text)
        XCTAssertTrue(alert.contains("[ERR]") && alert.contains("hxstakepool: database unreachable"), alert)
        // The log line comes first; the mail is held once its queueing attempt has failed (moments later).
        for _ in 0..<100 where app.services.alerter.heldMailCount < 1 { try await Task.sleep(for: .milliseconds(50)) }
        XCTAssertGreaterThanOrEqual(app.services.alerter.heldMailCount, 1, "the mail waits for the database")

        // It returns on the same port: the held incident message and the recovery message are queued, in order.
        try relay.resume()
        for _ in 0..<150 {
            health = try await get(port, "/health").0
            if health == 200 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        XCTAssertEqual(health, 200)
        let upMetrics = try await get(port, "/metrics").1
        XCTAssertTrue(upMetrics.contains("\npool_database_up 1\n"), upMetrics)
        var toOperator: [OutboxMessage] = []
        for _ in 0..<100 {
            // Queued, or already delivered by the log mail plugin.
            toOperator = try await app.storage.read { tx in
                try tx.outboxMessages(status: .queued, limit: 1_000) + tx.outboxMessages(status: .delivered, limit: 1_000)
            }.filter { $0.to == operatorAddress }.sorted { $0.id < $1.id }
            if toOperator.count >= 2 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        XCTAssertEqual(toOperator.count, 2, "\(toOperator.map(\.subject))")
        let opening = try XCTUnwrap(toOperator.first)
        XCTAssertEqual(opening.subject, "[hxstakepool] hxstakepool: database unreachable")
        XCTAssertTrue(opening.body.contains("open since ") && opening.body.contains("held back until"), opening.body)
        XCTAssertTrue(toOperator[1].subject.contains("database reachable again (trouble since "), toOperator[1].subject)
        XCTAssertEqual(app.services.alerter.openIncidents, [])
    }

    // MARK: - /status shows what /metrics knows

    /// The cells of a `/status` table by its id, one array per row.
    private static func rows(_ html: String, table id: String) -> [[String]] {
        guard let table = html.range(of: "<table id=\"\(id)\">"),
              let end = html.range(of: "</table>", range: table.upperBound..<html.endIndex) else { return [] }
        return html[table.upperBound..<end.lowerBound].components(separatedBy: "<tr>").dropFirst().compactMap { row in
            let cells = row.components(separatedBy: "</td>").dropLast().map { cell in
                cell.replacingOccurrences(of: #"<[^>]*>"#, with: "", options: .regularExpression)
                    .trimmingCharacters(in: .whitespacesAndNewlines)
            }
            return cells.isEmpty ? nil : Array(cells)
        }
    }

    /// The value of an unlabelled series.
    private static func value(_ metrics: String, _ name: String) -> String? {
        metrics.split(separator: "\n").first { $0.hasPrefix(name + " ") }.map { String($0.dropFirst(name.count + 1)) }
    }

    private static func series(_ metrics: String, _ name: String, host: String) -> String? {
        let prefix = "\(name){host=\"\(host)\"} "
        return metrics.split(separator: "\n").first { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
    }

    func testStatus_showsStakepooldPushesRefusalsProxyWarningAndIncidents_likeMetrics() async throws {
        let dir = try makeDirectory()
        // A real control server that expects another token, and a port where nothing listens.
        let server = ControlServer(configuration: ControlServer.Configuration(
            listen: [PoolNet.HostPort(host: "127.0.0.1", port: 0)], certificateFile: dir.appendingPathComponent("rpc.cert").path,
            privateKeyFile: dir.appendingPathComponent("rpc.key").path, authToken: "the-daemons-own-token-0123"),
            logger: .disabled) { _ in }
        let refusing = try XCTUnwrap(try server.bind().first)
        let serving = Task { try await server.run() }
        cleanups.append { serving.cancel() }
        let refusingPort = try ChildProcessHarness.refusingPort()
        cleanups.append { refusingPort.close() }
        let down = refusingPort.localAddress
        let certificate = dir.appendingPathComponent("rpc.cert").path

        let (_, port, _) = try await startApp("""
        enablestakepoold=1
        stakepooldtoken=the-web-apps-token-0123
        stakepooldhosts=\(refusing),\(down)
        stakepooldcerts=\(certificate),\(certificate)
        trustedproxies=127.0.0.1
        """)

        // The start-up push (every user) is refused by one host and cannot reach the other: both stay pending.
        var metrics = ""
        try await waitFor("both hosts tried") {
            metrics = (try? String(contentsOf: URL(string: "http://127.0.0.1:\(port)/metrics")!, encoding: .utf8)) ?? ""
            return Self.series(metrics, "pool_stakepoold_token_refused", host: "\(refusing)") == "1"
                && Self.series(metrics, "pool_stakepoold_reachable", host: "\(down)") == "0"
        }
        // A request from the trusted proxy with a forwarding header, while realipheader is unset.
        _ = try await get(port, "/health", headers: ["X-Forwarded-For": "203.0.113.5"])

        let before = try await get(port, "/metrics").1
        let (code, status) = try await get(port, "/status")
        metrics = try await get(port, "/metrics").1
        XCTAssertEqual(code, 200, status)
        let hosts = Dictionary(uniqueKeysWithValues: Self.rows(status, table: "stakepoolds").map { ($0[0], Array($0.dropFirst())) })
        // Columns: State, Token refusals, Change pending, Detail — each one what /metrics says.
        let refusingRow = try XCTUnwrap(hosts["\(refusing)"], status)
        XCTAssertEqual(refusingRow[0], "refuses our token", status)
        // The push is retried meanwhile: the page's count lies between the counter before and after it.
        let refusals = try XCTUnwrap(Int(refusingRow[1]), status)
        let counted = { (text: String) in Self.series(text, "pool_stakepoold_auth_failures_total", host: "\(refusing)").flatMap { Int($0) } }
        XCTAssertGreaterThanOrEqual(refusals, try XCTUnwrap(counted(before), before), status)
        XCTAssertLessThanOrEqual(refusals, try XCTUnwrap(counted(metrics), metrics), status)
        XCTAssertGreaterThanOrEqual(refusals, 1, status)
        XCTAssertEqual(refusingRow[2], "yes", status)
        XCTAssertEqual(Self.series(metrics, "pool_stakepoold_pending_notifications", host: "\(refusing)"), "1", metrics)
        let downRow = try XCTUnwrap(hosts["\(down)"], status)
        XCTAssertEqual(downRow[0], "unreachable", status)
        XCTAssertEqual(downRow[1], "0", status)
        XCTAssertEqual(downRow[2], "yes", status)
        XCTAssertFalse(downRow[3].isEmpty, "why it is unreachable: \(status)")
        XCTAssertEqual(Self.series(metrics, "pool_stakepoold_pending_notifications", host: "\(down)"), "1", metrics)
        XCTAssertEqual(Self.series(metrics, "pool_stakepoold_token_refused", host: "\(down)"), "0", metrics)

        XCTAssertTrue(metrics.contains("\npool_http_forwarded_header_ignored 1\n"), metrics)
        XCTAssertTrue(status.contains("A trusted proxy sends forwarding headers but realipheader is not set"), status)

        let incidents = Self.rows(status, table: "incidents")
        let stakepoold = try XCTUnwrap(incidents.first { $0.first == "stakepoold" }, status)
        XCTAssertTrue(stakepoold[2].contains("stakepoold at \(refusing) unreachable")
                      && stakepoold[2].contains("stakepoold at \(down) unreachable"), status)
        XCTAssertFalse(status.contains("the-web-apps-token-0123"), "no token on /status")
    }
}
