import Foundation
import PoolKernel
import PoolTestKit
import XCTest

/// A clock tests move by hand.
final class TestClock: Sendable {
    private let now = LockedValue(Date(timeIntervalSince1970: 1_700_000_000))
    var date: Date { now.value }
    func advance(_ seconds: TimeInterval) { now.withLock { $0 = $0.addingTimeInterval(seconds) } }
    var function: @Sendable () -> Date { { [now] in now.value } }
}

/// Collects audit entries in memory.
final class RecordingAuditLog: WalletPoolAuditLog {
    let entries = LockedValue<[WalletPoolAuditEntry]>([])
    func append(_ entry: WalletPoolAuditEntry) async { entries.withLock { $0.append(entry) } }
}

/// Builds a pool of in-memory wallets and the things around it.
struct WalletPoolFixture {
    let wallets: [InMemoryWallet]
    let pool: WalletPool
    let storage: InMemoryStorage
    let audit: RecordingAuditLog
    let clock: TestClock
    let logs: CapturingSink

    init(count: Int = 3, minServers: Int = 2, autoRecover: Bool = false, alertEmail: String = "ops@example.com",
         alertInterval: TimeInterval = 900) {
        wallets = (0..<count).map { _ in
            var state = InMemoryWallet.State()
            state.bestBlock = BestBlock(hash: String(repeating: "ab", count: 32), height: 1_000)
            return InMemoryWallet(state)
        }
        storage = InMemoryStorage()
        audit = RecordingAuditLog()
        clock = TestClock()
        logs = CapturingSink()
        let logger = LogBackend(level: .debug, sinks: [logs]).logger("POOL")
        let alerter = OperatorAlerter(configuration: .init(recipient: alertEmail, sender: "pool@example.com",
                                                           minimumInterval: alertInterval),
                                      storage: storage, logger: logger, clock: clock.function)
        pool = WalletPool(members: wallets.enumerated().map { WalletPool.Member(label: "w\($0.offset)", backend: $0.element) },
                          configuration: .init(minServers: minServers, autoRecover: autoRecover),
                          logger: logger, alerter: alerter, auditLog: audit, clock: clock.function)
    }

    func setDown(_ index: Int, _ down: Bool = true) {
        wallets[index].state.withLock {
            $0.failure = down ? WalletError(.walletDisconnected, "the client has been disconnected") : nil
        }
    }

    func alertMails() async throws -> [OutboxMessage] {
        try await storage.read { try $0.outboxMessages(status: .queued, limit: 1000) }
    }
}

func assertPoolError<T>(_ code: WalletPoolError.Code, _ message: String? = nil, file: StaticString = #filePath,
                        line: UInt = #line, _ body: () async throws -> T) async {
    do {
        _ = try await body()
        XCTFail("expected \(code)", file: file, line: line)
    } catch let error as WalletPoolError {
        XCTAssertEqual(error.code, code, error.message, file: file, line: line)
        if let message { XCTAssertEqual(error.message, message, file: file, line: line) }
    } catch {
        XCTFail("unexpected \(error)", file: file, line: line)
    }
}

final class WalletPoolTests: XCTestCase {
    private let ticketAddress = "TsWjioPrP8E1TuTMmTrVMM2BA4iPrjQXBpR"

    private func knowAddress(_ fixture: WalletPoolFixture, pubKey: String = "03aa") {
        for (index, wallet) in fixture.wallets.enumerated() {
            wallet.state.withLock {
                $0.knownAddresses[ticketAddress] = AddressValidation(
                    isValid: true, address: ticketAddress, isMine: true,
                    pubKeyAddress: "TkQ4gNb4xcFtPi5ab3ebDA8XeHdwbVvpPNDZtiJrJEsy8RDpvbPkr",
                    pubKey: index == 2 && pubKey != "03aa" ? pubKey : "03aa")
            }
        }
    }

