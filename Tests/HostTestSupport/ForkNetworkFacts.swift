import Foundation
import XCTest

/// The fork file as plain JSON: name, newest vote version and its agendas as (id, mask, choice id → bits).
package struct ForkNetworkFacts {
    /// The example fork network every fork test runs on.
    package static let file = WebAppTestConfig.repoRoot + "/examples/fork-chainparams.json"

    package var name: String
    package var newestVersion: Int
    package var agendas: [(id: String, mask: Int, choices: [String: Int])]
    package var stakeValidationHeight: Int
    package var maturity: Int
    package var scriptHashID: UInt16

    package init() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.file))
        let root = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        name = try XCTUnwrap(root["name"] as? String)
        let versions = try XCTUnwrap(root["voteVersions"] as? [String: [[String: Any]]])
        newestVersion = try XCTUnwrap(versions.keys.compactMap(Int.init).max())
        agendas = try XCTUnwrap(versions[String(newestVersion)]).map { agenda in
            let choices = (agenda["choices"] as? [[String: Any]] ?? []).reduce(into: [String: Int]()) {
                $0[$1["id"] as? String ?? ""] = $1["bits"] as? Int
            }
            return (agenda["id"] as? String ?? "", agenda["mask"] as? Int ?? 0, choices)
        }
        let tickets = try XCTUnwrap(root["tickets"] as? [String: Any])
        stakeValidationHeight = try XCTUnwrap(tickets["stakeValidationHeight"] as? Int)
        maturity = try XCTUnwrap(tickets["maturity"] as? Int)
        let ids = try XCTUnwrap(root["addressIDs"] as? [String: String])
        scriptHashID = try XCTUnwrap(ids["scriptHash"].flatMap { UInt16($0, radix: 16) })
    }
}
