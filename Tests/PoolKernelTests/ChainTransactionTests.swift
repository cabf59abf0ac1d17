import Foundation
@testable import PoolKernel
import XCTest

/// Decred wire transactions and tickets on dcrd's vectors (`wire-tx.json`), and hostile bytes.
final class ChainTransactionTests: XCTestCase {
    private func transactions() throws -> [ChainVectors.Object] {
        let list = try ChainVectors.array("wire-tx")
        XCTAssertEqual(list.count, 24)
        return list
    }

    func testTransaction_everyVectorDecodesFieldByField() throws {
        for vector in try transactions() {
            let bytes = try vector.hex("tx_hex")
            let (tx, length) = try DecredTransaction.decode(bytes)
            XCTAssertEqual(length, bytes.count, vector.name)
            XCTAssertEqual(length, try vector.int("size"), vector.name)
            XCTAssertEqual(tx.txid, try vector.string("txid"), vector.name)
            XCTAssertEqual(Hex.encode(tx.fullHash.reversed()), try vector.string("full_hash"), vector.name)
            XCTAssertEqual(Int(tx.version), try vector.int("version"), vector.name)
            XCTAssertEqual(Int(tx.serializationType.rawValue), try vector.int("serialization_type"), vector.name)
            XCTAssertEqual(tx.inputs.count, try vector.int("input_count"), vector.name)
            XCTAssertEqual(tx.outputs.count, try vector.int("output_count"), vector.name)
            XCTAssertEqual(Int(tx.lockTime), try vector.int("lock_time"), vector.name)
            XCTAssertEqual(Int(tx.expiry), try vector.int("expiry"), vector.name)
            XCTAssertEqual(tx.outputs.map { Int($0.value) }, vector["output_values"] as? [Int], vector.name)
            let inputs = try XCTUnwrap(vector["inputs"] as? [ChainVectors.Object])
            for (input, expected) in zip(tx.inputs, inputs) {
                XCTAssertEqual(input.previousOutPoint.txid, try expected.string("prev_txid"), vector.name)
                XCTAssertEqual(Int(input.previousOutPoint.index), try expected.int("prev_index"), vector.name)
                XCTAssertEqual(Int(input.previousOutPoint.tree), try expected.int("prev_tree"), vector.name)
                XCTAssertEqual(Int(input.sequence), try expected.int("sequence"), vector.name)
                XCTAssertEqual(Int(input.valueIn), try expected.int("value_in"), vector.name)
                XCTAssertEqual(Int(input.blockHeight), try expected.int("block_height"), vector.name)
                XCTAssertEqual(Int(input.blockIndex), try expected.int("block_index"), vector.name)
                XCTAssertEqual(input.signatureScript, try expected.hex("sigscript_hex"), vector.name)
            }
            let outputs = try XCTUnwrap(vector["outputs"] as? [ChainVectors.Object])
            for (output, expected) in zip(tx.outputs, outputs) {
                XCTAssertEqual(Int(output.value), try expected.int("value"), vector.name)
                XCTAssertEqual(Int(output.scriptVersion), try expected.int("script_version"), vector.name)
                XCTAssertEqual(output.script, try expected.hex("pkscript_hex"), vector.name)
            }
            XCTAssertEqual(tx.serialized(), bytes, vector.name)
            // Trailing bytes are ignored, as dcrd's Deserialize (and so vspd) does.
            XCTAssertEqual(try DecredTransaction(bytes: bytes + [0xDE, 0xAD]), tx)
            XCTAssertEqual(try DecredTransaction(hex: vector.string("tx_hex").uppercased()), tx)
        }
    }

