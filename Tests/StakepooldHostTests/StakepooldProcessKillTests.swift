import Foundation
import HostTestSupport
import PoolKernel
import PoolNet
import PoolTestKit
import StorageSQLite
import XCTest

/// `kill -9` of a real `stakepoold` process in the middle of a run (issue 11): the `simwallet` executable serves
/// one simulated simnet node and three voting wallets over TLS JSON-RPC, and three `stakepoold` executables (one
/// voting cluster per wallet, all on the one node) vote the pool's tickets, each with its own SQLite database
/// holding the pool's users and its vote audit. The test mines one block at a time and waits (bounded) until
/// every running daemon has put a vote for every winner on the wire before it mines the next block, so a slow
/// or lost daemon shows up as a miss. One daemon is SIGKILLed right after a block is announced, the others must
/// keep voting every winner, and the killed one, restarted with the same flags and data, must vote every winner
/// after its restart. The chain (`siminfo`) counts zero misses, and every daemon's audit is whole.
final class StakepooldProcessKillTests: XCTestCase {
    private static let rpcUser = "kill-test"
    private static let rpcPassword = "kill-test-pass"
    /// How long a block may take to get every winner's vote on the wire from every running daemon.
    private static let blockWait: TimeInterval = 3

    private var directory: URL?
    private var processes: ChildProcessHarness?
    private var clients: [JSONRPCClient] = []
    private var storages: [SQLiteStorage] = []

