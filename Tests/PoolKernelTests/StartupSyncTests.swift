import Foundation
import PoolKernel
import PoolTestKit
import XCTest

final class StartupSyncTests: XCTestCase {
    private func ticketHash(_ n: Int) -> String { String(format: "%064x", n) }

    /// Three wallets with the same scripts and tickets for `users` active users; wallet `empty` wiped (restored
    /// from seed: nothing imported, no tickets).
    private func makeFixture(users: Int, empty: Int?) async throws -> (WalletPoolFixture, [String]) {
        let fixture = WalletPoolFixture()
        var scripts: [String] = []
        try await fixture.storage.write { tx in
            for index in 0..<users {
                let script = String(format: "5121%066x2102%064x52ae", index + 1, index + 1)
                var user = User(email: "u\(index)@x.org", passwordHash: "x", multiSigAddress: "Sc\(index)",
                                multiSigScript: script, userPubKeyAddr: "Sk\(index)", heightRegistered: Int64(100 + index))
                user.voteBitsVersion = 6
                _ = try tx.insertUser(user)
            }
        }
        scripts = (0..<users).map { String(format: "5121%066x2102%064x52ae", $0 + 1, $0 + 1) }
        for (index, wallet) in fixture.wallets.enumerated() {
            wallet.state.withLock { state in
                for n in 0..<users * 3 { state.rawTransactions[self.ticketHash(n)] = "aa" + String(format: "%08x", n) }
                guard index != empty else { return }
                state.scripts = scripts.map { ImportedScript(hash160: "", address: "", redeemScript: $0) }
                for n in 0..<users * 3 { state.tickets[self.ticketHash(n)] = true }
            }
        }
        return (fixture, scripts)
    }

    func testStartupSync_wipedWalletIsFullyResynced() async throws {
        let (fixture, scripts) = try await makeFixture(users: 40, empty: 1)
        let logs = CapturingSink()
        let sync = StartupSync(pool: fixture.pool, storage: fixture.storage,
                               configuration: .init(concurrency: 4, progressInterval: 0),
                               logger: LogBackend(sinks: [logs]).logger("DCRS"))
        let report = try await sync.syncWallets()
        XCTAssertEqual(report.scriptsImported, [0, 40, 0])
        XCTAssertEqual(report.ticketsAdded, [0, 120, 0])
        let restored = fixture.wallets[1].state.value
        XCTAssertEqual(Set(restored.scripts.map(\.redeemScript)), Set(scripts))
        XCTAssertEqual(restored.tickets.count, 120)
        // Each script is rescanned from its user's registration height.
        XCTAssertEqual(Set(restored.importHeights), Set((0..<40).map { Int64(100 + $0) }))
        XCTAssertEqual(restored.syncedIndex["default/0"], 10_000)
        XCTAssertTrue(logs.text.contains("RedeemScript from DB not found on server 1. importscript for \(scripts[0]) at height 100"))
        XCTAssertTrue(logs.text.contains("ETA"), "progress lines carry an ETA")
        let agreement = await fixture.pool.agreementReport(registered: try await ScriptSet.registered(in: fixture.storage))
        XCTAssertTrue(agreement.agreed, agreement.problems.joined(separator: "; "))
        // A second run has nothing to do.
        let again = try await sync.syncWallets()
        XCTAssertEqual(again.scriptsImported, [0, 0, 0])
        XCTAssertEqual(again.ticketsAdded, [0, 0, 0])
    }

    func testStartupSync_walletOnlyScriptsSpreadWithHeightZero() async throws {
        let (fixture, _) = try await makeFixture(users: 2, empty: nil)
        try await fixture.wallets[2].importScript("51ae", rescan: true, scanFrom: 5)
        let report = try await StartupSync(pool: fixture.pool, storage: fixture.storage, logger: .disabled).syncWallets()
        XCTAssertEqual(report.scriptsImported, [1, 1, 0])
        XCTAssertEqual(fixture.wallets[0].state.value.importHeights.last, 0)
    }

    func testStartupSync_minServersWithOneWalletUpIsAClearError() async throws {
        let fixture = WalletPoolFixture(count: 2, minServers: 2)
        fixture.setDown(1)
        await assertPoolError(.belowMinServers) {
            try await StartupSync(pool: fixture.pool, storage: fixture.storage, logger: .disabled).syncWallets()
        }
        do {
            _ = try await StartupSync(pool: fixture.pool, storage: fixture.storage, logger: .disabled).syncWallets()
        } catch let error as WalletPoolError {
            XCTAssertTrue(error.message.hasPrefix("failure on startup sync: not processing command; 1 servers avail is below min of 2"),
                          error.message)
            XCTAssertTrue(error.message.contains("wallet server 1 (w1)"))
        }
    }

