import Foundation
import PoolKernel
import PoolTestKit
import XCTest

final class VotingTicketMapTests: XCTestCase {
    func testTicketHash_roundTripsAndRejectsBadInput() throws {
        let text = "7f0a" + String(repeating: "0", count: 56) + "ABe1"
        let hash = try XCTUnwrap(TicketHash(hex: text))
        XCTAssertEqual(hash.hex, text.lowercased())
        XCTAssertEqual(TicketHash(hex: text.lowercased()), hash)
        XCTAssertNil(TicketHash(hex: String(text.dropLast())))
        XCTAssertNil(TicketHash(hex: text + "0"))
        XCTAssertNil(TicketHash(hex: String(repeating: "g", count: 64)))
        XCTAssertNil(TicketHash(hex: ""))
        XCTAssertNil(TicketHash(hex: String(repeating: "é", count: 32)))
    }

    /// Every byte value at every position of the 64: accepted exactly when it is a hex digit of either case, and
    /// written back (`hex`, `appendHex`) as the lower-case digit — the parse is branch-free, so check it whole.
    func testTicketHash_everyByteAtEveryPosition() {
        let hexDigits = Set("0123456789abcdefABCDEF".utf8)
        let base = Array("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef".utf8)
        for position in 0..<64 {
            for value in 0...255 {
                var text = base
                text[position] = UInt8(value)
                let hash = text.withUnsafeBufferPointer { TicketHash(hexBytes: $0) }
                XCTAssertEqual(hash != nil, hexDigits.contains(UInt8(value)), "\(value) at \(position)")
                guard let hash else { continue }
                var lower = text
                lower[position] = UInt8(value) | (UInt8(value) >= 0x41 ? 0x20 : 0)
                var appended: [UInt8] = [0x2A]
                hash.appendHex(to: &appended)
                XCTAssertEqual(Array(hash.hex.utf8), lower, "\(value) at \(position)")
                XCTAssertEqual(appended, [0x2A] + lower)
            }
        }
        XCTAssertEqual(TicketHash.zero.hex, String(repeating: "0", count: 64))
    }

    func testTicketMap_addRemoveDuplicateUnknown() throws {
        var map = TicketMap()
        let a = try XCTUnwrap(TicketHash(hex: VotingFixture.hash(1)))
        let b = try XCTUnwrap(TicketHash(hex: VotingFixture.hash(2)))
        XCTAssertEqual(map.add(a, owner: "SsA"), .added)
        XCTAssertEqual(map.add(a, owner: "SsA"), .duplicate)
        XCTAssertEqual(map.add(b, owner: "SsA"), .added)
        XCTAssertEqual(map.ownerCount, 1, "owners are interned")
        XCTAssertEqual(map.owner(of: a), "SsA")
        XCTAssertEqual(map.remove(a, height: 10), .removed)
        XCTAssertEqual(map.remove(a, height: 10), .unknown)
        XCTAssertNil(map.owner(of: a))
        XCTAssertEqual(map.count, 1)
    }

    func testTicketMap_lateAddAfterRemovalIsIgnored() throws {
        var map = TicketMap()
        let a = try XCTUnwrap(TicketHash(hex: VotingFixture.hash(1)))
        // spentandmissed (block 101) arrives before newtickets (block 100) for the same ticket.
        XCTAssertEqual(map.remove(a, height: 101), .unknown)
        XCTAssertEqual(map.add(a, owner: "SsA"), .alreadyRemoved)
        XCTAssertNil(map.owner(of: a))
        XCTAssertTrue(map.wasRemoved(a))
    }

    func testTicketMap_tombstonesArePrunedAfterTheWindow() throws {
        var map = TicketMap(tombstoneWindow: 10)
        let first = try XCTUnwrap(TicketHash(hex: VotingFixture.hash(1)))
        map.remove(first, height: 1)
        for n in 0..<5000 { map.remove(try XCTUnwrap(TicketHash(hex: VotingFixture.hash(10_000 + n))), height: 100 + Int64(n / 5)) }
        XCTAssertFalse(map.wasRemoved(first))
        XCTAssertEqual(map.add(first, owner: "SsA"), .added)
    }
}

