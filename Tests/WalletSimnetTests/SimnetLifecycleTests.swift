import PoolKernel
import XCTest
@testable import WalletSimnet

final class SimnetLifecycleTests: XCTestCase {
    /// 2,000 blocks with a pool large enough that some tickets expire: every ticket follows simnet's
    /// maturity, expiry and winners-per-block rules, and the notifications say so.
    func testSimnetLifecycle_followsSimnetParametersOver2000Blocks() async throws {
        let simnet = makeSimnet(seed: 2026)
        let parameters = SimnetParameters.simnet
        let user = try await registerUser(1, on: simnet)
        let lowFeeUser = try await registerUser(2, on: simnet)
        let recorder = NotificationRecorder()
        simnet.subscribe { recorder.record($0) }

        // 1,900 tickets over the first 100 blocks (at most 20 fresh tickets per block).
        var bought = try simnet.buyTickets(ticketAddress: user.p2sh, feeAddress: user.feeAddress, count: 1_800)
        bought += try simnet.buyTickets(ticketAddress: lowFeeUser.p2sh, feeAddress: lowFeeUser.feeAddress, count: 100,
                                        poolFee: .tooLow)
        var unvotedBlocks = 0
        for _ in 0..<2_000 {
            // A steady inflow keeps the live pool above five tickets once the first burst is spent.
            bought += try simnet.buyTickets(ticketAddress: user.p2sh, feeAddress: user.feeAddress, count: 6)
            simnet.mine(1)
            // Vote on most blocks; leave every 7th block's winners unvoted so some tickets are missed.
            if simnet.stats.height % 7 == 0 { unvotedBlocks += 1 } else { try await voteAllWinners(simnet) }
        }

        let world = simnet.world.value
        let chain = world.chain
        XCTAssertEqual(chain.tipHeight, 2_000)
        XCTAssertEqual(chain.tickets.count, bought.count, "every purchase was mined")
        XCTAssertTrue(chain.headers.allSatisfy { $0.freshStake <= UInt8(parameters.maxFreshStakePerBlock) })

        // Checked per ticket, reported once (thousands of XCTAsserts would dominate the run time).
        var statusCounts: [SimnetTicketStatus: Int] = [:]
        var violations: [String] = []
        let maturity = parameters.ticketMaturity, expiry = parameters.ticketExpiry
        for record in chain.tickets {
            statusCounts[record.status, default: 0] += 1
            let bornAt = Int(record.purchaseHeight)
            let spentAt = Int(record.spentHeight)
            let ok: Bool
            switch record.status {
            case .voted, .missed:
                // Winners are drawn from the live pool only, and resolved by the next block.
                ok = spentAt > bornAt + maturity && spentAt <= bornAt + maturity + expiry
                    && spentAt >= parameters.stakeValidationHeight
            case .expired: ok = spentAt == bornAt + maturity + expiry
            case .live: ok = chain.tipHeight < bornAt + maturity + expiry && chain.tipHeight >= bornAt + maturity
            case .immature: ok = chain.tipHeight < bornAt + maturity
            }
            if !ok { violations.append("\(record.hash) \(record.status) born \(bornAt) spent \(spentAt)") }
        }
        XCTAssertEqual(violations, [], "tickets off the simnet life-cycle")
        XCTAssertGreaterThan(statusCounts[.voted, default: 0], 1_000)
        XCTAssertGreaterThan(statusCounts[.missed, default: 0], 50)
        XCTAssertGreaterThan(statusCounts[.expired, default: 0], 10, "a pool of ~1,900 lets some tickets expire")
        XCTAssertEqual(simnet.stats.revoked,
                       chain.tickets.filter { ($0.status == .missed || $0.status == .expired) && Int($0.spentHeight) < 2_000 }.count,
                       "missed and expired tickets are revoked one block later")

        // Notifications: maturity exactly TicketMaturity blocks after mining, 5 winners per block from
        // StakeValidationHeight - 1 while the pool has them, each resolved in the next block.
        let received = recorder.received.value
        var winnersByHeight: [Int64: [String]] = [:]
        var resolvedByHeight: [Int64: [(ticket: String, spent: Bool)]] = [:]
        var maturedCount = 0
        var blockCount = 0
        for notification in received {
            switch notification {
            case .blockConnected: blockCount += 1
            case .winningTickets(let winners): winnersByHeight[winners.blockHeight] = winners.tickets
            case .spentAndMissedTickets(let resolved): resolvedByHeight[resolved.blockHeight] = resolved.tickets
            case .newTickets(let new):
                XCTAssertGreaterThanOrEqual(new.blockHeight, Int64(parameters.stakeEnabledHeight))
                for ticket in new.tickets {
                    let id = SimHash(displayHex: ticket).flatMap { chain.ticketIndex[$0] }
                    if let id, Int64(chain.tickets[Int(id)].purchaseHeight) + Int64(parameters.ticketMaturity) == new.blockHeight {
                        maturedCount += 1
                    }
                }
            case .reorganization(let change): XCTFail("no reorganization was asked for: \(change)")
            }
        }
        XCTAssertEqual(blockCount, 2_000)
        XCTAssertEqual(maturedCount, chain.tickets.filter { Int($0.purchaseHeight) + parameters.ticketMaturity <= 2_000 }.count)
        XCTAssertNil(winnersByHeight[Int64(parameters.stakeValidationHeight - 2)])
        var lotteryViolations: [Int64] = []
        for height in Int64(parameters.stakeValidationHeight - 1)...1_999 {
            let winners = winnersByHeight[height] ?? []
            let resolved = resolvedByHeight[height + 1] ?? []
            let expectSpent = height % 7 != 0
            if winners.count != parameters.ticketsPerBlock || resolved.map(\.ticket) != winners
                || !resolved.allSatisfy({ $0.spent == expectSpent }) {
                lotteryViolations.append(height)
            }
        }
        XCTAssertEqual(lotteryViolations, [], "heights without 5 winners resolved in the next block")
        XCTAssertGreaterThan(unvotedBlocks, 200)

        // The wallets' views agree with the chain: low-fee tickets are invalid, the others listed.
        let wallet = SimnetWalletBackend(simnet: simnet, walletIndex: 1)
        let lowFee = try await wallet.stakePoolUserInfo(multisigAddress: lowFeeUser.p2sh)
        XCTAssertEqual(lowFee.invalid.count, 100)
        XCTAssertTrue(lowFee.tickets.isEmpty)
        let info = try await wallet.stakePoolUserInfo(multisigAddress: user.p2sh)
        XCTAssertEqual(info.tickets.count, bought.count - 100, "invalid: \(info.invalid.count)")
        XCTAssertEqual(info.tickets.filter { $0.status == "voted" }.count,
                       chain.tickets.filter { $0.status == .voted && $0.isFeeValid }.count)
        XCTAssertTrue(info.tickets.filter { $0.status == "expired" }.allSatisfy {
            $0.spentByHeight - $0.ticketHeight >= UInt32(parameters.ticketExpiry)
        })
        let stake = try await wallet.stakeInfo()
        XCTAssertEqual(Int(stake.voted), info.tickets.filter { $0.status == "voted" }.count)
        XCTAssertEqual(Int(stake.live), chain.tickets.filter { $0.status == .live && $0.isFeeValid }.count)
        XCTAssertEqual(Int(stake.poolSize), simnet.stats.live)
        XCTAssertGreaterThan(stake.totalSubsidy, 0)
    }