    override func tearDown() async throws {
        processes?.stopAll()
        processes = nil
        for client in clients { client.close() }
        clients = []
        for storage in storages { await storage.shutdown() }
        storages = []
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    /// A mined block and the winners announced for it.
    private struct Block {
        var height: Int64
        var hash: String
        var winners: Set<String>
    }

    /// What the chain says about votes (`siminfo`).
    private struct ChainCounts {
        var voted: Int64
        var missed: Int64
    }

    func testStakepooldProcess_killNineMidRunThenRestartLosesNoVote() async throws {
        let simwalletBinary = try BuiltExecutable.path("simwallet")
        let stakepooldBinary = try BuiltExecutable.path("stakepoold")
        let directory = try TestEnvironment.makeTemporaryDirectory(prefix: "stakepoold-kill")
        self.directory = directory
        let processes = ChildProcessHarness(directory: directory)
        self.processes = processes
        let clusters = 3

        // simwallet: a node and three wallets on free ports, blocks only on request.
        let appData = directory.appendingPathComponent("simwallet")
        let simwalletLog = directory.appendingPathComponent("simwallet.log")
        let simwallet = try processes.launch(simwalletBinary, [
            "--appdata", appData.path, "--wallets", "\(clusters)", "--nodeport", "0", "--walletports", "0,0,0",
            "--blockms", "0", "--seed", "11", "--rpcuser", Self.rpcUser, "--rpcpass", Self.rpcPassword,
        ], log: simwalletLog)
        let announced = try await processes.waitForLine(simwallet, simwalletLog, containing: "wallets on ", seconds: 30)
        let (nodeAddress, walletAddresses) = try ChildProcessHarness.simwalletAddresses(announced)
        XCTAssertEqual(walletAddresses.count, clusters, announced)
        let certificate = appData.appendingPathComponent("rpc.cert").path
        let node = try await connect(nodeAddress, certificate: certificate, name: "control")
        let wallet = try await connect(walletAddresses[0], certificate: certificate, name: "wallet 0")

        // The pool's users: registered in every wallet, and in each daemon's database with their preferences.
        let info = try await node.call("siminfo")
        let coldKey = try XCTUnwrap(info["coldwalletextpub"]?.stringValue)
        let walletInfo = try await wallet.call("walletinfo")
        let voteVersion = try XCTUnwrap(walletInfo["voteversion"]?.intValue.flatMap(UInt32.init(exactly:)))
        let defaultBits = try XCTUnwrap(walletInfo["votebits"]?.intValue.flatMap(UInt16.init(exactly:)))
        // (bits, version): the last user's preferences are for an older vote version → the wallet's default bits.
        let preferences: [(UInt16, UInt32)] = [(5, voteVersion), (3, voteVersion), (1, voteVersion), (5, voteVersion - 1)]
        var owners: [(ticketAddress: String, feeAddress: String)] = []
        for uid in 1...preferences.count {
            let user = try await node.call("simregisteruser", [.int(Int64(uid))])
            owners.append((try XCTUnwrap(user["multisigaddress"]?.stringValue), try XCTUnwrap(user["feeaddress"]?.stringValue)))
        }
        var expectedBits: [UserId: UInt16] = [:]
        for cluster in 0..<clusters {
            let storage = SQLiteStorage(configuration: .init(path: databasePath(cluster)), logger: .disabled)
            storages.append(storage)
            try await storage.migrate()
            for (index, owner) in owners.enumerated() {
                let (bits, version) = preferences[index]
                let user = try await storage.insertUser(User(email: "user\(index)@example.com", passwordHash: "x",
                                                             multiSigAddress: owner.ticketAddress, voteBits: bits,
                                                             voteBitsVersion: version))
                let expected = version == voteVersion ? bits : defaultBits
                if let known = expectedBits[user.id] { XCTAssertEqual(known, expected, "same ids in every database") }
                expectedBits[user.id] = expected
            }
        }

        // 300 pool tickets, mined and matured; stop one block before the first lottery so no winner goes unvoted.
        _ = try await node.call("simmine", [.int(16)])
        for owner in owners {
            _ = try await node.call("simbuytickets", [.string(owner.ticketAddress), .string(owner.feeAddress), .int(75)])
        }
        let firstLottery = Int64(NetParams.simnet.tickets.stakeValidationHeight - 1)
        let bought = try await node.call("siminfo")
        var height = try XCTUnwrap(bought["height"]?.intValue)
        _ = try await node.call("simmine", [.int(firstLottery - 1 - height)])
        let start = try await node.call("siminfo")
        height = try XCTUnwrap(start["height"]?.intValue)
        XCTAssertEqual(height, firstLottery - 1)
        XCTAssertEqual(start["live"]?.intValue, 300, "every ticket is live before voting starts")
        XCTAssertEqual(start["winners"]?.arrayValue?.count, 0, "no winners before the daemons run")
        let before = try Self.counts(start)

        // Three daemons, one per wallet.
        let arguments = (0..<clusters).map { cluster in
            stakepooldArguments(cluster, coldKey: coldKey, node: nodeAddress, wallet: walletAddresses[cluster],
                                certificate: certificate)
        }
        var daemons: [Process] = []
        for cluster in 0..<clusters {
            daemons.append(try processes.launch(stakepooldBinary, arguments[cluster], log: daemonLog(cluster, run: 1)))
        }
        for cluster in 0..<clusters { try await waitUntilSubscribed(daemons[cluster], daemonLog(cluster, run: 1)) }

        var blocks: [Block] = []
        var late: [String] = []
        func mineAndWait(voters: [Int], afterAnnouncement: () -> Void = {}) async throws {
            let tip = try await node.call("simmine", [.int(1)])
            afterAnnouncement()
            let winners = try await node.call("siminfo")["winners"]?.arrayValue?.compactMap(\.stringValue) ?? []
            let block = Block(height: try XCTUnwrap(tip["height"]?.intValue), hash: try XCTUnwrap(tip["hash"]?.stringValue),
                              winners: Set(winners))
            XCTAssertEqual(block.winners.count, 5, "five winners at height \(block.height)")
            blocks.append(block)
            if !(try await waitForVotes(block, voters: voters)) { late.append("height \(block.height) voters \(voters)") }
        }

        // 1. All three clusters vote.
        for _ in 0..<8 { try await mineAndWait(voters: [0, 1, 2]) }
        // 2. kill -9 of cluster 2 as the next block's winners are announced; the others vote on without it.
        let killed = 2
        try await mineAndWait(voters: [0, 1]) { kill(daemons[killed].processIdentifier, SIGKILL) }
        daemons[killed].waitUntilExit()
        XCTAssertEqual(daemons[killed].terminationReason, .uncaughtSignal)
        XCTAssertEqual(daemons[killed].terminationStatus, SIGKILL)
        let killBlock = try XCTUnwrap(blocks.last).height
        for _ in 0..<8 { try await mineAndWait(voters: [0, 1]) }
        // 3. The same daemon again: same flags, same data directory and database.
        daemons[killed] = try processes.launch(stakepooldBinary, arguments[killed], log: daemonLog(killed, run: 2))
        try await waitUntilSubscribed(daemons[killed], daemonLog(killed, run: 2))
        let restartHeight = try XCTUnwrap(blocks.last).height
        for _ in 0..<15 { try await mineAndWait(voters: [0, 1, 2]) }
        XCTAssertEqual(late, [], "every winner's vote was on the wire from every running daemon within \(Self.blockWait) s")

        // Clean stop of the three daemons (none stuck after the kill and restart).
        for daemon in daemons { daemon.terminate() }
        for (cluster, daemon) in daemons.enumerated() {
            let stopped = await ChildProcessHarness.waitForExit(daemon, seconds: 15)
            XCTAssertTrue(stopped, "stakepoold \(cluster) stops on SIGTERM")
            if stopped {
                XCTAssertEqual(daemon.terminationReason, .exit, "stakepoold \(cluster)")
                XCTAssertEqual(daemon.terminationStatus, 0, "stakepoold \(cluster)")
            }
        }

        // The last block's votes are in the mempool; the next block counts them (no daemon runs to vote its winners).
        let closing = try await node.call("simmine", [.int(1)])
        XCTAssertEqual(closing["height"]?.intValue, try XCTUnwrap(blocks.last).height + 1)
        let after = try Self.counts(try await node.call("siminfo"))
        let winnerCount = blocks.reduce(0) { $0 + $1.winners.count }
        XCTAssertEqual(after.missed - before.missed, 0, "no winner missed its vote")
        XCTAssertEqual(after.voted - before.voted, Int64(winnerCount), "every winner voted")

        // The audits: readable, whole blocks only, every row a real winner of its block with the policy's bits.
        let byHeight = Dictionary(uniqueKeysWithValues: blocks.map { ($0.height, $0) })
        var cast: [Int64: [String: Int]] = [:]  // height → ticket → accepted votes ("voted" rows)
        var heightsByCluster: [Set<Int64>] = []
        for cluster in 0..<clusters {
            let rows = try await storages[cluster].read { try $0.recentVoteAudits(limit: 100_000) }
            var heights = Set<Int64>()
            for (height, group) in Dictionary(grouping: rows, by: \.blockHeight) {
                guard let block = byHeight[height] else {
                    XCTFail("cluster \(cluster): audit rows for height \(height), not a block of the run")
                    continue
                }
                heights.insert(height)
                XCTAssertEqual(group.count, block.winners.count, "cluster \(cluster) height \(height): one row per winner")
                XCTAssertEqual(Set(group.map(\.ticketHash)), block.winners, "cluster \(cluster) height \(height): the block's winners")
                for row in group {
                    XCTAssertEqual(row.blockHash, block.hash, "cluster \(cluster) height \(height)")
                    XCTAssertTrue(row.result == .voted || row.result == .duplicate,
                                  "cluster \(cluster) height \(height) ticket \(row.ticketHash): \(row.result) \(row.detail)")
                    let expected = row.userId.flatMap { expectedBits[$0] }
                    XCTAssertNotNil(expected, "cluster \(cluster): ticket \(row.ticketHash) of a known user")
                    XCTAssertEqual(row.voteBits, expected, "cluster \(cluster) ticket \(row.ticketHash): the policy's bits")
                    if row.result == .voted { cast[height, default: [:]][row.ticketHash, default: 0] += 1 }
                }
            }
            heightsByCluster.append(heights)
        }
        let allHeights = Set(blocks.map(\.height))
        XCTAssertEqual(heightsByCluster[0], allHeights, "cluster 0 voted every block")
        XCTAssertEqual(heightsByCluster[1], allHeights, "cluster 1 voted every block")
        let beforeKill = Set(blocks.map(\.height).filter { $0 < killBlock })
        let down = Set(blocks.map(\.height).filter { $0 > killBlock && $0 <= restartHeight })
        let afterRestart = Set(blocks.map(\.height).filter { $0 > restartHeight })
        XCTAssertTrue(beforeKill.isSubset(of: heightsByCluster[killed]), "cluster \(killed) voted until it was killed")
        XCTAssertTrue(heightsByCluster[killed].isDisjoint(with: down), "nothing recorded while cluster \(killed) was down")
        XCTAssertEqual(heightsByCluster[killed].intersection(afterRestart), afterRestart,
                       "the restarted daemon voted every winner after its restart")
        XCTAssertEqual(afterRestart.count, 15)
        // Exactly one accepted vote per winner (the kill block's may have been cast by the killed daemon, unrecorded).
        for block in blocks where block.height != killBlock {
            for ticket in block.winners {
                XCTAssertEqual(cast[block.height]?[ticket], 1, "height \(block.height) ticket \(ticket): one accepted vote")
            }
        }
        let restartedLog = (try? String(contentsOf: daemonLog(killed, run: 2), encoding: .utf8)) ?? ""
        XCTAssertFalse(restartedLog.contains(Self.rpcPassword), "no RPC password in the log")
    }

    // MARK: - Processes

    private func databasePath(_ cluster: Int) -> String {
        (directory?.appendingPathComponent("stakepool-\(cluster).sqlite").path) ?? ""
    }

    private func daemonLog(_ cluster: Int, run: Int) -> URL {
        (directory ?? FileManager.default.temporaryDirectory).appendingPathComponent("stakepoold-\(cluster).run\(run).out")
    }

    /// The flags of `scripts/dev-run.sh`, with this cluster's own home, log and data directories and database.
    private func stakepooldArguments(_ cluster: Int, coldKey: String, node: String, wallet: String,
                                     certificate: String) -> [String] {
        let home = (directory ?? FileManager.default.temporaryDirectory).appendingPathComponent("stakepoold-\(cluster)").path
        return [
            "--simnet", "--appdata", home, "--logdir", home + "/logs", "--datadir", home + "/data",
            "--coldwalletextpub=\(coldKey)", "--storage=sqlite", "--sqlitepath=\(databasePath(cluster))",
            "--dcrdhost=\(node)", "--dcrduser=\(Self.rpcUser)", "--dcrdpassword=\(Self.rpcPassword)",
            "--dcrdcert=\(certificate)", "--wallethost=\(wallet)", "--walletuser=\(Self.rpcUser)",
            "--walletpassword=\(Self.rpcPassword)", "--walletcert=\(certificate)", "--norpclisten",
        ]
    }

    /// The daemon built its ticket map and listens for the node's notifications.
    private func waitUntilSubscribed(_ process: Process, _ log: URL) async throws {
        _ = try await XCTUnwrap(processes).waitForLine(process, log, containing: "subscribed to notifications from dcrd", seconds: 40)
    }

    // MARK: - RPC and audit

    private func connect(_ address: String, certificate: String, name: String) async throws -> JSONRPCClient {
        let client = try JSONRPCClient(configuration: JSONRPCClientConfiguration(
            address: try PoolNet.HostPort(parsing: address), tls: TLSClientConfiguration(trust: .certificateFile(certificate)),
            user: Self.rpcUser, password: Self.rpcPassword, name: name), logger: .disabled)
        clients.append(client)
        try await client.connect()
        return client
    }

    /// Waits (bounded by `blockWait`) until each of `voters` has recorded every winner of `block` in its audit;
    /// false when the time ran out.
    private func waitForVotes(_ block: Block, voters: [Int]) async throws -> Bool {
        let deadline = Date().addingTimeInterval(Self.blockWait)
        while true {
            var complete = true
            for cluster in voters {
                let rows = try await storages[cluster].read { try $0.recentVoteAudits(limit: 64) }
                let recorded = Set(rows.filter { $0.blockHeight == block.height }.map(\.ticketHash))
                if recorded != block.winners {
                    complete = false
                    break
                }
            }
            if complete { return true }
            if Date() > deadline { return false }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    private static func counts(_ info: JSONValue) throws -> ChainCounts {
        ChainCounts(voted: try XCTUnwrap(info["voted"]?.intValue), missed: try XCTUnwrap(info["missed"]?.intValue))
    }
}
