import Foundation
import PoolKernel
import PoolTestKit
import XCTest

/// `ScriptSet.registered(in:)`: the wallets' agreement check reads the database's scripts a page at a time as bytes;
/// it must hold exactly the scripts `registeredScripts()` lists (active users only, each once, hex case ignored).
final class RegisteredScriptSetTests: XCTestCase {
    func testRegistered_pagedRead_holdsExactlyTheActiveUsersScripts() async throws {
        let storage = InMemoryStorage()
        @Sendable func script(_ n: Int) -> String { String(format: "5121%066x2102%064x52ae", n, n) }
        try await storage.write { tx in
            for index in 0..<23 {
                // Every fourth user is pending (a script, no address yet); every fifth shares user 0's script in
                // upper case; user 7 has no script; user 11's script is not hex.
                let pending = index % 4 == 3
                var hex = index % 5 == 4 ? script(1).uppercased() : script(index + 1)
                if index == 7 { hex = "" }
                if index == 11 { hex = "zz" }
                let user = User(email: "u\(index)@x.org", passwordHash: "x", multiSigAddress: pending ? "" : "Sc\(index)",
                                multiSigScript: hex, userPubKeyAddr: "Sk\(index)", heightRegistered: Int64(index))
                _ = try tx.insertUser(user)
            }
        }
        let expected = Set(try await storage.read { try $0.registeredScripts() }
            .map { $0.multiSigScript.lowercased() }
            .filter { !$0.isEmpty && (try? Hex.decode($0)) != nil })
        for pageSize in [1, 2, 5, 2_000] {
            let set = try await ScriptSet.registered(in: storage, pageSize: pageSize)
            XCTAssertEqual(Set((0..<set.count).map { set.hex($0) }), expected, "page size \(pageSize)")
            XCTAssertEqual(set.count, expected.count, "each script once")
        }
        XCTAssertFalse(expected.contains(script(4)), "a pending user's script is not registered")
    }
}
