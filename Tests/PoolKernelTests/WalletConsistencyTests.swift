import Foundation
import PoolKernel
import PoolTestKit
import XCTest

/// A wallet that comes back empty (restored from seed) is verified on reconnect: never "recovered" while it
/// lacks a registered script or a ticket; re-imported with walletautorecover, else the pool fails closed.
final class WalletConsistencyTests: XCTestCase {
    private let script = "51ae"
    private let ticket = String(repeating: "c1", count: 32)

    /// Every wallet holds one registered script and one ticket; a user in storage registered that script.
    private func fixture(autoRecover: Bool) async throws -> (WalletPoolFixture, WalletPoolMonitor) {
        let fixture = WalletPoolFixture(autoRecover: autoRecover)
        for wallet in fixture.wallets {
            wallet.state.withLock {
                $0.scripts = [ImportedScript(hash160: "00", address: "TcScript", redeemScript: script)]
                $0.tickets = [ticket: true]
                $0.rawTransactions = [ticket: "0100aa"]
            }
        }
        var user = User(email: "u@example.com", passwordHash: "x")
        user.multiSigScript = script
        user.multiSigAddress = "TcScript"
        user.heightRegistered = 990
        _ = try await fixture.storage.insertUser(user)
        let monitor = WalletPoolMonitor(pool: fixture.pool, storage: fixture.storage, logger: LogBackend(level: .debug, sinks: [fixture.logs]).logger("POOL"))
        await monitor.tick()   // start: every wallet verified once
        XCTAssertEqual(fixture.pool.status().wallets.map(\.missingScripts), [0, 0, 0])
        XCTAssertTrue(fixture.pool.status().isConsistent)
        return (fixture, monitor)
    }

    /// Wallet 1 goes away and comes back with nothing imported.
    private func restartEmpty(_ fixture: WalletPoolFixture, _ monitor: WalletPoolMonitor) async {
        fixture.setDown(1)
        fixture.clock.advance(15)
        await monitor.tick()
        XCTAssertEqual(fixture.pool.status().wallets[1].condition, .down)
        fixture.wallets[1].state.withLock {
            $0.scripts = []
            $0.tickets = [:]
        }
        fixture.setDown(1, false)
        fixture.clock.advance(15)
        await monitor.tick()
    }

    func testConsistency_reconnectedEmptyWalletFailsClosedWithoutAutoRecover() async throws {
        let (fixture, monitor) = try await fixture(autoRecover: false)
        await restartEmpty(fixture, monitor)
        let status = fixture.pool.status()
        XCTAssertEqual(status.wallets[1].condition, .inconsistent)
        XCTAssertEqual(status.wallets[1].missingScripts, 1)
        XCTAssertEqual(status.wallets[1].missingTickets, 1)
        XCTAssertFalse(status.isConsistent)
        XCTAssertTrue(fixture.pool.isStopped, "fails closed")
        XCTAssertEqual(status.httpStatus, 500)
        XCTAssertEqual(status.stopReason,
                       "RPC consistency check failed: wallet server 1 is missing 1 redeem script(s) and 1 ticket(s)")
        XCTAssertFalse(fixture.logs.text.contains("recovered"), fixture.logs.text)
        XCTAssertTrue(fixture.logs.text.contains("wallet 1 (w1) is inconsistent: wallet server 1 is missing 1 redeem script(s)"),
                      fixture.logs.text)
        let subjects = try await fixture.alertMails().map(\.subject)
        XCTAssertTrue(subjects.contains { $0.contains("wallet pool stopped: RPC consistency check failed") }, "\(subjects)")
        XCTAssertTrue(fixture.wallets[1].state.value.scripts.isEmpty, "nothing imported without walletautorecover")

        // The operator repairs the wallet (`poolctl wallets sync`): the next round sees it; the pool stays stopped.
        try await fixture.wallets[1].importScript(script, rescan: true, scanFrom: 990)
        fixture.wallets[1].state.withLock { $0.tickets = [self.ticket: true] }
        await monitor.tick()
        XCTAssertEqual(fixture.pool.status().wallets[1].condition, .up)
        XCTAssertEqual(fixture.pool.status().wallets[1].missingScripts, 0)
        XCTAssertTrue(fixture.pool.isStopped)
    }

    func testConsistency_reconnectedEmptyWalletIsReimportedWithAutoRecover() async throws {
        let (fixture, monitor) = try await fixture(autoRecover: true)
        await restartEmpty(fixture, monitor)
        let wallet = fixture.wallets[1].state.value
        XCTAssertEqual(wallet.scripts.map { $0.redeemScript }, [script], "script re-imported")
        XCTAssertEqual(wallet.importHeights, [990], "rescanned from the registration height")
        XCTAssertEqual(Array(wallet.tickets.keys), [ticket], "ticket re-added")
        let status = fixture.pool.status()
        XCTAssertEqual(status.wallets[1].condition, .up)
        XCTAssertEqual(status.wallets[1].missingScripts, 0)
        XCTAssertTrue(status.isConsistent)
        XCTAssertFalse(fixture.pool.isStopped)
        let log = fixture.logs.text
        XCTAssertTrue(log.contains("walletautorecover: re-importing what is missing: wallet server 1 is missing 1 redeem script(s)"), log)
        // "recovered" only after the verification.
        let recovered = try XCTUnwrap(log.range(of: "wallet 1 (w1) recovered (was inconsistent): verified"), log)
        let reimport = try XCTUnwrap(log.range(of: "walletautorecover: re-importing"))
        XCTAssertLessThan(reimport.lowerBound, recovered.lowerBound)
    }

    func testConsistency_answeringAgainIsCheckingNotUpUntilVerified() async throws {
        let (fixture, monitor) = try await fixture(autoRecover: false)
        fixture.setDown(2)
        await monitor.tick()
        fixture.setDown(2, false)
        let probed = await fixture.pool.probe()   // a probe alone never makes a reconnected wallet "up"
        XCTAssertEqual(probed.wallets[2].condition, .checking)
        XCTAssertFalse(probed.isConsistent)
        XCTAssertFalse(probed.acceptsRegistrations)
        await monitor.tick()
        XCTAssertEqual(fixture.pool.status().wallets[2].condition, .up)
        XCTAssertFalse(fixture.pool.isStopped)
    }
}