    func testSimnetLifecycle_sameSeedSameChainOtherSeedOtherChain() async throws {
        func run(seed: UInt64) async throws -> (tip: String, winners: [String], tickets: [String]) {
            let simnet = makeSimnet(seed: seed)
            let user = try await registerUser(3, on: simnet)
            let tickets = try simnet.buyTickets(ticketAddress: user.p2sh, feeAddress: user.feeAddress, count: 60)
            var winners = [String]()
            for _ in 0..<300 {
                simnet.mine(1)
                winners += simnet.currentWinners
                try await voteAllWinners(simnet)
            }
            return (simnet.mine(0).hash, winners, tickets)
        }
        let first = try await run(seed: 9)
        let second = try await run(seed: 9)
        let other = try await run(seed: 10)
        XCTAssertEqual(first.tip, second.tip)
        XCTAssertEqual(first.winners, second.winners)
        XCTAssertEqual(first.tickets, second.tickets)
        XCTAssertFalse(first.winners.isEmpty)
        XCTAssertNotEqual(first.tip, other.tip)
        XCTAssertNotEqual(first.winners, other.winners)
    }

    func testSimnetLifecycle_freshStakeLimitSpillsIntoLaterBlocks() async throws {
        let simnet = makeSimnet()
        let user = try await registerUser(4, on: simnet)
        _ = try simnet.buyTickets(ticketAddress: user.p2sh, feeAddress: user.feeAddress, count: 45)
        simnet.mine(15)
        XCTAssertEqual(simnet.stats.mempool, 45, "no ticket is mined before StakeEnabledHeight - TicketMaturity")
        simnet.mine(1)
        XCTAssertEqual(simnet.stats.immature, 20)
        XCTAssertEqual(simnet.stats.mempool, 25)
        simnet.mine(2)
        XCTAssertEqual(simnet.stats.immature, 45)
        XCTAssertEqual(simnet.stats.mempool, 0)
        simnet.mine(14)
        XCTAssertEqual(simnet.stats.live, 20, "the first block's tickets matured 16 blocks later")
        simnet.mine(1)
        XCTAssertEqual(simnet.stats.live, 40)
        simnet.mine(1)
        XCTAssertEqual(simnet.stats.live, 45)
    }
}
