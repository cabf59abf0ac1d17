import Foundation
import HostKit
import HostTestSupport
import PoolKernel
import PoolTestKit
import PoolctlHost
import StorageSQLite
import XCTest

/// `poolctl tickets vsp <hash>` through `PoolctlMain` against the SQLite database the config names: a vspd
/// ticket's record as the API v3 front left it, never its voting key.
final class VspTicketCommandTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws { directory = try TestEnvironment.makeTemporaryDirectory(prefix: "poolctl-vsp") }
    override func tearDown() async throws { try? FileManager.default.removeItem(at: directory) }

    private func poolctl(_ config: String, _ arguments: String...) async -> (Int32, String) {
        let lines = LockedValue<[String]>([])
        let output = HostOutput(out: { line in lines.withLock { $0.append(line) } }, err: { line in lines.withLock { $0.append(line) } })
        let code = await PoolctlMain.run(arguments: ["-C", config, "tickets", "vsp"] + arguments, output: output, home: directory.path)
        return (code, lines.value.joined(separator: "\n"))
    }

    func testTicketsVsp_printsTheStoredTicketWithoutItsVotingKey() async throws {
        let database = directory.path + "/pool.sqlite"
        let config = try WebAppTestConfig.write(into: directory.path, serving: false, extra: "sqlitepath=\(database)\n")
        let storage = SQLiteStorage(configuration: .init(path: database), logger: .disabled)
        try await storage.migrate()
        let hash = String(repeating: "4f", count: 32)
        let ticket = VspTicket(hash: hash, purchaseHeight: 812, commitmentAddress: "SsCommitment", feeAddressXPubID: 2,
                               feeAddressIndex: 7, feeAddress: "SsFeeAddress", feeAmount: 123_456, feeExpiration: 1_700_003_600,
                               confirmed: true, votingWIF: "PsSecretVotingKey", voteChoices: ["maxtreasuryspend": "yes"],
                               feeTxHash: String(repeating: "e1", count: 32), feeTxStatus: .broadcast)
        try await storage.write { try $0.insertVspTicket(ticket) }
        let change = VspVoteChange(ticketHash: hash, timestamp: 1_700_000_009, request: Data("{}".utf8), requestSignature: "s",
                                   response: Data("{}".utf8), responseSignature: "r")
        _ = try await storage.write { try $0.appendVspVoteChange(change, requireNewerTimestamp: true) }
        await storage.shutdown()

        let (code, text) = await poolctl(config, hash)
        XCTAssertEqual(code, ExitCode.ok, text)
        for expected in ["ticket            \(hash)", "fee status        broadcast",
                         "fee transaction   \(String(repeating: "e1", count: 32))",
                         "fee               123456 atoms to SsFeeAddress (xpub 2, index 7); quote valid until 1700003600",
                         "confirmed         yes, purchase height 812", "commitment        SsCommitment",
                         "alternate address -", "voting key        held", "vote choices      maxtreasuryspend=yes",
                         "vote changes      1, the latest with timestamp 1700000009"] {
            XCTAssertTrue(text.contains(expected), "missing \(expected) in\n\(text)")
        }
        XCTAssertFalse(text.contains("PsSecretVotingKey"), "the voting key is never printed")

        let (unknown, message) = await poolctl(config, String(repeating: "00", count: 32))
        XCTAssertEqual(unknown, ExitCode.failure)
        XCTAssertEqual(message, "poolctl: no vspd ticket \(String(repeating: "00", count: 32)) in the database")
        let (bad, sentence) = await poolctl(config, "XYZ")
        XCTAssertEqual(bad, ExitCode.usage)
        XCTAssertEqual(sentence, "poolctl: XYZ is not a ticket hash (64 lowercase hexadecimal digits)")
    }
}