    func testWalletPool_validateAddressAgreesAcrossWallets() async throws {
        let fixture = WalletPoolFixture()
        knowAddress(fixture)
        let result = try await fixture.pool.validateAddress(ticketAddress)
        XCTAssertTrue(result.isMine)
        XCTAssertEqual(result.pubKey, "03aa")
    }

    func testWalletPool_differentPubkeyFailsWithOriginalMessage() async throws {
        let fixture = WalletPoolFixture()
        knowAddress(fixture, pubKey: "03bb")
        await assertPoolError(.inconsistent, "non equivalent pubkey returned") {
            try await fixture.pool.validateAddress(self.ticketAddress)
        }
    }

    func testWalletPool_belowMinServersGivesClearError() async throws {
        let fixture = WalletPoolFixture(count: 2, minServers: 2)
        fixture.setDown(1)
        await assertPoolError(.belowMinServers, "not processing command; 1 servers avail is below min of 2") {
            try await fixture.pool.stakeInfo()
        }
        await assertPoolError(.belowMinServers, "not processing command; 1 servers avail is below min of 2") {
            try await fixture.pool.walletInfoRound()
        }
    }

    func testWalletPool_rpcFailureAbortsOperation() async throws {
        let fixture = WalletPoolFixture()
        fixture.wallets[1].state.withLock { $0.failure = WalletError.rpc(code: -4, message: "boom") }
        do {
            _ = try await fixture.pool.stakeInfo()
            XCTFail("expected failure")
        } catch let error as WalletPoolError {
            XCTAssertEqual(error.code, .walletFailed)
            XCTAssertEqual(error.walletIndex, 1)
            XCTAssertEqual(error.message, "-4: boom")
        }
    }

    func testWalletPool_liveMismatchIsInconsistent() async throws {
        let fixture = WalletPoolFixture()
        fixture.wallets[0].state.withLock { $0.stakeInfo.live = 5 }
        await assertPoolError(.inconsistent, "non equivalent Live returned") { try await fixture.pool.stakeInfo() }
    }

    func testWalletPool_importScriptNeedsEveryWalletAndAgreement() async throws {
        let fixture = WalletPoolFixture()
        fixture.setDown(2)
        await assertPoolError(.walletUnavailable) { try await fixture.pool.importScript("51ae", scanFrom: 7) }
        fixture.setDown(2, false)
        fixture.wallets[1].state.withLock { $0.failure = WalletError.rpc(code: -4, message: "locked") }
        await assertPoolError(.inconsistent, "non equivalent error returned 1") {
            try await fixture.pool.importScript("51ae", scanFrom: 7)
        }
        fixture.wallets[1].state.withLock { $0.failure = nil }
        try await fixture.pool.importScript("51ae", scanFrom: 7)
        for wallet in fixture.wallets {
            XCTAssertEqual(wallet.state.value.scripts.map(\.redeemScript), ["51ae"])
            XCTAssertEqual(wallet.state.value.importHeights.last, 7)
        }
        // Errors that agree are wallet 0's error.
        await assertPoolError(.walletFailed, "-4: passed empty script") { try await fixture.pool.importScript("", scanFrom: 7) }
    }

    func testWalletPool_bestBlockSkipsUnavailableWallets() async throws {
        let fixture = WalletPoolFixture()
        fixture.setDown(0)
        fixture.wallets[1].state.withLock { $0.bestBlock.height = 1_234 }
        let block = try await fixture.pool.bestBlock()
        XCTAssertEqual(block.height, 1_234)
        for index in 0..<3 { fixture.setDown(index) }
        await assertPoolError(.noBestBlock, "unable to get best block") { try await fixture.pool.bestBlock() }
    }

    func testWalletPool_stakePoolUserInfoTakesFirstAnswer() async throws {
        let fixture = WalletPoolFixture()
        fixture.setDown(0)
        let info = StakePoolUserInfo(tickets: [StakePoolUserTicket(status: "live", ticket: TicketHash(w0: 1, w1: 2, w2: 3, w3: 4),
                                                                   ticketHeight: 5)])
        fixture.wallets[1].state.withLock { $0.stakePoolUsers["TcX"] = info }
        let answer = try await fixture.pool.stakePoolUserInfo(multisigAddress: "TcX")
        XCTAssertEqual(answer, info)
    }

