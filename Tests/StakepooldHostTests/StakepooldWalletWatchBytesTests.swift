import Foundation
import PoolKernel
import PoolTestKit
import StakepooldHost
import XCTest

/// The wallet watch's comparisons now run on bytes (`ScriptSet`, `TicketHash`): what the string comparison
/// decided must hold — hex case ignored, a script shared by users once with the first user's rescan height, a
/// pending user not a voting one, a stored script that is not hex reported missing for good, a ticket the wallet
/// lists in upper case held, a tracked ticket missing reported only when two checks agree.
final class StakepooldWalletWatchBytesTests: XCTestCase {
    private static func script(_ n: Int) -> String {
        let keys = String(format: "02%064x", 0x70 + n) + "21" + String(format: "03%064x", 0x90 + n)
        return "5121" + keys + "52ae"
    }

    func testWatch_countsAndReimportsTheDistinctMissingScripts() async throws {
        let held = Self.script(1), shared = Self.script(2), lacking = Self.script(3), pending = Self.script(4)
        let storage = InMemoryStorage()
        // (script, multisig address (empty: pending), height), in user id order.
        let rows: [(String, String, Int64)] = [
            (held.uppercased(), "Tc1", 8), (shared, "Tc2", 9), (shared.uppercased(), "Tc3", 4), (lacking, "Tc4", 6),
            (pending, "", 1), ("zz-not-hex", "Tc5", 2),
        ]
        for (index, row) in rows.enumerated() {
            _ = try await storage.insertUser(User(email: "u\(index)@example.com", passwordHash: "x", multiSigAddress: row.1,
                                                  multiSigScript: row.0, heightRegistered: row.2))
        }
        var state = InMemoryWallet.State()
        state.scripts = [ImportedScript(hash160: "", address: "", redeemScript: held)]
        let wallet = InMemoryWallet(state)
        let watch = StakepooldWalletWatch(wallet: wallet, node: InMemoryNode(), storage: storage, autoRecover: true,
                                          logger: .disabled)

        await watch.tick()
        // Missing: `shared` (once), `lacking` and the undecodable one; imported with the first user's height each;
        // the undecodable one is refused by the wallet and stays missing.
        XCTAssertEqual(wallet.state.value.importHeights, [9, 6])
        XCTAssertEqual(Set(wallet.state.value.scripts.map(\.redeemScript)), [held, shared, lacking])
        XCTAssertEqual(Self.figure(watch, "missing_scripts"), 1)
        XCTAssertEqual(watch.report().checks.first { $0.component == "wallet" }?.state, .degraded)
    }

    func testWatch_ticketsComparedAsHashesWithTheTwoCheckRule() async throws {
        let tickets = (1...3).map { String(repeating: String($0), count: 63) + "a" }
        var state = InMemoryWallet.State()
        state.tickets = [tickets[0]: true, tickets[1].uppercased(): true]
        let wallet = InMemoryWallet(state)
        let tracked = Set(tickets.compactMap(TicketHash.init(hex:)))
        XCTAssertEqual(tracked.count, 3)
        let watch = StakepooldWalletWatch(wallet: wallet, node: InMemoryNode(), storage: nil, autoRecover: false,
                                          trackedTickets: { tracked }, logger: .disabled)
        await watch.tick()
        XCTAssertNil(Self.figure(watch, "missing_tickets"), "one sighting is not yet a missing ticket")
        await watch.tick()
        XCTAssertEqual(Self.figure(watch, "missing_tickets"), 1, "only the ticket the wallet does not list, in either case")
        wallet.state.withLock { $0.tickets[tickets[2]] = true }
        await watch.tick()
        XCTAssertEqual(Self.figure(watch, "missing_tickets"), 0)
        XCTAssertEqual(watch.report().status, .ok)
    }

    private static func figure(_ watch: StakepooldWalletWatch, _ name: String) -> Int? {
        watch.report().checks.first { $0.component == "wallet" }?.figures.first { $0.0 == name }.map { Int($0.1) }
    }
}
