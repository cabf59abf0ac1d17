import PoolKernel
import XCTest
@testable import WalletSimnet

/// `simfabricatetickets` (poolbench scale): a history the wallets report like mined tickets — live ones in
/// `getstakeinfo`/`gettickets`, voted ones in `stakepooluserinfo` — spread over the imported scripts.
final class SimnetFabricatedHistoryTests: XCTestCase {
    func testFabricatedTickets_areSeenByEveryWalletAsLiveOrVoted() async throws {
        let simnet = makeSimnet(wallets: 2)
        var users: [SimnetTestUser] = []
        for uid in 0..<3 { users.append(try await registerUser(uid, on: simnet)) }
        simnet.mine(30)
        let added = try simnet.fabricateTickets(historicPerScript: 2, live: 3, extraAddress: users[0].p2sh, extra: 5)
        XCTAssertEqual(added, 3 * 2 + 3 + 5)
        for index in 0..<2 {
            let wallet = SimnetWalletBackend(simnet: simnet, walletIndex: index)
            let info = try await wallet.stakeInfo()
            XCTAssertEqual(info.live, 3, "wallet \(index)")
            XCTAssertEqual(info.voted, 3 * 2 + 5, "wallet \(index)")
            let live = try await wallet.tickets(includeImmature: true)
            XCTAssertEqual(live.count, 3)
            // Every user got one live ticket (3 over 3 scripts) and two voted; user 0 five more voted.
            for (uid, user) in users.enumerated() {
                let tickets = try await wallet.stakePoolUserInfo(multisigAddress: user.p2sh).tickets
                XCTAssertEqual(tickets.filter { $0.status == "live" }.count, 1, "uid \(uid)")
                XCTAssertEqual(tickets.filter { $0.status == "voted" }.count, uid == 0 ? 7 : 2, "uid \(uid)")
            }
        }
        XCTAssertThrowsError(try simnet.fabricateTickets(historicPerScript: 0, live: 0, extraAddress: "SsNotAnAddress", extra: 1))
    }
}