final class VotingTicketFeeTests: XCTestCase {
    func testPoolTicketFee_matchesIndependentComputation() {
        // Values from an independent big-integer implementation of StakePoolTicketFee.
        XCTAssertEqual(PoolTicketFee(params: .mainnet).required(ticketValue: 10_000_000_000, relayFee: 1_000_000,
                                                                height: 100_000, poolFeePercent: 7.5), 11_556_449)
        XCTAssertEqual(PoolTicketFee(params: .simnet).required(ticketValue: 10_000_000_000, relayFee: 1_000_000,
                                                               height: 1000, poolFeePercent: 7.5), 162_722_933)
        XCTAssertEqual(PoolTicketFee(params: .simnet).required(ticketValue: 200_000_000, relayFee: 100_000,
                                                               height: 1000, poolFeePercent: 100), 186_627_292)
        XCTAssertEqual(PoolTicketFee.atoms(0.00000001), 1)
        XCTAssertEqual(PoolTicketFee.atoms(100.1), 10_010_000_000)
    }

    func testTicketFeeCheck_verdicts() {
        let node = InMemoryNodeForFees()
        let check = TicketFeeCheck(node: node.node, fee: PoolTicketFee(params: .simnet), poolFeePercent: 7.5,
                                   isFeeAddress: { $0 == "SsPoolFee" })
        // Ticket of 100 DCR: commitment to the pool fee address of 1.7 DCR (≥ 1.627…), user's of 98.31.
        let good = node.ticket(poolCommit: 1.7, userCommit: 98.3, value: 100)
        XCTAssertTrue(check.verdict(for: good, height: 1000).isValid)
        let low = node.ticket(poolCommit: 1.0, userCommit: 99.0, value: 100)
        let verdict = check.verdict(for: low, height: 1000)
        XCTAssertFalse(verdict.isValid)
        XCTAssertEqual(verdict.committed, 100_000_000)
        XCTAssertGreaterThan(verdict.required, verdict.committed)
        let stranger = node.ticket(poolCommit: 5, userCommit: 95, value: 100, feeAddress: "SsOther")
        XCTAssertFalse(check.verdict(for: stranger, height: 1000).isValid)
        XCTAssertTrue(check.verdict(for: stranger, height: 1000).problem.contains("unknown pool commitment address"))
    }
}

/// Decoded tickets and headers for the fee check.
struct InMemoryNodeForFees {
    let node = InMemoryNode()

    func ticket(poolCommit: Double, userCommit: Double, value: Double, feeAddress: String = "SsPoolFee",
                txid: String = VotingFixture.hash(0x7777)) -> DecodedTransaction {
        DecodedTransaction(txid: txid, outputs: [
            DecodedOutput(value: value, n: 0, scriptType: "stakesubmission", addresses: ["SsVote"]),
            DecodedOutput(value: 0, n: 1, scriptType: "sstxcommitment", addresses: [feeAddress], commitAmount: poolCommit),
            DecodedOutput(value: 0, n: 2, scriptType: "sstxchange", addresses: ["SsChange"]),
            DecodedOutput(value: 0, n: 3, scriptType: "sstxcommitment", addresses: ["SsUser"], commitAmount: userCommit + 0.001),
            DecodedOutput(value: 0, n: 4, scriptType: "sstxchange", addresses: ["SsChange"]),
        ])
    }

    /// A 180-byte header whose height (LE uint32 at byte 128) is `height`.
    static func header(height: UInt32) -> String {
        var bytes = [UInt8](repeating: 0, count: 180)
        withUnsafeBytes(of: height.littleEndian) { for (i, b) in $0.enumerated() { bytes[128 + i] = b } }
        return bytes.map { String(format: "%02x", $0) }.joined()
    }
}
