import Foundation
import PoolKernel
import PoolTestKit
import XCTest

/// The start-up sync compares scripts as bytes (`ScriptSet`), not as lowercased hex strings: it must find exactly
/// the scripts the string comparison found, import them in the same order at the same heights.
final class StartupSyncScriptComparisonTests: XCTestCase {
    /// What each wallet was sent, in order: (hex, scanFrom). Reads the in-memory wallet's records of the calls.
    private func imports(_ wallet: InMemoryWallet, before: Int) -> [(String, Int64)] {
        let state = wallet.state.value
        return zip(state.scripts.dropFirst(before).map(\.redeemScript), state.importHeights).map { ($0, $1) }
    }

    private func insertUsers(_ storage: InMemoryStorage, _ rows: [(script: String, height: Int64)]) async throws {
        try await storage.write { tx in
            for (n, row) in rows.enumerated() {
                _ = try tx.insertUser(User(email: "u\(n)@x.org", passwordHash: "x", multiSigAddress: "Sc\(n)",
                                           multiSigScript: row.script, userPubKeyAddr: "Sk\(n)", heightRegistered: row.height))
            }
        }
    }

    private func give(_ wallet: InMemoryWallet, _ scripts: [String]) {
        wallet.state.withLock { $0.scripts = scripts.map { ImportedScript(hash160: "", address: "", redeemScript: $0) } }
    }

    func testStartupSync_comparesScriptsByBytesWhateverTheirCase() async throws {
        let a = "5121aa01", b = "5121bb02", c = "5121cc03", w = "51ae"
        let fixture = WalletPoolFixture()
        // The database holds `c` in capitals (an old row) and `a` twice, the second user registered earlier.
        try await insertUsers(fixture.storage, [(a, 100), (b, 200), ("5121CC03", 300), (a, 50)])
        give(fixture.wallets[0], ["5121AA01", b, c, "5121aA01"])  // all, one twice, in other cases
        give(fixture.wallets[1], [b])                               // missing a and c
        give(fixture.wallets[2], [a, b, c, "51AE"])                 // and a script no one else has
        let sync = StartupSync(pool: fixture.pool, storage: fixture.storage, configuration: .init(concurrency: 1),
                               logger: .disabled)
        let report = try await sync.syncWallets()

        XCTAssertEqual(report.totalScripts, 4)
        XCTAssertEqual(report.scriptsImported, [1, 3, 0])
        XCTAssertEqual(imports(fixture.wallets[0], before: 4).map(\.0), [w])
        XCTAssertEqual(imports(fixture.wallets[0], before: 4).map(\.1), [0], "a wallet-only script is rescanned from 0")
        // Lowercase hex, in hex order, each from its lowest registration height.
        XCTAssertEqual(imports(fixture.wallets[1], before: 1).map(\.0), [a, c, w])
        XCTAssertEqual(imports(fixture.wallets[1], before: 1).map(\.1), [50, 300, 0])
        XCTAssertTrue(fixture.wallets[2].state.value.importHeights.isEmpty, "case alone is no difference")
        let again = try await sync.syncWallets()
        XCTAssertEqual(again.scriptsImported, [0, 0, 0])
    }

    /// Random scripts, cases, duplicates and spreads over the database and three wallets: the byte comparison's
    /// imports equal those of the string comparison it replaced (written out here as it was).
    func testStartupSync_importsExactlyWhatTheStringComparisonImported() async throws {
        var random = SplitMix64(seed: 23)
        for round in 0..<5 {
            let pool = (0..<200).map { _ in
                Hex.encode((0..<(1 + Int(random.next() % 40))).map { _ in UInt8(truncatingIfNeeded: random.next()) })
            }
            func anyCase(_ hex: String) -> String {
                String(hex.map { random.next() % 2 == 0 ? Character($0.uppercased()) : $0 })
            }
            let database = pool.filter { _ in random.next() % 3 != 0 }.flatMap { script in
                (0...Int(random.next() % 2)).map { _ in (script: anyCase(script), height: Int64(random.next() % 1_000)) }
            }
            let walletScripts = (0..<3).map { _ in
                pool.filter { _ in random.next() % 4 != 0 }.flatMap { script in (0...Int(random.next() % 2)).map { _ in anyCase(script) } }
            }
            // The string comparison: lowercase hex, lowest height, wallet-only at 0, missing ones in string order.
            var all: [String: Int64] = [:]
            for row in database { all[row.script.lowercased()] = min(all[row.script.lowercased()] ?? row.height, row.height) }
            let held = walletScripts.map { Set($0.map { $0.lowercased() }) }
            for set in held { for script in set where all[script] == nil { all[script] = 0 } }
            let expected = held.map { set in all.filter { !set.contains($0.key) }.sorted { $0.key < $1.key } }

            let fixture = WalletPoolFixture()
            try await insertUsers(fixture.storage, database)
            for (wallet, scripts) in zip(fixture.wallets, walletScripts) { give(wallet, scripts) }
            let report = try await StartupSync(pool: fixture.pool, storage: fixture.storage,
                                               configuration: .init(concurrency: 1, pageSize: 7), logger: .disabled).syncWallets()
            XCTAssertEqual(report.totalScripts, all.count, "round \(round)")
            XCTAssertEqual(report.scriptsImported, expected.map(\.count), "round \(round)")
            for (index, wallet) in fixture.wallets.enumerated() {
                let sent = imports(wallet, before: walletScripts[index].count)
                XCTAssertEqual(sent.map(\.0), expected[index].map(\.key), "round \(round) wallet \(index)")
                XCTAssertEqual(sent.map(\.1), expected[index].map(\.value), "round \(round) wallet \(index)")
            }
        }
    }

    func testStartupSync_aWalletScriptThatIsNotHexFailsTheSyncClearly() async throws {
        let fixture = WalletPoolFixture()
        give(fixture.wallets[1], ["51ae", "51zz"])
        await assertPoolError(.walletFailed, "failure on startup sync: listscripts on wallet server 1: listscripts: redeem script 51zz is not hex") {
            try await StartupSync(pool: fixture.pool, storage: fixture.storage, logger: .disabled).syncWallets()
        }
    }
}
