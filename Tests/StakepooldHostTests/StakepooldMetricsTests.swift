import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import PoolKernel
import PoolTestKit
import StakepooldHost
import WebHost
import XCTest

/// stakepoold's `/metrics` over real HTTP on loopback: the vote figures move after votes.
final class StakepooldMetricsTests: XCTestCase {
    private let tickets = StakepooldTestFixture.tickets

    private func scrape(_ port: Int) async throws -> String {
        let url = try XCTUnwrap(URL(string: "http://127.0.0.1:\(port)/metrics"))
        let (body, response) = try await URLSession.shared.data(from: url)
        XCTAssertEqual((response as? HTTPURLResponse)?.statusCode, 200)
        return String(decoding: body, as: UTF8.self)
    }

    /// The value of one sample line (`name{labels} value`), nil when absent.
    private func sample(_ text: String, _ series: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }

    func testStakepooldMetrics_figuresMoveAfterVotes() async throws {
        let wallet = StakepooldTestFixture.wallet()
        let engine = try await StakepooldTestFixture.engine(wallet: wallet,
                                                            storage: try await StakepooldTestFixture.storageWithOwner())
        let registry = MetricsRegistry()
        StakepooldMetrics.register(engine, in: registry)
        let server = StakepooldMetrics.server(listen: .tcp(host: "127.0.0.1", port: 0), registry: registry,
                                              logger: .disabled)
        let port = try XCTUnwrap(try server.start().port)
        let task = Task { try await server.run() }
        defer { task.cancel() }

        let before = try await scrape(port)
        XCTAssertTrue(before.contains("# TYPE stakepoold_vote_end_to_end_seconds histogram"), before)
        XCTAssertEqual(sample(before, "stakepoold_ticket_map_size"), 3)
        XCTAssertEqual(sample(before, "stakepoold_lowfee_tickets"), 0)
        XCTAssertEqual(sample(before, "stakepoold_votes_missed_total"), 0)
        XCTAssertNil(sample(before, "stakepoold_votes_total{result=\"cast\"}"))

        // Block 1: two of ours and one unknown winner → two votes cast.
        let unknown = String(repeating: "f", count: 64)
        await engine.voting.handle(.winningTickets(WinningTickets(
            blockHash: String(repeating: "a", count: 64), blockHeight: 100, tickets: [tickets[0], tickets[1], unknown])))
        // Block 2: the wallet is locked → the vote fails (a miss).
        wallet.state.withLock { $0.info.unlocked = false }
        await engine.voting.handle(.winningTickets(WinningTickets(
            blockHash: String(repeating: "b", count: 64), blockHeight: 101, tickets: [tickets[2]])))
        engine.lowFee.record(LowFeeTickets.Entry(ticket: String(repeating: "e", count: 64), multiSigAddress: StakepooldTestFixture.owner,
                                                 height: 90, requiredAtoms: 10, committedAtoms: 1, detectedAt: 1))

        let after = try await scrape(port)
        XCTAssertEqual(sample(after, "stakepoold_votes_total{result=\"cast\"}"), 2, after)
        XCTAssertEqual(sample(after, "stakepoold_votes_total{result=\"failed\"}"), 1, after)
        XCTAssertEqual(sample(after, "stakepoold_votes_missed_total"), 1, after)
        XCTAssertEqual(sample(after, "stakepoold_blocks_total"), 2, after)
        XCTAssertEqual(sample(after, "stakepoold_vote_decision_seconds_count"), 2, after)
        XCTAssertEqual(sample(after, "stakepoold_vote_end_to_end_seconds_count"), 3, after)
        XCTAssertEqual(sample(after, "stakepoold_vote_end_to_end_seconds_bucket{le=\"+Inf\"}"), 3, after)
        XCTAssertEqual(sample(after, "stakepoold_lowfee_tickets"), 1, after)
        XCTAssertEqual(sample(after, "stakepoold_lowfee_tickets_excluded"), 1, after)
        XCTAssertEqual(sample(after, "stakepoold_user_prefs"), 1, after)
    }

    func testStakepooldMetrics_listenAddressParsing() throws {
        XCTAssertNil(try StakepooldMetrics.listenAddress(""))
        XCTAssertEqual(try StakepooldMetrics.listenAddress("9114"), .tcp(host: "127.0.0.1", port: 9114))
        XCTAssertEqual(try StakepooldMetrics.listenAddress("[::1]:9114"), .tcp(host: "::1", port: 9114))
        XCTAssertEqual(try StakepooldMetrics.listenAddress(":9114"), .tcp(host: "", port: 9114))
        XCTAssertThrowsError(try StakepooldMetrics.listenAddress("99999"))
        XCTAssertThrowsError(try StakepooldMetrics.listenAddress("localhost"))
        XCTAssertThrowsError(try StakepooldMetrics.listenAddress("127.0.0.1:http"))
    }
}
