import Foundation
import HostTestSupport
import PoolKernel
import StorageSQLite
import XCTest

/// `poolctl vsp ticket <hash>` (issue 24 item 4) as an operator runs it: the real executable with `-C` against the
/// SQLite database the web app writes, showing what storage holds for a vspd ticket and never its voting key.
final class VspTicketCommandProcessTests: XCTestCase {
    private var processes: HostProcesses?

    override func tearDown() async throws {
        processes?.stopAll()
        processes = nil
    }

    func testVspTicket_showsTheStoredTicketAndNeverItsVotingKey() async throws {
        let hosts = try HostProcesses(prefix: "poolctl-vsp")
        processes = hosts
        let dir = hosts.path("vsp")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let database = dir + "/pool.sqlite"
        let config = try WebAppTestConfig.write(into: dir, serving: false, extra: "sqlitepath=\(database)\n")

        let hash = String(repeating: "4a", count: 32)
        let wif = "PsUR8xm2ZxBrh9UNmQjNFDRQFmvHbYuRc8hfS5Gd4CzoDSQ5CazDw"
        let ticket = VspTicket(hash: hash, purchaseHeight: 130, commitmentAddress: "SsWKp7wtdTZYabYFYSc9cnxhwFEjA5g4pFc",
                               feeAddressXPubID: 2, feeAddressIndex: 17, feeAddress: "SsoMvv6hZSYtCegXZ36jZ6kfyT1wQmkDCvC",
                               feeAmount: 1_080_089, feeExpiration: 1_700_003_600, confirmed: true, votingWIF: wif,
                               voteChoices: ["maxtreasuryspend": "yes"], feeTxHash: String(repeating: "e1", count: 32),
                               feeTxStatus: .broadcast)
        let storage = SQLiteStorage(configuration: .init(path: database), logger: .disabled)
        try await storage.migrate()
        try await storage.write { writer in
            try writer.insertVspTicket(ticket)
            try writer.insertVspAltSignAddress(VspAltSignAddress(ticketHash: hash, address: "SsXciQNTo3HuV5tX3yy4hXndRWgLMRVC7Ah",
                                                                 request: Data("{}".utf8), requestSignature: "sig",
                                                                 response: Data("{}".utf8), responseSignature: "rsig"))
            _ = try writer.appendVspVoteChange(VspVoteChange(ticketHash: hash, timestamp: 1_700_000_000, request: Data("{}".utf8),
                                                             requestSignature: "s", response: Data("{}".utf8),
                                                             responseSignature: "r"), requireNewerTimestamp: false)
        }
        await storage.shutdown()

        var run = try await hosts.poolctl(["-C", config, "vsp", "ticket", hash])
        XCTAssertEqual(run.status, 0, run.err)
        let lines = run.out.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "ticket: \(hash)")
        for expected in ["confirmed: true", "purchaseheight: 130", "feeamount: 1080089 atoms", "feetxstatus: broadcast",
                         "feeaddress: \(ticket.feeAddress) (xpub 2, index 17)", "votingkey: held",
                         "votechoices: maxtreasuryspend=yes", "altsignaddress: SsXciQNTo3HuV5tX3yy4hXndRWgLMRVC7Ah",
                         "outcome: -", "feeexpiration: 2023-11-14T23:13:20Z"] {
            XCTAssertTrue(lines.contains(expected), "missing \"\(expected)\" in:\n\(run.out)")
        }
        XCTAssertTrue(lines.contains { $0.hasPrefix("votechange 0: timestamp 1700000000") }, run.out)
        XCTAssertFalse(run.out.contains(wif), "the voting key is a secret")

        let unknown = String(repeating: "0b", count: 32)
        run = try await hosts.poolctl(["-C", config, "vsp", "ticket", unknown])
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(run.err, "poolctl: no ticket \(unknown) was registered through the vspd API\n")

        run = try await hosts.poolctl(["-C", config, "vsp", "ticket", "xyz"])
        XCTAssertEqual(run.status, 2)
        XCTAssertEqual(run.err, "poolctl: usage: poolctl vsp ticket <64-hex ticket hash>\n")
    }
}