    func testWalletPool_walletInfoRoundReportsLockedAndNoDaemon() async throws {
        let fixture = WalletPoolFixture()
        fixture.wallets[1].state.withLock { $0.info.unlocked = false }
        await assertPoolError(.locked, "wallet server 1 locked") { try await fixture.pool.walletInfoRound() }
        fixture.wallets[1].state.withLock { $0.info.unlocked = true }
        fixture.wallets[2].state.withLock { $0.info.daemonConnected = false }
        await assertPoolError(.notConnectedToDaemon, "wallet server 2 not connected to daemon") {
            try await fixture.pool.walletInfoRound()
        }
    }

    func testWalletPool_readinessRefusesDownLaggingOrLocked() async throws {
        let fixture = WalletPoolFixture()
        let ready = try await fixture.pool.readiness()
        XCTAssertEqual(ready.bestBlock.height, 1_000)
        fixture.setDown(1)
        await assertPoolError(.walletUnavailable) { try await fixture.pool.readiness() }
        fixture.setDown(1, false)
        fixture.wallets[2].state.withLock { $0.bestBlock.height = 990 }
        await assertPoolError(.lagging) { try await fixture.pool.readiness() }
    }

    func testWalletPool_stopFailsClosedAndStaysDown() async throws {
        let fixture = WalletPoolFixture()
        await fixture.pool.stop(function: "createmultisig", error: WalletPoolError(.inconsistent, "non equivalent redeem script returned"))
        XCTAssertTrue(fixture.pool.isStopped)
        await assertPoolError(.stopped) { try await fixture.pool.stakeInfo() }
        await assertPoolError(.stopped) { try await fixture.pool.readiness() }
        let status = fixture.pool.status()
        XCTAssertEqual(status.httpStatus, 500)
        XCTAssertFalse(status.acceptsRegistrations)
        XCTAssertEqual(status.stopReason, "RPC createmultisig failed: non equivalent redeem script returned")
        XCTAssertTrue(fixture.logs.text.contains("RPC createmultisig failed: non equivalent redeem script returned"))
        XCTAssertEqual(fixture.audit.entries.value.map(\.event), ["stopped"])
        let mails = try await fixture.alertMails()
        XCTAssertEqual(mails.count, 1)
        XCTAssertEqual(mails.first?.to, "ops@example.com")
        XCTAssertTrue(mails.first?.subject.contains("wallet pool stopped") ?? false)
        // Without walletautorecover a probe with agreeing wallets does not resume it.
        let monitor = WalletPoolMonitor(pool: fixture.pool, storage: fixture.storage, logger: .disabled)
        await monitor.tick()
        XCTAssertTrue(fixture.pool.isStopped)
    }

    func testWalletPool_autoRecoverResumesOnlyWhenWalletsAgree() async throws {
        let fixture = WalletPoolFixture(autoRecover: true)
        try await fixture.pool.importScript("51ae", scanFrom: 1)
        fixture.wallets[2].state.withLock { $0.scripts = [] }   // wallet 2 lost the script
        await fixture.pool.stop(function: "importscript", error: WalletPoolError(.inconsistent, "non equivalent error returned 1"))
        // walletautorecover re-imports the missing script (startup sync), then the wallets agree and the pool resumes.
        let monitor = WalletPoolMonitor(pool: fixture.pool, storage: fixture.storage, logger: .disabled)
        await monitor.tick()
        XCTAssertEqual(fixture.wallets[2].state.value.scripts.map(\.redeemScript), ["51ae"])
        XCTAssertFalse(fixture.pool.isStopped)
        XCTAssertEqual(fixture.audit.entries.value.map(\.event), ["stopped", "auto-recovered"])
        _ = try await fixture.pool.stakeInfo()
    }