    func testStartupSync_lockedOrDisconnectedWalletFailsWithOriginalMessages() async throws {
        let fixture = WalletPoolFixture()
        fixture.wallets[0].state.withLock { $0.info.unlocked = false }
        await assertPoolError(.locked, "failure on startup sync: wallet not unlocked") {
            try await StartupSync(pool: fixture.pool, storage: fixture.storage, logger: .disabled).syncWallets()
        }
        fixture.wallets[0].state.withLock { $0.info.unlocked = true; $0.info.daemonConnected = false }
        await assertPoolError(.notConnectedToDaemon, "failure on startup sync: wallet not connected") {
            try await StartupSync(pool: fixture.pool, storage: fixture.storage, logger: .disabled).syncWallets()
        }
    }

    func testStartupSync_voteVersionsMustAgree() async throws {
        let fixture = WalletPoolFixture()
        fixture.wallets[2].state.withLock { $0.info.voteVersion = 5 }
        await assertPoolError(.inconsistent, "wallets 1 and 2 have mismatched vote versions") {
            try await StartupSync(pool: fixture.pool, storage: fixture.storage, logger: .disabled).agreedVoteVersion()
        }
    }

    func testStartupSync_voteBitsResetRules() async throws {
        let fixture = WalletPoolFixture()
        let agenda = Agenda.lnFeatures
        try await fixture.storage.write { tx in
            _ = try tx.insertUser(User(email: "a@x.org", passwordHash: "x", voteBits: 5, voteBitsVersion: 5))   // old version
            _ = try tx.insertUser(User(email: "b@x.org", passwordHash: "x", voteBits: 0x41, voteBitsVersion: 6)) // invalid bits
            _ = try tx.insertUser(User(email: "c@x.org", passwordHash: "x", voteBits: 5, voteBitsVersion: 6))    // valid
        }
        let logs = CapturingSink()
        let sync = StartupSync(pool: fixture.pool, storage: fixture.storage,
                               configuration: .init(skipVoteBitsSync: true, pageSize: 2),
                               logger: LogBackend(sinks: [logs]).logger("DCRS"))
        let report = try await sync.run { version in version == 6 ? [agenda] : [] }
        XCTAssertEqual(report.voteVersion, 6)
        XCTAssertEqual(report.usersChecked, 3)
        let users = try await fixture.storage.read { try $0.users(afterId: 0, limit: 10) }
        XCTAssertEqual(users.map(\.voteBits), [1, 1, 5])
        XCTAssertEqual(users.map(\.voteBitsVersion), [6, 6, 6])
        XCTAssertTrue(logs.text.contains("updated VoteBitsVersion from 5 to 6 for uid 1"))
        XCTAssertTrue(logs.text.contains("updated VoteBits from 5 to 1 for uid 1"))
        XCTAssertTrue(logs.text.contains("reset invalid VoteBits from 65 to 1 for uid 2"))
        XCTAssertTrue(logs.text.contains("skipvotebitssync is set: it has no effect"))
    }

    func testStartupSync_completesInterruptedRegistration() async throws {
        let fixture = try await RegistrationFixture()
        let first = try simnetUserAddress(11)
        fixture.wallets[1].failImports.withLock { $0 = true }
        await assertRegistrationError(.walletsUnavailable) {
            try await fixture.registration.registerAddress(userId: 2, pubKeyAddress: first)
        }
        fixture.wallets[1].failImports.withLock { $0 = false }
        // "Restart": the sync imports the pending script everywhere and completes the submission.
        let sync = StartupSync(pool: fixture.pool, storage: fixture.storage, registration: fixture.registration,
                               logger: .disabled)
        let report = try await sync.syncWallets()
        XCTAssertEqual(report.pendingCompleted, 1)
        let row = try await fixture.storage.user(id: 2)
        let user = try XCTUnwrap(row)
        XCTAssertEqual(user.userPubKeyAddr, first)
        XCTAssertFalse(user.multiSigAddress.isEmpty)
        for wallet in fixture.inner { XCTAssertEqual(wallet.state.value.scripts.map(\.redeemScript), [user.multiSigScript]) }
    }
}
