import Foundation
import HostTestSupport
import PoolKernel
import PoolNet
import PoolTestKit
import StorageSQLite
import XCTest

/// A fork's network end to end through real processes (issue 19 item 2): `simwallet --chainparams
/// examples/fork-chainparams.json` runs the simulated chain on the fork, and the `stakepoold` executable with the
/// same `chainparams`, `votepolicy=pooldefault` and `votepolicyoptions=poolfeecap=yes` votes every winning ticket of
/// the registered users with the bits of the fork's own agenda, read back from simwallet's chain (`simvote`).
/// Expected values come from the JSON file itself (parsed here without the engine's loader).
final class StakepooldForkNetworkProcessTests: XCTestCase {
    private var harness: StakepooldProcessHarness?
    private var storage: SQLiteStorage?

    override func tearDown() async throws {
        await storage?.shutdown()
        storage = nil
        harness?.stop()
        harness = nil
    }

    func testStakepooldOnForkNetwork_votesEveryWinnerWithThePolicysBitsForTheForkAgenda() async throws {
        let fork = try ForkNetworkFacts()
        // The fork's own agenda (present only in the fork's newest version): poolfeecap.
        let forkAgenda = try XCTUnwrap(fork.agendas.first { $0.id == "poolfeecap" })
        let harness = try StakepooldProcessHarness(prefix: "stakepoold-fork")
        self.harness = harness
        let served = try await harness.startSimwallet(wallets: 1, seed: 13, extraArguments: ["--chainparams", ForkNetworkFacts.file])
        let node = try await harness.connect(served.node, certificate: served.certificate, name: "node")
        let wallet = try await harness.connect(served.wallets[0], certificate: served.certificate, name: "wallet")

        // simwallet runs on the fork: its network, and the wallet votes the fork's newest vote version.
        let info = try await node.call("siminfo")
        XCTAssertEqual(info["network"]?.stringValue, fork.name)
        let walletInfo = try await wallet.call("walletinfo")
        XCTAssertEqual(walletInfo["voteversion"]?.intValue, Int64(fork.newestVersion))
        let defaultBits = try XCTUnwrap(walletInfo["votebits"]?.intValue.map(Int.init))
        let coldKey = try XCTUnwrap(info["coldwalletextpub"]?.stringValue)

        // pooldefault with poolfeecap=yes: bit 0, the fork agenda's "yes", every other agenda the wallet default's choice.
        var expected = 1 | (forkAgenda.choices["yes"] ?? -1)
        for agenda in fork.agendas where agenda.id != forkAgenda.id { expected |= defaultBits & agenda.mask }
        XCTAssertNotEqual(expected & forkAgenda.mask, 0, "the expected bits carry the fork agenda's choice")

        // Two registered users whose own preference is poolfeecap=no (the policy must override it).
        let databasePath = harness.path("stakepool.sqlite")
        let storage = SQLiteStorage(configuration: .init(path: databasePath), logger: .disabled)
        self.storage = storage
        try await storage.migrate()
        var owners: [(ticketAddress: String, feeAddress: String)] = []
        for uid in 1...2 {
            let user = try await node.call("simregisteruser", [.int(Int64(uid))])
            let owner = (try XCTUnwrap(user["multisigaddress"]?.stringValue), try XCTUnwrap(user["feeaddress"]?.stringValue))
            XCTAssertEqual(try Base58Check.decode(owner.0).version, fork.scriptHashID, "a fork P2SH address: \(owner.0)")
            owners.append(owner)
            _ = try await storage.insertUser(User(email: "fork\(uid)@example.com", passwordHash: "x", multiSigAddress: owner.0,
                                                  voteBits: UInt16(1 | (forkAgenda.choices["no"] ?? 0)),
                                                  voteBitsVersion: UInt32(fork.newestVersion)))
        }
        _ = try await node.call("simmine", [.int(Int64(fork.maturity))])
        for owner in owners {
            _ = try await node.call("simbuytickets", [.string(owner.ticketAddress), .string(owner.feeAddress), .int(60)])
        }
        let bought = try await node.call("siminfo")
        let height = try XCTUnwrap(bought["height"]?.intValue)
        _ = try await node.call("simmine", [.int(Int64(fork.stakeValidationHeight - 2) - height)])

        let home = harness.path("stakepoold")
        let log = harness.path("stakepoold.out")
        let daemon = try harness.launch(try BuiltExecutable.path("stakepoold"), [
            "--chainparams=\(ForkNetworkFacts.file)", "--appdata", home, "--logdir", home + "/logs", "--datadir", home + "/data",
            "--coldwalletextpub=\(coldKey)", "--storage=sqlite", "--sqlitepath=\(databasePath)",
            "--dcrdhost=\(served.node)", "--dcrduser=\(StakepooldProcessHarness.rpcUser)",
            "--dcrdpassword=\(StakepooldProcessHarness.rpcPassword)", "--dcrdcert=\(served.certificate)",
            "--wallethost=\(served.wallets[0])", "--walletuser=\(StakepooldProcessHarness.rpcUser)",
            "--walletpassword=\(StakepooldProcessHarness.rpcPassword)", "--walletcert=\(served.certificate)",
            "--norpclisten", "--votepolicy=pooldefault", "--votepolicyoptions=\(forkAgenda.id)=yes",
        ], log: log)
        try await harness.waitForLine(daemon, log, containing: "subscribed to notifications from dcrd", seconds: 60)
        XCTAssertFalse(harness.contents(log).contains("votepolicyoptions:"), "no warning: poolfeecap is up for vote")

        // Ten blocks with winners; each block waits (bounded) until the daemon audited its winners.
        var winners: [String] = []
        for _ in 0..<10 {
            let tip = try await node.call("simmine", [.int(1)])
            let blockHeight = try XCTUnwrap(tip["height"]?.intValue)
            let blockWinners = try await node.call("siminfo")["winners"]?.arrayValue?.compactMap(\.stringValue) ?? []
            XCTAssertFalse(blockWinners.isEmpty, "winners at height \(blockHeight)")
            winners += blockWinners
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline {
                let rows = try await storage.read { try $0.recentVoteAudits(limit: 64) }
                if Set(rows.filter { $0.blockHeight == blockHeight }.map(\.ticketHash)) == Set(blockWinners) { break }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        _ = try await node.call("simmine", [.int(1)])  // the last block's votes go into this one

        // Every winner voted on the fork's chain with exactly the policy's bits and the fork's vote version.
        XCTAssertEqual(winners.count, 10 * 5)
        for ticket in winners {
            let vote = try await node.call("simvote", [.string(ticket)])
            XCTAssertEqual(vote["status"]?.stringValue, "voted", "ticket \(ticket)")
            XCTAssertEqual(vote["votebits"]?.intValue, Int64(expected), "ticket \(ticket): the policy's bits")
            XCTAssertEqual(vote["voteversion"]?.intValue, Int64(fork.newestVersion), "ticket \(ticket)")
        }
        daemon.terminate()
        let stopped = await harness.waitForExit(daemon, seconds: 15)
        XCTAssertTrue(stopped, "stakepoold stops on SIGTERM")
    }

    /// A missing or malformed `chainparams` file is a configuration error of the real executable: exit 2, one
    /// sentence naming the option.
    func testStakepooldChainParams_missingOrInvalidFileIsExitTwoNamingTheOption() async throws {
        let harness = try StakepooldProcessHarness(prefix: "stakepoold-badparams")
        self.harness = harness
        let invalid = harness.path("broken.json")
        try Data(#"{"format": "hxstakepool-netparams-1", "name": "x"}"#.utf8).write(to: URL(fileURLWithPath: invalid))
        for (index, file) in [harness.path("missing.json"), invalid].enumerated() {
            let log = harness.path("stakepoold-\(index).out")
            let process = try harness.launch(try BuiltExecutable.path("stakepoold"),
                                             ["--appdata", harness.path("home"), "--chainparams", file], log: log)
            let exited = await harness.waitForExit(process, seconds: 20)
            XCTAssertTrue(exited, "stakepoold exits")
            XCTAssertEqual(process.terminationStatus, 2, harness.contents(log))
            let output = harness.contents(log)
            XCTAssertTrue(output.contains("chainparams"), output)
            XCTAssertTrue(output.contains((file as NSString).lastPathComponent), "names the file: \(output)")
        }
    }
}
