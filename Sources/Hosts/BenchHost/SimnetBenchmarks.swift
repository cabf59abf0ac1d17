import Dispatch
import PoolKernel
import WalletSimnet

/// Speed figures of the simulated simnet at pool scale (100,000 tickets, 10,000 blocks), printed as JSON
/// lines for `poolbench`. Run from a release build.
public enum SimnetBenchmarks {
    /// Runs every simnet benchmark and writes one JSON line per figure through `emit`.
    public static func runAll(print emit: (String) -> Void = { Swift.print($0) }) {
        for figure in poolScale() { emit(figure.jsonLine) }
    }

    /// Buys 100,000 tickets for 100 users, then mines 10,000 blocks while one wallet votes every winner.
    public static func poolScale(tickets: Int = 100_000, blocks: Int = 10_000) -> [ChainBenchmarks.Figure] {
        let simnet = Simnet(configuration: .init(seed: 1, walletCount: 3), logger: .disabled)
        let users = 100
        let registered = (0..<users).compactMap { try? simnet.registerUser($0) }
        var start = DispatchTime.now().uptimeNanoseconds
        for user in registered {
            _ = try? simnet.buyTickets(ticketAddress: user.ticketAddress, feeAddress: user.feeAddress, count: tickets / users)
        }
        let buySeconds = seconds(since: start)
        // Purchases enter at most 20 per block; mine and vote every winner.
        start = DispatchTime.now().uptimeNanoseconds
        var votes = 0
        var winners = 0
        for _ in 0..<blocks {
            simnet.mine(1)
            winners += simnet.currentWinners.count
            votes += simnet.voteWinners()
        }
        let mineSeconds = seconds(since: start)
        return [
            ChainBenchmarks.Figure(bench: "simnet_buy_tickets", value: Double(tickets) / buySeconds, unit: "tickets/s",
                                   goal: ">=50000"),
            ChainBenchmarks.Figure(bench: "simnet_mine_and_vote", value: Double(blocks) / mineSeconds, unit: "blocks/s",
                                   goal: ">=2000"),
            // Simnet tickets expire 384 blocks after maturing, and purchases enter at 20 per block against 5
            // winners, so most of the 100,000 tickets expire and the pool runs dry after ~5,400 blocks: the
            // figure that matters is that every winner that was drawn got its vote accepted.
            ChainBenchmarks.Figure(bench: "simnet_votes_accepted", value: Double(votes), unit: "votes", goal: "==winners"),
            ChainBenchmarks.Figure(bench: "simnet_winners_unvoted", value: Double(winners - votes), unit: "tickets", goal: "==0"),
        ]
    }

    private static func seconds(since start: UInt64) -> Double {
        max(1e-9, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
}
