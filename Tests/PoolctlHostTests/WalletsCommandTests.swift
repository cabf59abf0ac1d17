import Foundation
import HostKit
import HostTestSupport
import PoolKernel
import PoolNet
import PoolTestKit
import PoolctlHost
import StorageSQLite
import WalletSimnet
import XCTest

/// `poolctl wallets check|sync`: exit codes and the per-wallet table, against in-memory simulated wallets (one of
/// them wiped, as after a restore from seed) and through `poolctl` itself against three wallets over TLS JSON-RPC.
final class WalletsCommandTests: XCTestCase {
    private var rpcPool: SimnetRPCPool?

    override func tearDown() async throws {
        rpcPool?.stop()
    }

    private final class Captured: Sendable {
        let out = LockedValue<[String]>([])
        let err = LockedValue<[String]>([])
        var output: HostOutput {
            HostOutput(out: { [out] line in out.withLock { $0.append(line) } },
                       err: { [err] line in err.withLock { $0.append(line) } })
        }
        var lines: [String] { out.value.flatMap { $0.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) } }
        var text: String { out.value.joined(separator: "\n") }
        var errors: String { err.value.joined(separator: "\n") }
        /// The table row of wallet `index`, split into cells.
        func row(_ index: Int) -> [String] {
            lines.first { $0.hasPrefix("\(index) ") }.map { $0.split(separator: " ").map(String.init) } ?? []
        }
    }

    private static func ticket(_ n: Int) -> String { String(format: "%064x", n) }

    /// Three in-memory wallets; 4 registered users whose scripts and 12 tickets are on wallets 0 and 1; wallet 2 wiped.
    private func wipedWalletPool() async throws -> ([InMemoryWallet], WalletPool, InMemoryStorage, [String]) {
        let storage = InMemoryStorage()
        let scripts = (0..<4).map { String(format: "5121%066x2102%064x52ae", $0 + 1, $0 + 1) }
        for (index, script) in scripts.enumerated() {
            _ = try await storage.insertUser(User(email: "u\(index)@example.com", passwordHash: "x", multiSigAddress: "Sc\(index)",
                                                  multiSigScript: script, userPubKeyAddr: "Sk\(index)", heightRegistered: Int64(50 + index)))
        }
        let wallets = (0..<3).map { index in
            var state = InMemoryWallet.State()
            state.info.voteVersion = 7
            state.bestBlock = BestBlock(hash: String(repeating: "ab", count: 32), height: 300)
            for n in 0..<12 { state.rawTransactions[Self.ticket(n)] = "01" + String(format: "%08x", n) }
            if index != 2 {
                state.scripts = scripts.map { ImportedScript(hash160: "", address: "", redeemScript: $0) }
                for n in 0..<12 { state.tickets[Self.ticket(n)] = true }
            }
            return InMemoryWallet(state)
        }
        let pool = WalletPool(members: wallets.enumerated().map { .init(label: "wallet-\($0.offset).example", backend: $0.element) },
                              configuration: .init(minServers: 2), logger: .disabled)
        return (wallets, pool, storage, scripts)
    }

    func testWalletsCommand_checkFindsTheWipedWalletAndSyncRepairsIt() async throws {
        let (wallets, pool, storage, scripts) = try await wipedWalletPool()

        let check = Captured()
        let checkCode = await WalletsCommand.run(["check"], pool: pool, storage: storage, output: check.output, logger: .disabled)
        XCTAssertEqual(checkCode, ExitCode.walletSync, "disagreeing wallets exit 4")
        XCTAssertEqual(check.lines.first?.split(separator: " ").map(String.init),
                       ["wallet", "host", "state", "height", "votever", "unlocked", "daemon", "scripts", "missing", "tickets",
                        "missing", "error"])
        XCTAssertEqual(check.row(0), ["0", "wallet-0.example", "up", "300", "7", "yes", "yes", "4", "0", "12", "0"])
        XCTAssertEqual(check.row(2), ["2", "wallet-2.example", "up", "300", "7", "yes", "yes", "0", "4", "0", "12"])
        XCTAssertTrue(check.text.contains("problem: wallet server 2 is missing 4 redeem script(s)"), check.text)
        XCTAssertTrue(check.text.contains("problem: wallet server 2 is missing 12 ticket(s)"), check.text)
        XCTAssertTrue(check.text.contains("wallets DISAGREE (2 problem(s))"), check.text)

        let sync = Captured()
        let syncCode = await WalletsCommand.run(["sync"], pool: pool, storage: storage, output: sync.output, logger: .disabled)
        XCTAssertEqual(syncCode, ExitCode.ok, sync.errors)
        XCTAssertTrue(sync.text.contains("sync: 4 scripts, imported per wallet [0, 0, 4]; 12 tickets, added per wallet [0, 0, 12]"),
                      sync.text)
        XCTAssertEqual(sync.row(2), ["2", "wallet-2.example", "up", "300", "7", "yes", "yes", "4", "0", "12", "0"])
        XCTAssertTrue(sync.text.contains("wallets agree: 3 wallets, 4 scripts (4 registered), 12 tickets"), sync.text)
        // The wiped wallet really holds everything again, each script rescanned from its user's height.
        let restored = wallets[2].state.value
        XCTAssertEqual(Set(restored.scripts.map(\.redeemScript)), Set(scripts))
        XCTAssertEqual(Set(restored.importHeights), [50, 51, 52, 53])
        XCTAssertEqual(restored.tickets.count, 12)

        let again = Captured()
        let againCode = await WalletsCommand.run(["check"], pool: pool, storage: storage, output: again.output, logger: .disabled)
        XCTAssertEqual(againCode, ExitCode.ok)
    }

    func testWalletsCommand_downWalletAndBadUsage() async throws {
        let (wallets, pool, storage, _) = try await wipedWalletPool()
        wallets[1].state.withLock { $0.failure = WalletError(.walletDisconnected, "the client has been disconnected") }
        let check = Captured()
        let code = await WalletsCommand.run(["check"], pool: pool, storage: storage, output: check.output, logger: .disabled)
        XCTAssertEqual(code, ExitCode.walletSync)
        XCTAssertEqual(check.row(1), ["1", "wallet-1.example", "down", "-", "-", "-", "-", "-", "-", "-", "-", "the", "client",
                                      "has", "been", "disconnected"])
        XCTAssertTrue(check.text.contains("problem: wallet server 1 did not answer: the client has been disconnected"), check.text)

        let sync = Captured()
        let syncCode = await WalletsCommand.run(["sync"], pool: pool, storage: storage, output: sync.output, logger: .disabled)
        XCTAssertEqual(syncCode, ExitCode.walletSync, "a sync with a wallet down fails")
        XCTAssertTrue(sync.errors.hasPrefix("poolctl: Failed to sync the wallets: "), sync.errors)
        XCTAssertTrue(wallets[2].state.value.scripts.isEmpty, "nothing imported when the sync cannot run")

        for arguments in [[], ["repair"], ["check", "extra"]] {
            let usage = Captured()
            let usageCode = await WalletsCommand.run(arguments, pool: pool, storage: storage, output: usage.output, logger: .disabled)
            XCTAssertEqual(usageCode, ExitCode.usage, "\(arguments)")
            XCTAssertEqual(usage.errors, "poolctl: usage: poolctl wallets check | wallets sync")
        }
    }

    func testWalletsCommand_poolctlOverJSONRPC() async throws {
        let pool = try SimnetRPCPool(seed: 44)
        rpcPool = pool
        let path = try pool.writeConfig()
        let hosts = pool.wallets.map { "127.0.0.1:\($0.port)" }

        let check = Captured()
        let code = await PoolctlMain.run(arguments: ["-C", path, "wallets", "check"], output: check.output, home: pool.directory.path)
        XCTAssertEqual(code, ExitCode.ok, check.errors)
        for index in 0..<3 { XCTAssertEqual(check.row(index).prefix(3), [String(index), hosts[index], "up"], check.text) }
        XCTAssertTrue(check.text.contains("wallets agree: 3 wallets, 0 scripts (0 registered)"), check.text)

        // A script on every wallet but unknown to the database still agrees; a wallet down does not.
        try await pool.control("simregisteruser", [.int(5)])
        try await pool.setFaults(1, [("down", .bool(true))])
        let down = Captured()
        let downCode = await PoolctlMain.run(arguments: ["-C", path, "wallets", "check"], output: down.output, home: pool.directory.path)
        XCTAssertEqual(downCode, ExitCode.walletSync)
        XCTAssertEqual(down.row(1).prefix(3), ["1", hosts[1], "down"], down.text)
        let upRow = down.row(2)
        XCTAssertEqual(upRow.prefix(3), ["2", hosts[2], "up"], down.text)
        XCTAssertEqual(upRow.count > 8 ? Array(upRow[7...8]) : [], ["1", "0"], "one script, none missing: \(down.text)")
        XCTAssertTrue(down.errors.contains("a wallet could not be connected"), down.errors)
        XCTAssertFalse(down.text.contains(SimnetRPCPool.rpcPassword) || down.errors.contains(SimnetRPCPool.rpcPassword))
    }

    func testWalletsCommand_walletRestoredFromSeedIsResyncedOverJSONRPC() async throws {
        let pool = try SimnetRPCPool(seed: 55)
        rpcPool = pool
        let config = try pool.config()
        let path = try pool.writeConfig()
        let storage = try await SimnetRPCPool.storage(config)
        let services = try await SimnetRPCPool.services(config, storage: storage)
        for index in 1...2 { _ = try await storage.insertUser(User(email: "r\(index)@example.com", passwordHash: "x")) }
        var scripts: [String] = []
        for uid in 1...2 {
            let registration = try await services.registration.registerAddress(
                userId: UserId(Int64(uid)), pubKeyAddress: pool.vectors.children[uid].pubKeyAddress)
            scripts.append(registration.multiSigScript)
            _ = try pool.simnet.buyTickets(ticketAddress: registration.multiSigAddress, feeAddress: pool.simnet.feeAddress(index: uid), count: 3)
        }
        _ = pool.simnet.mine(2)
        let wallet1 = SimnetWalletBackend(simnet: pool.simnet, walletIndex: 1)
        let ticketsBefore = try await wallet1.tickets(includeImmature: true)
        XCTAssertEqual(ticketsBefore.count, 6)

        // Wallet 1 is restored from seed: nothing imported, no tickets.
        try await pool.control("simwipewallet", [.int(1)])
        let wiped = try await pool.scripts(ofWallet: 1)
        XCTAssertEqual(wiped, [])
        let check = Captured()
        let checkCode = await PoolctlMain.run(arguments: ["-C", path, "wallets", "check"], output: check.output, home: pool.directory.path)
        XCTAssertEqual(checkCode, ExitCode.walletSync)
        let wipedRow = check.row(1)
        XCTAssertEqual(wipedRow.count > 10 ? Array(wipedRow[7...10]) : [], ["0", "2", "0", "6"], check.text)
        XCTAssertTrue(check.text.contains("problem: wallet server 1 is missing 2 redeem script(s)"), check.text)

        let sync = Captured()
        let syncCode = await PoolctlMain.run(arguments: ["-C", path, "wallets", "sync"], output: sync.output, home: pool.directory.path)
        XCTAssertEqual(syncCode, ExitCode.ok, sync.errors + sync.text)
        XCTAssertTrue(sync.text.contains("sync: 2 scripts, imported per wallet [0, 2, 0]"), sync.text)
        XCTAssertTrue(sync.text.contains("wallets agree: 3 wallets, 2 scripts (2 registered), 6 tickets"), sync.text)
        let restored = try await pool.scripts(ofWallet: 1)
        XCTAssertEqual(Set(restored), Set(scripts))
        let ticketsAfter = try await wallet1.tickets(includeImmature: true)
        XCTAssertEqual(Set(ticketsAfter), Set(ticketsBefore), "the rescans from each user's height find every ticket")

        // The pool serves again: every wallet ready and agreeing on stake info.
        let readiness = try await services.pool.readiness()
        XCTAssertEqual(readiness.infos.count, 3)
        let stake = try await services.pool.stakeInfo()
        XCTAssertEqual(stake.immature + stake.live, 6)
        for index in 0..<3 { await services.pool.backend(index).close() }
        await storage.shutdown()
    }
}
