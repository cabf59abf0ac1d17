import Foundation
import PoolKernel
import PoolTestKit
import PoolctlHost
import XCTest

/// Three stakepoold instances over the in-process simulated simnet: every winning pool ticket voted with the
/// policy's bits before the next block, also with one cluster down and one daemon killed and restarted.
/// (The 10,000-block × 100,000-ticket run is `poolctl simulate --blocks 10000 --tickets 100000`.)
final class StakepooldSimulationTests: XCTestCase {
    func testSimulation_threeClustersZeroMisses() async throws {
        var configuration = VoteSimulation.Configuration(storage: InMemoryStorage())
        configuration.blocks = 120
        configuration.tickets = 800
        configuration.users = 12
        let report = try await VoteSimulation.run(configuration, logger: .disabled)
        XCTAssertEqual(report.blocks, 120)
        XCTAssertEqual(report.poolWinners, 600, "every winner is a pool ticket")
        XCTAssertEqual(report.missed, 0, report.json)
        XCTAssertEqual(report.voted, report.poolWinners)
        XCTAssertEqual(report.wrongBits, 0, report.json)
        XCTAssertEqual(report.cast, report.poolWinners, "exactly one cluster's vote is accepted per winner")
        XCTAssertEqual(report.duplicates, 2 * report.poolWinners, "the other two are recognised duplicates")
        XCTAssertEqual(report.failed, 0)
        XCTAssertEqual(report.auditRecords, 3 * report.poolWinners)
    }

    func testSimulation_clusterOutageAndRestartStillZeroMisses() async throws {
        let storage = InMemoryStorage()
        var configuration = VoteSimulation.Configuration(storage: storage)
        configuration.blocks = 150
        configuration.tickets = 1000
        configuration.users = 8
        configuration.seed = 9
        configuration.outage = (cluster: 1, from: 20, length: 60)
        configuration.restart = (cluster: 2, at: 50, after: 10)
        let report = try await VoteSimulation.run(configuration, logger: .disabled)
        XCTAssertEqual(report.poolWinners, 750)
        XCTAssertEqual(report.missed, 0, report.json)
        XCTAssertEqual(report.wrongBits, 0, report.json)
        XCTAssertGreaterThan(report.failed, 0, "the down cluster's votes failed")
        // The audit log survived the kill: records from before, during and after, all blocks covered.
        let audits = try await storage.read { try $0.recentVoteAudits(limit: 100_000) }
        XCTAssertEqual(audits.count, report.auditRecords)
        let heights = Set(audits.map(\.blockHeight))
        XCTAssertGreaterThanOrEqual(heights.count, 150)
    }
}
