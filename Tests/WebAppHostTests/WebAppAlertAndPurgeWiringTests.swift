import Foundation
import HostKit
import HostTestSupport
@testable import WebAppHost
import PoolKernel
import PoolNet
import PoolTestKit
import StorageSQLite
import XCTest

/// Options of the web app as it is assembled from a config file (issue 20), option → wiring → behaviour:
/// - `alertemail`: a wallet that lags behind the others queues one alert mail to that address; empty (the
///   default) logs the alert and queues no mail;
/// - `mailretentiondays`: the web app's purge (at start, then hourly) deletes delivered mail older than that many
///   days (and never the vote audit, which is stakepoold's); `0` keeps it.
final class WebAppAlertAndPurgeWiringTests: XCTestCase {
    private var rpcPool: SimnetRPCPool?
    private var running: [(WebApp, Task<Void, any Error>)] = []
    private var directory: URL?

    override func tearDown() async throws {
        for (app, runner) in running {
            app.shutdown()
            _ = try? await runner.value
        }
        running = []
        rpcPool?.stop()
        rpcPool = nil
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    private func run(_ config: PoolConfig, logs: CapturingSink) async throws -> WebApp {
        let app = try await WebApp.assemble(config: config, plugins: .builtIn(), logs: LogBackend(level: .info, sinks: [logs]))
        _ = try app.bind()
        running.append((app, Task { try await app.run() }))
        return app
    }

    // MARK: - alertemail and the lagging wallet

    /// The web app over three RPC wallets (production dcrwallet plugin); wallet 2 then falls 5 blocks behind.
    private func lagWallet(alertEmail: String?) async throws -> (WebApp, CapturingSink, [OutboxMessage]) {
        let rpcPool = try SimnetRPCPool()
        self.rpcPool = rpcPool
        let config = try rpcPool.config(["listen=127.0.0.1:0"] + (alertEmail.map { ["alertemail=\($0)"] } ?? []))
        let logs = CapturingSink()
        let app = try await run(config, logs: logs)
        await app.services.monitor.tick()
        try await rpcPool.setFaults(2, [(key: "lagblocks", value: .int(5))])
        try await HostProcesses.waitFor("the lagging alert in the log") {
            await app.services.monitor.tick()
            return logs.text.contains("ALERT wallet-lagging")
        }
        // Alerts are queued as the monitor flushes them; the log mail plugin may deliver them at once.
        var mails: [OutboxMessage] = []
        try await HostProcesses.waitFor("the alert mail queued", seconds: alertEmail == nil ? 0.5 : 60) {
            mails = try await app.storage.read { tx in
                try tx.outboxMessages(status: .queued, limit: 100) + tx.outboxMessages(status: .delivered, limit: 100)
            }
            return alertEmail == nil || !mails.isEmpty
        }
        return (app, logs, mails)
    }

    func testAlertEmail_laggingWalletQueuesOneAlertMailToTheConfiguredAddress() async throws {
        let (app, logs, mails) = try await lagWallet(alertEmail: "ops@example.org")
        let line = try XCTUnwrap(logs.captured.first { $0.contains("ALERT wallet-lagging") }, logs.text)
        XCTAssertTrue(line.contains("wallet 2") && line.contains("lagging"), line)
        XCTAssertEqual(mails.count, 1, "\(mails.map(\.subject))")
        let mail = try XCTUnwrap(mails.first)
        XCTAssertEqual(mail.to, "ops@example.org")
        XCTAssertTrue(mail.subject.contains("wallet 2") && mail.subject.contains("lagging"), mail.subject)
        XCTAssertEqual(app.services.alerter.openIncidents, ["wallet"])
    }

    func testAlertEmail_emptyIsOff_theAlertIsLoggedAndNoMailQueued() async throws {
        let (app, logs, _) = try await lagWallet(alertEmail: nil)
        XCTAssertTrue(logs.text.contains("ALERT wallet-lagging"), logs.text)
        // One more probe: whatever the alerter would mail is flushed by now.
        await app.services.monitor.tick()
        let mails = try await app.storage.read { tx in
            try tx.outboxMessages(status: .queued, limit: 100) + tx.outboxMessages(status: .delivered, limit: 100)
                + tx.outboxMessages(status: .failed, limit: 100)
        }
        XCTAssertEqual(mails.map(\.subject), [], "alertemail is empty: no alert mail")
        XCTAssertEqual(app.services.alerter.heldMailCount, 0)
    }

    /// Issue 18 item 4 through the real web app and wallets served over TLS JSON-RPC: two wallets that go down in
    /// the same probe make one message naming both (not one per wallet); their return is always told (never held
    /// back by the alert interval); a wallet going down again right after — well within the 15-minute alert
    /// interval — is a new incident and is told too.
    func testAlertEmail_walletIncidentsThroughRealWallets_oneMessageNamingBoth_recoveryAndASecondOutageToo() async throws {
        let rpcPool = try SimnetRPCPool(seed: 84)
        self.rpcPool = rpcPool
        let operatorAddress = "ops@example.org"
        let config = try rpcPool.config(["listen=127.0.0.1:0", "alertemail=\(operatorAddress)"])
        let logs = CapturingSink()
        let app = try await run(config, logs: logs)
        await app.services.monitor.tick()
        func operatorMails(atLeast count: Int) async throws -> [String] {
            var subjects: [String] = []
            try await HostProcesses.waitFor("\(count) alert mail(s) to the operator") {
                await app.services.monitor.tick()
                subjects = try await app.storage.read { tx in
                    try tx.outboxMessages(status: .queued, limit: 100) + tx.outboxMessages(status: .delivered, limit: 100)
                }.filter { $0.to == operatorAddress }.sorted { $0.id < $1.id }.map(\.subject)
                return subjects.count >= count
            }
            return subjects
        }
        func waitUntil(_ what: String, _ condition: @escaping @Sendable ([WalletCondition]) -> Bool) async throws {
            try await HostProcesses.waitFor(what) {
                await app.services.monitor.tick()
                return condition(app.services.pool.status().wallets.map(\.condition))
            }
        }
        var subjects = try await operatorMails(atLeast: 0)
        XCTAssertEqual(subjects, [], "a healthy start tells nothing")

        try await rpcPool.setFaults(0, [(key: "down", value: .bool(true))])
        try await rpcPool.setFaults(2, [(key: "down", value: .bool(true))])
        try await waitUntil("wallets 0 and 2 down") { $0[0] == .down && $0[2] == .down }
        subjects = try await operatorMails(atLeast: 1)
        XCTAssertEqual(subjects.count, 1, "one message for the incident, not one per wallet: \(subjects)")
        XCTAssertTrue(subjects[0].contains("wallet 0") && subjects[0].contains("wallet 2") && subjects[0].contains("down"),
                      subjects[0])

        try await rpcPool.setFaults(0, [])
        try await rpcPool.setFaults(2, [])
        try await waitUntil("every wallet up again") { $0.allSatisfy { $0 == .up } }
        subjects = try await operatorMails(atLeast: 2)
        XCTAssertEqual(subjects.count, 2, "\(subjects)")
        XCTAssertTrue(subjects[1].contains("recovered"), "the recovery is told at once: \(subjects)")

        try await rpcPool.setFaults(1, [(key: "down", value: .bool(true))])
        try await waitUntil("wallet 1 down") { $0[1] == .down }
        subjects = try await operatorMails(atLeast: 3)
        XCTAssertEqual(subjects.count, 3, "\(subjects)")
        XCTAssertTrue(subjects[2].contains("wallet 1") && subjects[2].contains("down"),
                      "a second outage minutes after the first is told: \(subjects)")
    }

    // MARK: - mailretentiondays

    /// Seeds the configured SQLite database: delivered mails aged `deliveredAges` days, a queued one 100 days old,
    /// a 4,000-day-old vote audit and an expired captcha. Returns the config and the mails' ids.
    private func seededConfig(_ extra: String, deliveredAges: [Int64]) async throws -> (PoolConfig, delivered: [Int64], queued: Int64) {
        let made = try TestEnvironment.makeTemporaryDirectory(prefix: "webapp-purge")
        directory = made
        let path = try WebAppTestConfig.write(into: made.path, extra: extra)
        let (loaded, _, _) = try PoolConfig.load(arguments: ["-C", path], home: made.path, plugins: .builtIn(), hostOptions: WebAppHostOptions.all)
        let config = try XCTUnwrap(loaded)
        try FileManager.default.createDirectory(atPath: (config.sqlitePath as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        let storage = SQLiteStorage(configuration: .init(path: config.sqlitePath), logger: .disabled)
        try await storage.migrate()
        let now = Int64(Date().timeIntervalSince1970)
        let ids = try await storage.write { tx in
            try tx.insertCaptcha(CaptchaChallenge(id: "0123456789abcdef0123456789abcdef", answer: "11111", expiresAt: now - 3_600))
            return try RetentionSeed.write(tx, deliveredAges: deliveredAges, queuedAge: 100, auditAges: [4_000], now: now)
        }
        await storage.shutdown()
        return (config, ids.delivered, ids.queued)
    }

    func testMailRetentionDays_theWebAppsPurgeDeletesOlderDeliveredMailOnly() async throws {
        let (config, delivered, queued) = try await seededConfig("mailretentiondays=7", deliveredAges: [10, 3])
        let logs = CapturingSink()
        let app = try await run(config, logs: logs)
        try await HostProcesses.waitFor("the 10-day-old delivered mail purged") {
            try await app.storage.read { try $0.outboxMessage(id: delivered[0]) } == nil
        }
        let (recent, pending, audits) = try await app.storage.read { tx in
            (try tx.outboxMessage(id: delivered[1]), try tx.outboxMessage(id: queued), try tx.recentVoteAudits(limit: 10))
        }
        XCTAssertNotNil(recent, "3 days < mailretentiondays=7")
        XCTAssertEqual(pending?.status, .queued, "pending mail is never purged")
        XCTAssertEqual(audits.map(\.ticketHash), ["t4000"], "the vote audit is stakepoold's to purge")
        // The line is written after the pass's last write (the history's), so it may follow the mail's deletion.
        try await HostProcesses.waitFor("the purge's log line") {
            logs.text.contains("retention purge deleted 1 finished mail(s) and 0 vote audit record(s)")
        }
        // Hourly (README: "purges older ones hourly"): the schedule of the purge the host runs.
        let purges = app.walletServices.compactMap { $0 as? RetentionPurge }
        XCTAssertEqual(purges.map(\.policy), [RetentionPurge.Policy(finishedMail: .seconds(7 * 86_400), voteAudits: nil,
                                                                    history: .seconds(400 * 86_400),  // historyretentiondays
                                                                    interval: .seconds(3_600))])
    }

    /// `0` keeps delivered mail: after the start-up passes of the background purges (the expired captcha is gone),
    /// a 4,000-day-old delivered mail is still there.
    func testMailRetentionDays_zeroKeepsDeliveredMail() async throws {
        let (config, delivered, _) = try await seededConfig("mailretentiondays=0", deliveredAges: [4_000])
        let logs = CapturingSink()
        let app = try await run(config, logs: logs)
        try await HostProcesses.waitFor("the session purge's first pass") {
            try await app.storage.read { try $0.captcha(id: "0123456789abcdef0123456789abcdef") } == nil
        }
        let kept = try await app.storage.read { try $0.outboxMessage(id: delivered[0]) }
        XCTAssertNotNil(kept)
        XCTAssertFalse(logs.text.contains("retention purge deleted"), logs.text)
    }
}
