import PoolKernel
import PoolNet
import SimnetHost
@testable import WalletDcrwallet
import XCTest

final class WalletWireTests: XCTestCase {
    func testWalletWire_walletInfoMatchesTheSpecExampleBothWays() throws {
        let text = #"{"daemonconnected":true,"unlocked":true,"txfee":0.001,"ticketfee":0.001,"ticketpurchasing":false,"votebits":1,"votebitsextended":"05000000","voteversion":5,"voting":false}"#
        let info = try WalletWire.walletInfo(from: try JSONValue.parse(text))
        XCTAssertEqual(info.voteVersion, 5)
        XCTAssertEqual(info.voteBitsExtended, "05000000")
        XCTAssertEqual(WalletWire.json(info).description, text)
    }

    func testWalletWire_validateAddressOmitsEmptyFields() throws {
        XCTAssertEqual(WalletWire.json(AddressValidation(isValid: false)).description, #"{"isvalid":false}"#)
        let mine = AddressValidation(isValid: true, address: "TsA", isMine: true, pubKeyAddress: "TkB", pubKey: "03ab",
                                     isCompressed: true, account: "default")
        let text = WalletWire.json(mine).description
        XCTAssertEqual(text, #"{"isvalid":true,"address":"TsA","ismine":true,"pubkeyaddr":"TkB","pubkey":"03ab","iscompressed":true,"account":"default"}"#)
        XCTAssertEqual(try WalletWire.addressValidation(from: try JSONValue.parse(text)), mine)
    }

    func testWalletWire_stakePoolUserInfoUsesNullForEmptyLists() throws {
        XCTAssertEqual(WalletWire.json(StakePoolUserInfo()).description, #"{"tickets":null,"invalid":null}"#)
        let info = StakePoolUserInfo(tickets: [StakePoolUserTicket(status: "live", ticket: TicketHash(w0: 0xaa, w1: 0, w2: 0, w3: 1),
                                                                   ticketHeight: 178000)],
                                     invalid: [TicketHash(w0: 0xbb, w1: 0, w2: 0, w3: 2)])
        XCTAssertEqual(try WalletWire.stakePoolUserInfo(from: WalletWire.json(info)), info)
        XCTAssertEqual(try WalletWire.stakePoolUserInfo(from: try JSONValue.parse(#"{"tickets":null,"invalid":null}"#)), StakePoolUserInfo())
    }

    /// The tickets page reads `stakepooluserinfo` from the reply's bytes: the same answers as the tree decoder for
    /// dcrwallet's shapes (nulls, absent lists, reordered and repeated members, escapes), the same refusals — among
    /// them a hash that is not 64 hex characters, since hashes are read into 32-byte values.
    func testWalletWire_stakePoolUserInfoFromBytesMatchesTheTreeDecoder() throws {
        let hash = String(repeating: "ab", count: 32), zero = String(repeating: "0", count: 64)
        let upper = String(repeating: "CD", count: 32), escaped = #"\u0061"# + String(repeating: "b", count: 63)
        let good = [
            #"{"tickets":null,"invalid":null}"#,
            #"{}"#,
            #"{"tickets":[{"status":"live","ticket":"\#(hash)","ticketheight":178000,"spentby":"\#(zero)","spentbyheight":0}],"invalid":null}"#,
            #"{"invalid":["\#(hash)","\#(upper)"],"extra":{"a":[1,2]},"tickets":[{"spentbyheight":4294967295,"spentby":"\#(hash)","ticketheight":1.0,"ticket":"\#(escaped)","status":"vo\u0074ed","more":null}]}"#,
            #"{"tickets":[{"status":"missed","ticket":"\#(hash)","ticketheight":5,"spentby":"\#(zero)","spentbyheight":9,"status":"voted"}],"tickets":null}"#,
            #"{"tickets":[{"status":"b\u00e9","ticket":"\#(hash)","ticketheight":5,"spentby":"\#(zero)","spentbyheight":9}]}"#,
        ]
        for text in good {
            let raw = Array(text.utf8)
            let expected = try WalletWire.stakePoolUserInfo(from: try JSONValue.parse(text))
            XCTAssertEqual(try WalletWire.stakePoolUserInfo(from: RawJSON(bytes: raw, range: raw.indices)), expected, text)
        }
        XCTAssertEqual(try WalletWire.stakePoolUserInfo(from: RawJSON(bytes: Array(good[4].utf8), range: 0..<good[4].utf8.count)).tickets.map(\.status),
                       ["missed"], "the first of a repeated member counts")
        let bad = [
            #"{"tickets":[{"status":"live","ticket":"t","ticketheight":1,"spentby":"\#(zero)","spentbyheight":0}]}"#,
            #"{"tickets":[{"status":"live","ticket":"\#(hash)","ticketheight":1,"spentby":"","spentbyheight":0}]}"#,
            #"{"tickets":[{"status":"live","ticket":"\#(hash.dropLast())","ticketheight":1,"spentby":"\#(zero)","spentbyheight":0}]}"#,
            #"{"tickets":[{"status":"live","ticket":"\#(hash)0","ticketheight":1,"spentby":"\#(zero)","spentbyheight":0}]}"#,
            #"{"tickets":[{"status":"live","ticket":"\#(hash.dropLast())g","ticketheight":1,"spentby":"\#(zero)","spentbyheight":0}]}"#,
            #"{"invalid":["\#(hash)","x\"y"]}"#,
            #"[]"#, #"{"tickets":{}}"#, #"{"invalid":[1]}"#, #"{"tickets":[7]}"#,
            #"{"tickets":[{"status":"live","ticket":"\#(hash)","ticketheight":1,"spentby":"\#(zero)"}]}"#,
            #"{"tickets":[{"status":"live","ticket":"\#(hash)","ticketheight":-1,"spentby":"\#(zero)","spentbyheight":0}]}"#,
            #"{"tickets":[{"status":"live","ticket":"\#(hash)","ticketheight":4294967296,"spentby":"\#(zero)","spentbyheight":0}]}"#,
            #"{"tickets":[{"status":1,"ticket":"\#(hash)","ticketheight":1,"spentby":"\#(zero)","spentbyheight":0}]}"#,
            #"{"tickets":[{"status":"live","ticket":null,"ticketheight":1,"spentby":"\#(zero)","spentbyheight":0}]}"#,
            #"{"tickets":[{"status":"live","ticket":"\#(hash)","ticketheight":"1","spentby":"\#(zero)","spentbyheight":0}]}"#,
            #"{"tickets":[{"status":"live","ticket":"\#(hash)","ticketheight":1.5,"spentby":"\#(zero)","spentbyheight":0}]}"#,
            #"{"tickets":[ ,]}"#, #"{"invalid":["a"]"#,
        ]
        for text in bad {
            let raw = Array(text.utf8)
            XCTAssertThrowsError(try WalletWire.stakePoolUserInfo(from: RawJSON(bytes: raw, range: raw.indices)), text) { error in
                XCTAssertEqual((error as? WalletError)?.code, .walletBadResponse, text)
            }
        }
        let invalidUTF8: [UInt8] = Array(#"{"invalid":null,"tickets":[{"status":""#.utf8) + [0xC3, 0x28]
            + Array(#"","ticket":"\#(hash)","ticketheight":1,"spentby":"\#(zero)","spentbyheight":0}]}"#.utf8)
        // Keys are matched as bytes; one that is not UTF-8 is refused all the same, as the tree parser refuses it.
        let invalidKey: [UInt8] = Array(#"{"invalid":null,"tickets":[{""#.utf8) + [0xC3, 0x28]
            + Array(#"":1,"status":"live","ticket":"\#(hash)","ticketheight":1,"spentby":"\#(zero)","spentbyheight":0}]}"#.utf8)
        for bytes in [invalidUTF8, invalidKey] {
            XCTAssertThrowsError(try JSONValue.parse(bytes))
            XCTAssertThrowsError(try WalletWire.stakePoolUserInfo(from: RawJSON(bytes: bytes, range: bytes.indices))) { error in
                XCTAssertEqual((error as? WalletError)?.code, .walletBadResponse)
            }
        }
    }

    func testWalletWire_everyResultRoundTrips() throws {
        let tx = WalletTransaction(amount: 0, confirmations: 3, blockHash: "bh", blockTime: 5, txid: "t1", time: 4,
                                   details: [WalletTransactionDetail(account: "default", address: "TcX", amount: 1.5,
                                                                     category: "receive", vout: 0)], hex: "0100")
        XCTAssertEqual(try WalletWire.transaction(from: WalletWire.json(tx)), tx)
        XCTAssertFalse(WalletWire.json(tx).description.contains("\"fee\""), "fee 0 is omitted")
        let stake = StakeInfo(blockHeight: 9, poolSize: 10, difficulty: 2.5, live: 5, proportionLive: 0.5)
        XCTAssertEqual(try WalletWire.stakeInfo(from: WalletWire.json(stake)), stake)
        let scripts = [ImportedScript(hash160: "h", address: "Tc1", redeemScript: "51ae")]
        XCTAssertEqual(try WalletWire.scripts(from: WalletWire.json(scripts)), scripts)
        XCTAssertEqual(try WalletWire.ticketHashes(from: WalletWire.json(ticketHashes: ["a", "b"])), ["a", "b"])
        XCTAssertEqual(try WalletWire.multisigScript(from: WalletWire.json(MultisigScript(address: "Tc", redeemScript: "51"))).redeemScript, "51")
        XCTAssertEqual(WalletWire.json(MultisigScript(address: "Tc", redeemScript: "51")).description, #"{"address":"Tc","redeemScript":"51"}"#)
        let decoded = DecodedTransaction(txid: "t", outputs: [
            DecodedOutput(value: 2, n: 0, scriptType: "stakesubmission"),
            DecodedOutput(value: 0, n: 1, scriptType: "sstxcommitment", addresses: ["TsFee"], commitAmount: 0.01),
        ])
        XCTAssertEqual(try WalletWire.decodedTransaction(from: WalletWire.json(decoded)), decoded)
        let versions = ["dcrwalletjsonrpcapi": APIVersion(major: 4, minor: 1, patch: 0)]
        XCTAssertEqual(try WalletWire.versions(from: WalletWire.json(versions: versions.map { ($0.key, $0.value) })), versions)
        XCTAssertEqual(WalletWire.json(versions: versions.map { ($0.key, $0.value) }).description,
                       #"{"dcrwalletjsonrpcapi":{"versionstring":"4.1.0","major":4,"minor":1,"patch":0,"prerelease":"","buildmetadata":""}}"#)
    }

    func testWalletWire_badResultsAreBadResponseErrors() {
        let cases: [(String, () throws -> Any)] = [
            ("not an object", { try WalletWire.walletInfo(from: .string("x")) }),
            ("missing field", { try WalletWire.bestBlock(from: ["hash": "h"]) }),
            ("wrong type", { try WalletWire.bestBlock(from: ["hash": "h", "height": "7"]) }),
            ("out of range", { try WalletWire.walletInfo(from: try JSONValue.parse(#"{"daemonconnected":true,"unlocked":true,"txfee":0,"ticketfee":0,"ticketpurchasing":false,"votebits":70000,"votebitsextended":"","voteversion":5,"voting":false}"#)) }),
            ("ticket not string", { try WalletWire.ticketHashes(from: ["hashes": [1]]) }),
        ]
        for (name, body) in cases {
            XCTAssertThrowsError(try body(), name) { error in
                XCTAssertEqual((error as? WalletError)?.code, .walletBadResponse, name)
            }
        }
    }

    func testWalletWire_parsesNotificationsLikeTheGoClient() throws {
        let winners = try XCTUnwrap(WalletWire.notification(method: "winningtickets", params: [
            "00ab", 178221, ["1": "t1", "0": "t0", "2": "t2"]]))
        XCTAssertEqual(winners, .winningTickets(WinningTickets(blockHash: "00ab", blockHeight: 178221, tickets: ["t0", "t1", "t2"])))
        let spent = try XCTUnwrap(WalletWire.notification(method: "spentandmissedtickets", params: [
            "00ab", 178221, 8935467890, ["a": "spent", "b": "missed", "c": "weird"]]))
        guard case .spentAndMissedTickets(let value) = spent else { return XCTFail("wrong kind") }
        XCTAssertEqual(value.tickets.map(\.spent), [true, false, false], "anything but spent is missed")
        XCTAssertEqual(value.stakeDifficulty, 8935467890)
        XCTAssertEqual(WalletWire.notification(method: "newtickets", params: ["h", 5, 7, ["x"]]),
                       .newTickets(NewTickets(blockHash: "h", blockHeight: 5, stakeDifficulty: 7, tickets: ["x"])))
        XCTAssertEqual(WalletWire.notification(method: "blockconnected", params: ["00", nil]),
                       .blockConnected(BlockConnected(headerHex: "00")))
        // Strictness: wrong counts, non-integer keys, wrong types are dropped.
        XCTAssertNil(WalletWire.notification(method: "winningtickets", params: ["h", 5]))
        XCTAssertNil(WalletWire.notification(method: "winningtickets", params: ["h", 5, ["x": "t"]]))
        XCTAssertNil(WalletWire.notification(method: "newtickets", params: ["h", "5", 7, []]))
        XCTAssertNil(WalletWire.notification(method: "blockconnected", params: ["00", 5]))
        XCTAssertNil(WalletWire.notification(method: "somethingelse", params: []))
    }

    /// Notifications exactly as dcrd v1.1.0 writes them (rpcwebsocket.go: `newtickets` built by appending to a
    /// nil slice, so `null` when no ticket matured; `winningtickets` / `spentandmissedtickets` maps made with
    /// `make`, so `{}`; `reorganization` is [old hash, old height, new hash, new height]). Hand-written text, not
    /// our encoder's output.
    func testWalletWire_dcrdNullAndEmptyListsAndReorganization() throws {
        let old = String(repeating: "1a", count: 32)
        let new = String(repeating: "2b", count: 32)
        func parse(_ text: String) throws -> ChainNotification? {
            let envelope = try JSONValue.parse(text)
            let method = try XCTUnwrap(envelope["method"]?.stringValue)
            return WalletWire.notification(method: method, params: try XCTUnwrap(envelope["params"]?.arrayValue))
        }
        XCTAssertEqual(try parse(#"{"jsonrpc":"1.0","method":"newtickets","params":["\#(new)",54,20000000,null],"id":null}"#),
                       .newTickets(NewTickets(blockHash: new, blockHeight: 54, stakeDifficulty: 20_000_000, tickets: [])))
        XCTAssertEqual(try parse(#"{"jsonrpc":"1.0","method":"reorganization","params":["\#(old)",150,"\#(new)",151],"id":null}"#),
                       .reorganization(Reorganization(oldHash: old, oldHeight: 150, newHash: new, newHeight: 151)))
        XCTAssertEqual(try parse(#"{"jsonrpc":"1.0","method":"winningtickets","params":["\#(new)",60,{}],"id":null}"#),
                       .winningTickets(WinningTickets(blockHash: new, blockHeight: 60, tickets: [])))
        guard case .spentAndMissedTickets(let none)? = try parse(
            #"{"jsonrpc":"1.0","method":"spentandmissedtickets","params":["\#(new)",61,20000000,{}],"id":null}"#) else {
            return XCTFail("empty spentandmissedtickets dropped")
        }
        XCTAssertTrue(none.tickets.isEmpty)
        // Go's decoder reads null into a map as an empty map: so do we.
        XCTAssertEqual(try parse(#"{"jsonrpc":"1.0","method":"winningtickets","params":["\#(new)",60,null],"id":null}"#),
                       .winningTickets(WinningTickets(blockHash: new, blockHeight: 60, tickets: [])))
        // Still strict about shapes dcrd never sends.
        XCTAssertNil(try parse(#"{"jsonrpc":"1.0","method":"reorganization","params":["\#(old)",150,"\#(new)"],"id":null}"#))
        XCTAssertNil(try parse(#"{"jsonrpc":"1.0","method":"reorganization","params":["\#(old)","150","\#(new)",151],"id":null}"#))
        XCTAssertNil(try parse(#"{"jsonrpc":"1.0","method":"newtickets","params":["\#(new)",54,20000000,"none"],"id":null}"#))
        XCTAssertNil(try parse(#"{"jsonrpc":"1.0","method":"newtickets","params":["\#(new)",54,20000000,[null]],"id":null}"#))
    }

    /// What our servers (simwallet) send: the same text dcrd v1.1.0 sends for an empty `newtickets`.
    func testWalletWire_encodesEmptyNewTicketsAsNullLikeDcrd() throws {
        let (method, params) = WalletWire.params(of: .newTickets(NewTickets(blockHash: "h", blockHeight: 54,
                                                                            stakeDifficulty: 7, tickets: [])))
        XCTAssertEqual(method, "newtickets")
        XCTAssertEqual(String(decoding: JSONValue.array(params).encoded(), as: UTF8.self), #"["h",54,7,null]"#)
        let (_, winners) = WalletWire.params(of: .winningTickets(WinningTickets(blockHash: "h", blockHeight: 54, tickets: [])))
        XCTAssertEqual(String(decoding: JSONValue.array(winners).encoded(), as: UTF8.self), #"["h",54,{}]"#)
        let (reorgMethod, reorg) = WalletWire.params(of: .reorganization(Reorganization(oldHash: "a", oldHeight: 9,
                                                                                       newHash: "b", newHeight: 10)))
        XCTAssertEqual(reorgMethod, "reorganization")
        XCTAssertEqual(String(decoding: JSONValue.array(reorg).encoded(), as: UTF8.self), #"["a",9,"b",10]"#)
        XCTAssertEqual(WalletWire.notificationsByRegistration["notifyblocks"]?.contains("reorganization"), true,
                       "dcrd sends reorganization to notifyblocks subscribers")
    }

    func testWalletWire_notificationParamsRoundTrip() {
        let notes: [ChainNotification] = [
            .winningTickets(WinningTickets(blockHash: "b", blockHeight: 3, tickets: ["a", "b", "c", "d", "e"])),
            .spentAndMissedTickets(SpentAndMissedTickets(blockHash: "b", blockHeight: 3, stakeDifficulty: 9, tickets: [("a", true), ("b", false)])),
            .newTickets(NewTickets(blockHash: "b", blockHeight: 3, stakeDifficulty: 9, tickets: ["z"])),
            .blockConnected(BlockConnected(headerHex: "ff", transactions: ["01"])),
        ]
        for note in notes {
            let (method, params) = WalletWire.params(of: note)
            XCTAssertEqual(method, note.method)
            XCTAssertEqual(WalletWire.notification(method: method, params: params), note)
        }
        let (_, params) = WalletWire.params(of: notes[0])
        XCTAssertEqual(JSONValue.array(params).description, #"["b",3,{"0":"a","1":"b","2":"c","3":"d","4":"e"}]"#)
    }
}
