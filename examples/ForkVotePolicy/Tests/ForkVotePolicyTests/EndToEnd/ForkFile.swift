import Foundation
import XCTest

/// `examples/fork-chainparams.json` read as plain JSON (not through the engine's loader): where the test's expected
/// values come from — the network's name, its newest vote version with its agendas, and its ticket heights.
struct ForkFile {
    struct Agenda {
        var id: String
        var description: String
        var mask: Int
        /// Choice id → bits.
        var choices: [String: Int]
    }

    static let path = ExampleProcesses.repoRoot + "/examples/fork-chainparams.json"

    var name: String
    var newestVersion: Int
    var agendas: [Agenda]
    var maturity: Int
    var stakeValidationHeight: Int
    var scriptHashID: UInt16

    init() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.path))
        let root = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any], Self.path)
        name = try XCTUnwrap(root["name"] as? String)
        let versions = try XCTUnwrap(root["voteVersions"] as? [String: [[String: Any]]])
        newestVersion = try XCTUnwrap(versions.keys.compactMap(Int.init).max())
        agendas = try XCTUnwrap(versions[String(newestVersion)]).map { agenda in
            Agenda(id: agenda["id"] as? String ?? "", description: agenda["description"] as? String ?? "",
                   mask: agenda["mask"] as? Int ?? 0,
                   choices: (agenda["choices"] as? [[String: Any]] ?? []).reduce(into: [:]) {
                       $0[$1["id"] as? String ?? ""] = $1["bits"] as? Int
                   })
        }
        let tickets = try XCTUnwrap(root["tickets"] as? [String: Any])
        maturity = try XCTUnwrap(tickets["maturity"] as? Int)
        stakeValidationHeight = try XCTUnwrap(tickets["stakeValidationHeight"] as? Int)
        let ids = try XCTUnwrap(root["addressIDs"] as? [String: String])
        scriptHashID = try XCTUnwrap(ids["scriptHash"].flatMap { UInt16($0, radix: 16) })
    }

    func agenda(_ id: String) throws -> Agenda { try XCTUnwrap(agendas.first { $0.id == id }, "no agenda \(id) in \(Self.path)") }
}
