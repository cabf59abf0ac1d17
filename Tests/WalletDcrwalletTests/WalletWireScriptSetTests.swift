import PoolKernel
import PoolNet
@testable import WalletDcrwallet
import XCTest

/// `listscripts` decoded straight into a `ScriptSet` (no String per script) holds exactly the scripts the
/// `[ImportedScript]` decoding gives, and refuses what it refuses.
final class WalletWireScriptSetTests: XCTestCase {
    private func raw(_ text: String) -> RawJSON {
        let bytes = Array(text.utf8)
        return RawJSON(bytes: bytes, range: 0..<bytes.count)
    }

    func testWalletWire_scriptSetHoldsTheScriptsOfTheListOnceEach() throws {
        let reply = #"""
            {"scripts":[
              {"hash160":"h1","address":"TcA","redeemscript":"5121AB"},
              {"hash160":null,"redeemscript":"5121ab","extra":[1,{"x":"\u00e9"}]},
              {"address":"Tc\"B\"","redeemscript":"\u0035\u0031ae"},
              {"redeemscript":"51AE"},
              {"redeemscript":"00"}
            ],"other":"ignored"}
            """#
        let set = try WalletWire.scriptSet(from: raw(reply))
        let listed = try WalletWire.scripts(from: raw(reply)).map(\.redeemScript)
        XCTAssertEqual(listed, ["5121AB", "5121ab", "51ae", "51AE", "00"])
        XCTAssertEqual(Set((0..<set.count).map(set.hex)), Set(listed.map { $0.lowercased() }))
        XCTAssertEqual((0..<set.count).map(set.hex), ["5121ab", "51ae", "00"])
        XCTAssertEqual(try WalletWire.scriptSet(from: raw(#"{"scripts":null}"#)).count, 0)
        XCTAssertEqual(try WalletWire.scriptSet(from: raw(#"{}"#)).count, 0)
    }

    func testWalletWire_scriptSetRefusesWhatTheListRefusesAndTextThatIsNotHex() {
        let cases = [
            (#"[]"#, "listscripts: result is not an object"),
            (#"{"scripts":{}}"#, "listscripts: scripts is not an array"),
            (#"{"scripts":[5]}"#, "listscripts entry: result is not an object"),
            (#"{"scripts":[{"hash160":"h"}]}"#, "listscripts entry: missing field redeemscript"),
            (#"{"scripts":[{"redeemscript":null}]}"#, "listscripts entry: redeemscript is not a string"),
            (#"{"scripts":[{"hash160":7,"redeemscript":"51"}]}"#, "listscripts entry: hash160 is not a string"),
            (#"{"scripts":[{"redeemscript":"51xx"}]}"#, "listscripts entry: redeemscript is not hex"),
            (#"{"scripts":[{"redeemscript":"515"}]}"#, "listscripts entry: redeemscript is not hex"),
            (#"{"scripts":[{"redeemscript":"51","redeemscript":"52"}]}"#, "listscripts entry: redeemscript appears twice"),
            (#"{"scripts":[{"redeemscript":"51"}"#, "listscripts: malformed JSON"),
        ]
        for (text, message) in cases {
            XCTAssertThrowsError(try WalletWire.scriptSet(from: raw(text)), text) { error in
                XCTAssertEqual((error as? WalletError)?.code, .walletBadResponse, text)
                XCTAssertTrue((error as? WalletError)?.message.hasPrefix(message) == true, "\(text): \(error)")
            }
        }
        // A skipped string is still checked as UTF-8, as the tree decoding checks it.
        var bytes = Array(#"{"scripts":[{"address":"Tc"#.utf8) + [0xff] + Array(#"","redeemscript":"51"}]}"#.utf8)
        XCTAssertThrowsError(try WalletWire.scriptSet(from: RawJSON(bytes: bytes, range: 0..<bytes.count))) { error in
            XCTAssertTrue((error as? WalletError)?.message.contains("invalid UTF-8") == true, "\(error)")
        }
        bytes = Array(#"{"scripts":[{"redeemscript":"51"#.utf8) + [0xff] + Array(#""}]}"#.utf8)
        XCTAssertThrowsError(try WalletWire.scriptSet(from: RawJSON(bytes: bytes, range: 0..<bytes.count)))
    }
}