    func testWalletPool_flappingWalletAlertsAreSummarisedNotDropped() async throws {
        let fixture = WalletPoolFixture(alertInterval: 600)
        let monitor = WalletPoolMonitor(pool: fixture.pool, logger: .disabled)
        await monitor.tick()   // all up: no alert
        for round in 0..<6 {
            fixture.setDown(1, round % 2 == 0)
            fixture.clock.advance(10)
            await monitor.tick()
        }
        var mails = try await fixture.alertMails()
        // Four messages per window (down, recovered, down, recovered); the third flap waits for the window.
        XCTAssertEqual(mails.map(\.subject).map { $0.contains("recovered") }, [false, true, false, true], "\(mails.map(\.subject))")
        XCTAssertTrue(mails[0].subject.contains("wallet 1 (w1) is down"))
        XCTAssertEqual(fixture.pool.status().wallets[1].condition, .up)
        fixture.clock.advance(600)
        await monitor.tick()
        mails = try await fixture.alertMails()
        XCTAssertEqual(mails.count, 5)
        XCTAssertTrue(mails[4].subject.contains("recovered"), mails[4].subject)
        XCTAssertTrue(mails[4].body.contains("2 events since the last message"), mails[4].body)
    }

    func testWalletPool_statusReportsRPCStatusLikeDcrstakepool() async throws {
        let fixture = WalletPoolFixture()
        var status = await fixture.pool.probe()
        XCTAssertEqual(status.rpcStatus, "OK")
        XCTAssertTrue(status.acceptsRegistrations)
        fixture.setDown(0)
        status = await fixture.pool.probe()
        XCTAssertEqual(status.rpcStatus, "Degraded")
        XCTAssertEqual(status.wallets[0].condition, .down)
        fixture.setDown(1)
        status = await fixture.pool.probe()
        XCTAssertEqual(status.rpcStatus, "Critical")
        fixture.setDown(2)
        status = await fixture.pool.probe()
        XCTAssertEqual(status.rpcStatus, "Emergency")
        XCTAssertEqual(status.httpStatus, 200)
    }

    func testWalletPool_monitorReconnectsWithBackoff() async throws {
        let fixture = WalletPoolFixture()
        fixture.setDown(1)
        let attempts = LockedValue(0)
        let replacement = InMemoryWallet()
        replacement.state.withLock { $0.bestBlock.height = 1_000 }
        let monitor = WalletPoolMonitor(pool: fixture.pool, connector: { index in
            XCTAssertEqual(index, 1)
            let attempt = attempts.withLock { $0 += 1; return $0 }
            if attempt == 1 { throw WalletError(.walletUnreachable, "connection refused") }
            return replacement
        }, logger: .disabled)
        await monitor.tick()                 // first attempt fails
        XCTAssertEqual(attempts.value, 1)
        fixture.clock.advance(1)
        await monitor.tick()                 // back-off (5 s) not over yet
        XCTAssertEqual(attempts.value, 1)
        fixture.clock.advance(5)
        await monitor.tick()                 // second attempt succeeds
        XCTAssertEqual(attempts.value, 2)
        XCTAssertTrue(fixture.pool.backend(1) as AnyObject === replacement)
        // The fresh connection was verified (same scripts and tickets as the others) in that round: up.
        XCTAssertEqual(fixture.pool.status().wallets[1].condition, .up)
    }

    func testWalletPool_fileAuditLogAppendsJSONLines() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("audit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = FileWalletPoolAuditLog(path: dir.appendingPathComponent("wallet-audit.log").path, logger: .disabled)
        await log.append(WalletPoolAuditEntry(event: "stopped", reason: "x", time: Date(timeIntervalSince1970: 0)))
        await log.append(WalletPoolAuditEntry(event: "auto-recovered", reason: "y", time: Date(timeIntervalSince1970: 60)))
        let text = try String(contentsOf: dir.appendingPathComponent("wallet-audit.log"), encoding: .utf8)
        let lines = text.split(separator: "\n")
        XCTAssertEqual(lines.count, 2)
        XCTAssertTrue(lines[1].contains("\"event\":\"auto-recovered\""))
    }
}