    func testTransaction_theThreeSerializationTypes() throws {
        let vector = try XCTUnwrap(ChainVectors.array("wire-tx", key: "serialization_vectors").first)
        let full = try DecredTransaction(bytes: vector.hex("full_hex"))
        XCTAssertEqual(full.serialized(as: .prefixOnly), try vector.hex("prefix_hex"))
        XCTAssertEqual(full.serialized(as: .witnessOnly), try vector.hex("witness_hex"))
        XCTAssertEqual(full.serialized().count, try vector.int("serialized_size"))
        XCTAssertEqual(full.txid, try vector.string("txid"))
        XCTAssertEqual(Hex.encode(full.fullHash.reversed()), try vector.string("full_hash"))
        let prefix = try DecredTransaction(bytes: vector.hex("prefix_hex"))
        XCTAssertEqual(prefix.serializationType, .prefixOnly)
        XCTAssertEqual(prefix.txid, full.txid)
        XCTAssertEqual(prefix.serialized(), try vector.hex("prefix_hex"))
        let witness = try DecredTransaction(bytes: vector.hex("witness_hex"))
        XCTAssertEqual(witness.serializationType, .witnessOnly)
        XCTAssertEqual(witness.inputs.map(\.signatureScript), full.inputs.map(\.signatureScript))
        XCTAssertEqual(witness.serialized(), try vector.hex("witness_hex"))
    }

    func testTicket_vectorsGiveTheirCommitmentsAndOthersAreRefused() throws {
        var tickets = 0
        for vector in try transactions() {
            let tx = try DecredTransaction(hex: vector.string("tx_hex"))
            if try vector.string("tx_type") == "ticket (SSTx)" {
                tickets += 1
                let ticket = try DecredTicket(tx)
                let fields = try XCTUnwrap(vector["stake_fields"] as? ChainVectors.Object)
                XCTAssertEqual(Int(ticket.price), try fields.int("ticket_price"), vector.name)
                let commitment = try XCTUnwrap((fields["commitments"] as? [ChainVectors.Object])?.first)
                XCTAssertEqual(ticket.commitment.destination.hash160, try commitment.hex("hash160_hex"), vector.name)
                XCTAssertEqual(ticket.commitment.destination.isScriptHash, commitment["is_p2sh"] as? Bool, vector.name)
                XCTAssertEqual(Int(ticket.commitment.amount), try commitment.int("amount"), vector.name)
                let limits = try commitment.hex("fee_limits_hex")
                XCTAssertEqual(ticket.commitment.feeLimits, UInt16(limits[0]) | UInt16(limits[1]) << 8, vector.name)
                XCTAssertEqual(ticket.votingOutput, tx.outputs[0])
                let address = try ticket.commitmentAddress(network: .mainnet)
                XCTAssertEqual(address.kind, .pubKeyHash)
                XCTAssertEqual(address.payload, try commitment.hex("hash160_hex"))
            } else {
                XCTAssertThrowsError(try DecredTicket(tx), vector.name) { XCTAssertEqual(($0 as? ChainError)?.code, .notATicket) }
            }
        }
        XCTAssertEqual(tickets, 2)
    }

    /// Each CheckSStx rule and vspd's one-commitment rule, broken one at a time on a real ticket.
    func testTicket_eachRuleRefusesItsViolation() throws {
        let vector = try XCTUnwrap(try transactions().first { ($0["tx_type"] as? String) == "ticket (SSTx)" })
        let ticket = try DecredTransaction(hex: vector.string("tx_hex"))
        XCTAssertNoThrow(try DecredTicket(ticket))
        var mutations: [(String, (inout DecredTransaction) -> Void)] = [
            ("script version", { $0.outputs[1].scriptVersion = 1 }),
            ("untagged voting output", { $0.outputs[0].script.removeFirst() }),
            ("vote tag on output 0", { $0.outputs[0].script[0] = StakeScript.opSSGen }),
            ("commitment too short", { $0.outputs[1].script = [StakeScript.opReturn, 29] + [UInt8](repeating: 0, count: 29) }),
            ("commitment not a push", { $0.outputs[1].script[1] = 76 }),
            ("change untagged", { $0.outputs[2].script.removeFirst() }),
            ("no outputs", { $0.outputs = [] }),
            ("outputs for inputs", { $0.outputs.removeLast() }),
        ]
        mutations.append(("two commitments", { tx in
            tx.inputs.append(tx.inputs[0])
            tx.outputs += [tx.outputs[1], tx.outputs[2]]
        }))
        for (name, mutate) in mutations {
            var tx = ticket
            mutate(&tx)
            XCTAssertThrowsError(try DecredTicket(tx), name) { XCTAssertEqual(($0 as? ChainError)?.code, .notATicket, name) }
        }
        // A longer commitment push (up to 75 bytes) is accepted; the extra bytes are ignored.
        var longer = ticket
        longer.outputs[1].script = [StakeScript.opReturn, 40] + Array(ticket.outputs[1].script[2...]) + [UInt8](repeating: 9, count: 10)
        XCTAssertEqual(try DecredTicket(longer).commitment, try DecredTicket(ticket).commitment)
        // A P2SH commitment gives a P2SH address.
        var scriptHash = ticket
        scriptHash.outputs[1].script[29] |= 0x80
        XCTAssertEqual(try DecredTicket(scriptHash).commitmentAddress(network: .mainnet).kind, .scriptHash)
    }

