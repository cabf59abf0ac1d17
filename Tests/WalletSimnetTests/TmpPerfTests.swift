import PoolKernel
import XCTest
@testable import WalletSimnet

final class TmpPerfTests: XCTestCase {
    func testPerf() async throws {
        let simnet = makeSimnet(seed: 2026)
        let user = try await registerUser(1, on: simnet)
        var clock = ContinuousClock.now
        _ = try simnet.buyTickets(ticketAddress: user.p2sh, feeAddress: user.feeAddress, count: 2_000)
        print("buy", ContinuousClock.now - clock); clock = .now
        simnet.mine(500)
        print("mine500", ContinuousClock.now - clock); clock = .now
        for _ in 0..<200 { simnet.mine(1); try await voteAllWinners(simnet) }
        print("mine+vote200", ContinuousClock.now - clock); clock = .now
        let r = NotificationRecorder()
        simnet.subscribe { r.record($0) }
        simnet.mine(500)
        print("mine500 notif", ContinuousClock.now - clock); clock = .now
    }
}
