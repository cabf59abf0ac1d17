import Foundation
import PoolKernel
import XCTest

final class ChainVoteBitsTests: XCTestCase {
    private func agenda(_ id: String, mask: UInt16, _ bits: [UInt16]) -> Agenda {
        Agenda(id: id, description: id, mask: mask,
               choices: bits.enumerated().map { AgendaChoice(id: "c\($0.offset)", description: "", bits: $0.element,
                                                             isAbstain: $0.element == 0) })
    }

    func testVoteBits_noAgendasOnlyOneIsValid() {
        XCTAssertTrue(VoteBits(1).isValid(for: []))
        for raw: UInt16 in [0, 2, 3, 5, 0xFFFF] { XCTAssertFalse(VoteBits(raw).isValid(for: []), "\(raw)") }
    }

    func testVoteBits_spec83TableGivesOneThreeFive() throws {
        // mainnet v5, testnet3 v6, simnet v6 as in stakepoold spec §8.1: valid values are exactly 1, 3, 5.
        for (net, version) in [(NetParams.mainnet, UInt32(5)), (.testnet3, 6), (.simnet, 6)] {
            let agendas = net.agendas(forVoteVersion: version)
            XCTAssertEqual(agendas.map(\.id), ["lnfeatures"], net.name)
            let valid = (0...UInt16.max).filter { VoteBits($0).isValid(for: agendas) }
            XCTAssertEqual(valid, [1, 3, 5], net.name)
        }
        // mainnet v4 has two agendas: 1 | {0,2,4} | {0,8,16}.
        let v4 = NetParams.mainnet.agendas(forVoteVersion: 4)
        let valid = (0...UInt16.max).filter { VoteBits($0).isValid(for: v4) }
        XCTAssertEqual(valid, [1, 3, 5, 9, 11, 13, 17, 19, 21])
    }

    func testVoteBits_isValidMatchesBruteForceDefinition() {
        let agendas = [agenda("a", mask: 0x0006, [0, 2, 4]), agenda("b", mask: 0x0018, [0, 8]),
                       agenda("c", mask: 0x0060, [0x20, 0x40])] // "c" has no abstain choice
        for raw in 0...UInt16.max {
            let bits = VoteBits(raw)
            let expected = raw == 1 || (raw & 1 == 1
                && agendas.allSatisfy { a in a.choices.contains { $0.bits == raw & a.mask } }
                && raw & ~agendas.reduce(UInt16(1)) { $0 | $1.choices.reduce(0) { $0 | $1.bits } } == 0)
            if bits.isValid(for: agendas) != expected { return XCTFail("\(raw)") }
        }
        // 1 is valid even though agenda "c" offers no zero choice (dcrstakepool's first rule).
        XCTAssertTrue(VoteBits(1).isValid(for: agendas))
        XCTAssertFalse(VoteBits(3).isValid(for: agendas))
        XCTAssertTrue(VoteBits(0x23).isValid(for: agendas))
    }

    func testVoteBits_selectedBitsFallsBackToZero() {
        let a = agenda("a", mask: 0x0006, [0, 2, 4])
        XCTAssertEqual(a.selectedBits(in: VoteBits(5)), 4)
        XCTAssertEqual(a.selectedBits(in: VoteBits(7)), 0) // 6 matches no choice
        XCTAssertEqual(a.selectedBits(in: VoteBits(1)), 0)
    }
}
