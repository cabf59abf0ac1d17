import Foundation
import PoolKernel
import PoolTestKit
import WebHost
import XCTest

/// `/metrics` covers the vspd API's tickets too (issue 24 item 4): counts by fee status and by outcome, read from
/// storage with the other gauges, a state that empties going back to 0.
final class PoolMetricsVspTests: XCTestCase {
    func testPoolMetrics_vspTicketsByFeeStatusAndOutcome() async throws {
        let storage = InMemoryStorage()
        let states: [(VspFeeTxStatus, VspTicketOutcome)] = [(.none, .none), (.received, .none), (.received, .none),
                                                            (.confirmed, .none), (.confirmed, .voted), (.confirmed, .revoked),
                                                            (.confirmed, .expired), (.confirmed, .missed)]
        for (index, (status, outcome)) in states.enumerated() {
            let ticket = VspTicket(hash: String(format: "%064x", index + 1), commitmentAddress: "Ss", feeAddressXPubID: 1,
                                   feeAddressIndex: UInt32(index + 1), feeAddress: "Ss", feeAmount: 1, feeExpiration: 1,
                                   feeTxStatus: status, outcome: outcome)
            try await storage.write { try $0.insertVspTicket(ticket) }
        }
        let pool = WalletPool(members: [.init(label: "w0", backend: InMemoryWallet())], configuration: .init(minServers: 1),
                              logger: .disabled)
        let registry = MetricsRegistry()
        let metrics = PoolMetrics(registry: registry, pool: pool, stats: nil, storage: storage, logger: .disabled)
        await metrics.refresh()
        var lines = Set(registry.render().split(separator: "\n").map(String.init))
        for expected in [#"pool_vsp_tickets{feetxstatus="none"} 1"#, #"pool_vsp_tickets{feetxstatus="received"} 2"#,
                         #"pool_vsp_tickets{feetxstatus="broadcast"} 0"#, #"pool_vsp_tickets{feetxstatus="confirmed"} 5"#,
                         #"pool_vsp_tickets{feetxstatus="error"} 0"#, #"pool_vsp_ticket_outcomes{outcome="voted"} 1"#,
                         #"pool_vsp_ticket_outcomes{outcome="missed"} 1"#, #"pool_vsp_ticket_outcomes{outcome="expired"} 2"#] {
            XCTAssertTrue(lines.contains(expected), "missing \(expected)")
        }
        // The two received tickets' fees fail: received empties to 0.
        for index in [2, 3] {
            let hash = String(format: "%064x", index)
            _ = try await storage.write { try $0.updateVspFee(ticketHash: hash, VspFeeState(feeAmount: 1, feeExpiration: 1, feeTxStatus: .error),
                                                              ifStatusIn: [.received]) }
        }
        await metrics.refresh()
        lines = Set(registry.render().split(separator: "\n").map(String.init))
        XCTAssertTrue(lines.contains(#"pool_vsp_tickets{feetxstatus="received"} 0"#))
        XCTAssertTrue(lines.contains(#"pool_vsp_tickets{feetxstatus="error"} 2"#))
    }
}
