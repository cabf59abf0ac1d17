import PoolKernel
import XCTest

/// Stake output scripts: construction, dcrd's classification, commitments and the data votes carry.
final class ChainStakeScriptTests: XCTestCase {
    private let pubKeyHash = ScriptDestination(isScriptHash: false, hash160: Array(0..<20))
    private let scriptHash = ScriptDestination(isScriptHash: true, hash160: Array(100..<120))

    func testStakeScript_taggedPaymentsClassifyAsDcrdNamesThem() {
        let cases: [(UInt8?, StakeScriptClass, StakeScriptClass)] = [
            (nil, .pubKeyHash, .scriptHash), (StakeScript.opSStx, .stakeSubmission, .stakeSubmission),
            (StakeScript.opSSGen, .stakeGen, .stakeGen), (StakeScript.opSSRtx, .stakeRevoke, .stakeRevoke),
            (StakeScript.opSStxChange, .stakeChange, .stakeChange),
        ]
        for (tag, forKeyHash, forScriptHash) in cases {
            for (destination, expected) in [(pubKeyHash, forKeyHash), (scriptHash, forScriptHash)] {
                let script = tag.map { StakeScript.tagged($0, destination) } ?? StakeScript.payTo(destination)
                let (kind, destinations) = StakeScript.classify(script)
                XCTAssertEqual(kind, expected, "tag \(String(describing: tag))")
                XCTAssertEqual(destinations, [destination])
            }
        }
    }

    func testStakeScript_payToLayoutsAreTheStandardOnes() {
        XCTAssertEqual(StakeScript.payTo(pubKeyHash), [0x76, 0xA9, 0x14] + Array(0..<20) + [0x88, 0xAC])
        XCTAssertEqual(StakeScript.payTo(scriptHash), [0xA9, 0x14] + Array(100..<120) + [0x87])
        XCTAssertEqual(StakeScript.tagged(StakeScript.opSStx, scriptHash), [0xBA, 0xA9, 0x14] + Array(100..<120) + [0x87])
    }

    func testStakeScript_commitmentLayoutAndRoundTrip() throws {
        let commitment = StakeScript.Commitment(destination: scriptHash, amount: 1_234_567_890, feeLimits: 0x5800)
        let script = StakeScript.commitment(commitment)
        // OP_RETURN, push 30, hash160, amount little-endian with the top bit set for P2SH, fee limits little-endian.
        let amount: [UInt8] = [0xD2, 0x02, 0x96, 0x49, 0x00, 0x00, 0x00, 0x80]
        XCTAssertEqual(script, [0x6A, 0x1E] + Array(100..<120) + amount + [0x00, 0x58])
        XCTAssertEqual(StakeScript.parseCommitment(script), commitment)
        XCTAssertEqual(StakeScript.classify(script).kind, .commitment)

        for value: Int64 in [0, 1, 2_100_000_000_000_000, Int64.max] {
            let plain = StakeScript.Commitment(destination: pubKeyHash, amount: value, feeLimits: 7)
            XCTAssertEqual(StakeScript.parseCommitment(StakeScript.commitment(plain)), plain, "\(value)")
        }
    }

    func testStakeScript_nearMissesAreNotStandard() {
        let good = StakeScript.tagged(StakeScript.opSStx, pubKeyHash)
        let nearMisses: [[UInt8]] = [
            Array(good.dropLast()),                                      // truncated
            good + [0x00],                                              // trailing byte
            [0xBE] + Array(good.dropFirst()),                           // unknown tag
            [0xBA, 0xBA] + Array(good.dropFirst()),                     // two tags
            [0x76, 0xA9, 0x13] + Array(0..<19) + [0x88, 0xAC],          // 19-byte hash
            [0xA9, 0x14] + Array(0..<20) + [0x88],                      // P2SH with the wrong last opcode
            [0x6A, 0x1F] + Array(repeating: 0, count: 30),              // push length does not match
            [],
        ]
        for script in nearMisses {
            XCTAssertEqual(StakeScript.classify(script).kind, .nonStandard, "\(script)")
            XCTAssertNil(StakeScript.parseCommitment(script))
        }
        // A 31-byte OP_RETURN push is null data, not a commitment.
        XCTAssertEqual(StakeScript.classify([0x6A, 0x1F] + Array(repeating: 1, count: 31)).kind, .nullData)
    }

    func testStakeScript_voteOutputsRoundTrip() throws {
        let hash = (0..<32).map { UInt8($0 * 7 & 0xFF) }
        let reference = StakeScript.voteBlockReference(hash: hash, height: 0x0102_0304)
        XCTAssertEqual(reference, [0x6A, 0x24] + hash + [0x04, 0x03, 0x02, 0x01])
        let parsed = try XCTUnwrap(StakeScript.parseVoteBlockReference(reference))
        XCTAssertEqual(parsed.hash, hash)
        XCTAssertEqual(parsed.height, 0x0102_0304)

        let bits = StakeScript.voteBits(0x0005, extended: [0x06, 0x00, 0x00, 0x00])
        XCTAssertEqual(bits, [0x6A, 0x06, 0x05, 0x00, 0x06, 0x00, 0x00, 0x00])
        let decoded = try XCTUnwrap(StakeScript.parseVoteBits(bits))
        XCTAssertEqual(decoded.bits, 5)
        XCTAssertEqual(decoded.extended, [6, 0, 0, 0])

        XCTAssertNil(StakeScript.parseVoteBlockReference(Array(reference.dropLast())))
        XCTAssertNil(StakeScript.parseVoteBits([0x6A, 0x01, 0x05]))
        XCTAssertNil(StakeScript.parseVoteBits([0x6A, 0x09, 0x05, 0x00]), "push length must match the script")
    }

    func testStakeScript_destinationOfAddresses() throws {
        let address = try Address.decode("DsmcYVbP1Nmag2H4AS17UTvmWXmGeA7nLDx", network: .mainnet)
        let destination = ScriptDestination(address)
        XCTAssertFalse(destination.isScriptHash)
        XCTAssertEqual(destination.hash160, address.payload)
        XCTAssertEqual(try destination.address(network: .mainnet), address)
        XCTAssertEqual(StakeScript.destination(of: StakeScript.tagged(StakeScript.opSSGen, destination))?.destination, destination)
    }

    func testStakeScript_randomBytesNeverCrashAndAnswersAgree() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...40, using: &generator)
            var script = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            // Bias towards the interesting prefixes so the parsers get past their first checks.
            if length > 2, Bool.random(using: &generator) {
                script[0] = [0x6A, 0xBA, 0xBB, 0x76, 0xA9].randomElement(using: &generator)!
            }
            let (kind, destinations) = StakeScript.classify(script)
            switch kind {
            case .commitment: XCTAssertNotNil(StakeScript.parseCommitment(script))
            case .nullData, .nonStandard: XCTAssertTrue(destinations.isEmpty)
            default: XCTAssertEqual(StakeScript.destination(of: script)?.destination, destinations.first)
            }
            _ = StakeScript.parseVoteBits(script)
            _ = StakeScript.parseVoteBlockReference(script)
        }
    }
}