    func testTransaction_everyTruncationAndGarbageIsATypedError() throws {
        let bytes = try DecredTransaction.decode(Hex.decode(XCTUnwrap(transactions().first?["tx_hex"] as? String))).transaction.serialized()
        for length in 0..<bytes.count {
            XCTAssertThrowsError(try DecredTransaction(bytes: Array(bytes.prefix(length))), "length \(length)") {
                XCTAssertEqual(($0 as? ChainError)?.code, .badTransaction)
            }
        }
        // Unknown serialization type, non-canonical varint, a count larger than the bytes, witness/input mismatch.
        let hostile: [[UInt8]] = [
            [0x01, 0x00, 0x03, 0x00, 0x00],
            [0x01, 0x00, 0x01, 0x00, 0xFD, 0x01, 0x00],
            [0x01, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
            [0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x01],
        ]
        for bytes in hostile {
            XCTAssertThrowsError(try DecredTransaction(bytes: bytes), Hex.encode(bytes)) {
                XCTAssertEqual(($0 as? ChainError)?.code, .badTransaction)
            }
        }
        XCTAssertThrowsError(try DecredTransaction(hex: "01zz")) { XCTAssertEqual(($0 as? ChainError)?.code, .badHex) }
        var generator = SystemRandomNumberGenerator()
        for round in 0..<2_000 {
            var mutated = bytes
            for _ in 0..<(1 + round % 4) { mutated[Int.random(in: 0..<mutated.count, using: &generator)] = UInt8.random(in: 0...255) }
            do {
                let (tx, length) = try DecredTransaction.decode(mutated)
                XCTAssertEqual(tx.serialized(), Array(mutated.prefix(length)))
                _ = try? DecredTicket(tx)
            } catch let error as ChainError {
                XCTAssertEqual(error.code, .badTransaction)
            }
        }
    }
}

/// dcrd's `CheckTransactionSanity` rules as the spec lists them for vspd's payfee (§5.4 step 9).
final class ChainTransactionSanityTests: XCTestCase {
    private func regular() throws -> DecredTransaction {
        let vector = try XCTUnwrap(ChainVectors.array("wire-tx").first { ($0["tx_type"] as? String) == "regular" })
        return try DecredTransaction(hex: vector.string("tx_hex"))
    }

