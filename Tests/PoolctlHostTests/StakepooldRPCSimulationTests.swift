import Foundation
import PoolKernel
import PoolTestKit
import PoolctlHost
import SimnetHost
import XCTest

/// Three stakepoold engines on the production dcrd / dcrwallet JSON-RPC clients against the simulated simnet
/// served over TLS websockets on loopback (`SimnetRPCHost`, what `simwallet` serves): every winning pool ticket
/// voted with the policy's bits before the next block; a cluster down for a stretch of blocks and a daemon
/// killed and restarted lose no vote.
final class StakepooldRPCSimulationTests: XCTestCase {
    func testRPCSimulation_threeClustersZeroMisses() async throws {
        var configuration = VoteSimulation.Configuration(storage: InMemoryStorage())
        configuration.transport = .rpc
        configuration.blocks = 100
        configuration.tickets = 600
        configuration.users = 8
        configuration.seed = 3
        let report = try await VoteSimulation.run(configuration, logger: .disabled)
        XCTAssertEqual(report.transport, .rpc)
        XCTAssertEqual(report.poolWinners, 500, report.json)
        XCTAssertEqual(report.missed, 0, report.json)
        XCTAssertEqual(report.voted, report.poolWinners, report.json)
        XCTAssertEqual(report.wrongBits, 0, report.json)
        XCTAssertEqual(report.cast, report.poolWinners, "one cluster's vote is accepted per winner: \(report.json)")
        XCTAssertEqual(report.duplicates, 2 * report.poolWinners, "the siblings' votes are duplicates: \(report.json)")
        XCTAssertEqual(report.failed, 0, report.json)
        XCTAssertEqual(report.auditRecords, 3 * report.poolWinners, report.json)
        XCTAssertEqual(report.notifyToRequestCount, 3 * report.poolWinners,
                       "every vote request reached a wallet over RPC: \(report.json)")
        XCTAssertGreaterThan(report.notifyToRequestP99, 0)
    }

    func testRPCSimulation_clusterOutageAndKilledDaemonLoseNoVote() async throws {
        let storage = InMemoryStorage()
        var configuration = VoteSimulation.Configuration(storage: storage)
        configuration.transport = .rpc
        configuration.blocks = 120
        configuration.tickets = 700
        configuration.users = 8
        configuration.seed = 5
        configuration.outage = (cluster: 1, from: 15, length: 40)
        configuration.restart = (cluster: 2, at: 60, after: 5)
        let report = try await VoteSimulation.run(configuration, logger: .disabled)
        XCTAssertEqual(report.poolWinners, 600, report.json)
        XCTAssertEqual(report.missed, 0, report.json)
        XCTAssertEqual(report.wrongBits, 0, report.json)
        XCTAssertGreaterThan(report.failed, 0, "the down cluster's votes failed: \(report.json)")
        XCTAssertEqual(report.winnersAfterRestart, 5 * (120 - 65 + 1), report.json)
        XCTAssertEqual(report.restartedDaemonVotes, report.winnersAfterRestart,
                       "the restarted daemon voted every winner after its restart: \(report.json)")
        // The audit log survived the kill: one record per decision, every block covered.
        let audits = try await storage.read { try $0.recentVoteAudits(limit: 100_000) }
        XCTAssertEqual(audits.count, report.auditRecords)
        XCTAssertEqual(Set(audits.map(\.blockHeight)).count, 120)
        XCTAssertEqual(Set(audits.map(\.ticketHash)).count, report.poolWinners, "no decision without its ticket")
    }

    func testSimulateCommand_rpcFlagAndBadOptions() async throws {
        var lines: [String] = []
        var problems: [String] = []
        let code = await SimulateCommand.run(["--rpc", "--blocks", "20", "--tickets", "150", "--clusters", "2",
                                              "--restart", "1,5,3"],
                                             storage: InMemoryStorage(), logger: .disabled,
                                             output: { lines.append($0) }, errors: { problems.append($0) })
        XCTAssertEqual(code, 0, "\(lines) \(problems)")
        XCTAssertTrue(lines.first?.contains("simulated 20 blocks (rpc): 100 pool winners, 100 voted, 0 missed") ?? false,
                      "\(lines)")
        XCTAssertTrue(lines.first?.contains("notification → generatevote at the wallet p50") ?? false, "\(lines)")
        XCTAssertTrue(lines.last?.hasPrefix("{\"transport\":\"rpc\"") ?? false, "\(lines)")

        for bad in [["--outage", "1,2"], ["--restart", "a,b,c"], ["--blocks"], ["--bogus", "1"], ["--blocks", "-3"],
                    ["--blocks", "100", "--tickets", "10"]] {
            problems = []
            let status = await SimulateCommand.run(bad, storage: InMemoryStorage(), logger: .disabled,
                                                   output: { _ in }, errors: { problems.append($0) })
            XCTAssertEqual(status, 2, "\(bad)")
            XCTAssertFalse(problems.isEmpty, "\(bad)")
        }
    }
}