    func testSanity_realTransactionsPassAndEachRuleRefusesItsViolation() throws {
        for vector in try ChainVectors.array("wire-tx") {
            XCTAssertNoThrow(try DecredTransaction(hex: vector.string("tx_hex")).checkSanity(maximumSize: 393_216), vector.name)
        }
        let tx = try regular()
        let size = tx.serialized().count
        XCTAssertNoThrow(try tx.checkSanity(maximumSize: size))
        let allCoins: Int64 = 2_100_000_000_000_000  // 21e6 DCR in atoms, from the spec
        var cases: [(String, (inout DecredTransaction) -> Void, Int)] = [
            ("no inputs", { $0.inputs = [] }, 393_216),
            ("no outputs", { $0.outputs = [] }, 393_216),
            ("too big", { _ in }, size - 1),
            ("negative output", { $0.outputs[0].value = -1 }, 393_216),
            ("output above all coins", { $0.outputs[0].value = allCoins + 1 }, 393_216),
            ("outputs summing above all coins", { tx in
                tx.outputs[0].value = allCoins
                tx.outputs.append(DecredTransaction.Output(value: 1, script: tx.outputs[0].script))
            }, 393_216),
            ("input value out of range", { $0.inputs[0].valueIn = -2 }, 393_216),
            ("input value above all coins", { $0.inputs[0].valueIn = allCoins + 1 }, 393_216),
        ]
        cases.append(("duplicate outpoint", { $0.inputs.append($0.inputs[0]) }, 393_216))
        for (name, mutate, limit) in cases {
            var broken = tx
            mutate(&broken)
            XCTAssertThrowsError(try broken.checkSanity(maximumSize: limit), name) {
                XCTAssertEqual(($0 as? ChainError)?.code, .badTransaction, name)
            }
        }
        // The null input value and the exact limits pass.
        var edges = tx
        edges.inputs[0].valueIn = -1
        edges.outputs = [DecredTransaction.Output(value: allCoins, script: tx.outputs[0].script)]
        XCTAssertNoThrow(try edges.checkSanity(maximumSize: 393_216))
    }
}

/// The fee-payment and voting-key checks of vspd's payfee (spec §5.4 steps 10 and 12).
final class ChainFeePaymentTests: XCTestCase {
    private func ticketVector() throws -> DecredTransaction {
        let vector = try XCTUnwrap(ChainVectors.array("wire-tx").first { ($0["tx_type"] as? String) == "ticket (SSTx)" })
        return try DecredTransaction(hex: vector.string("tx_hex"))
    }

    func testFeePayment_firstMatchingVersionZeroOutputOnly() throws {
        // The block-432100 coinbase pays P2SH f591…bb in output 0 and P2PKH 9c41…c2 in output 2 (wire-tx.json).
        let coinbase = try DecredTransaction(hex: XCTUnwrap(ChainVectors.array("wire-tx").first?["tx_hex"] as? String))
        let pkh = try Address(kind: .pubKeyHash, payload: Hex.decode("9c417596dea6570f8e546674555b5ce5087ce2c2"), network: .mainnet)
        let sh = try Address(kind: .scriptHash, payload: Hex.decode("f5916158e3e2c4551c1796708db8367207ed13bb"), network: .mainnet)
        XCTAssertEqual(coinbase.firstPayment(to: pkh), 746_182_519)
        XCTAssertEqual(coinbase.firstPayment(to: sh), 124_362_748)
        let elsewhere = try Address(kind: .pubKeyHash, payload: [UInt8](repeating: 7, count: 20), network: .mainnet)
        XCTAssertNil(coinbase.firstPayment(to: elsewhere))
        var twice = coinbase
        twice.outputs.append(DecredTransaction.Output(value: 5, script: pkh.paymentScript))
        XCTAssertEqual(twice.firstPayment(to: pkh), 746_182_519, "not added up")
        var versioned = coinbase
        versioned.outputs[2].scriptVersion = 1
        XCTAssertNil(versioned.firstPayment(to: pkh), "script version 1 does not count")
    }

    func testVotingKey_matchesOnlyTheKeyOfOutputZero() throws {
        let key = (0..<32).map { UInt8($0 + 1) }
        let publicKey = try Secp256k1.publicKey(privateKey: key)
        var tx = try ticketVector()
        // Output 0 re-pointed at the key: OP_SSTX OP_DUP OP_HASH160 <hash160> OP_EQUALVERIFY OP_CHECKSIG.
        tx.outputs[0].script = [0xBA, 0x76, 0xA9, 0x14] + Hash160.hash(publicKey) + [0x88, 0xAC]
        let ticket = try DecredTicket(tx)
        XCTAssertTrue(try ticket.isVotingKey(publicKey))
        XCTAssertTrue(try ticket.isVotingKey(Secp256k1.uncompressed(publicKey)), "hashed compressed, like a WIF's key")
        XCTAssertFalse(try ticket.isVotingKey(Secp256k1.publicKey(privateKey: [UInt8](repeating: 9, count: 32))))
        XCTAssertFalse(try DecredTicket(try ticketVector()).isVotingKey(publicKey))
        XCTAssertThrowsError(try ticket.isVotingKey([0x02] + [UInt8](repeating: 0, count: 32)))
    }
}
