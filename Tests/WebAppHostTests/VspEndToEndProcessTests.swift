import Foundation
import HostTestSupport
import PoolKernel
import PoolNet
import XCTest

/// Issue 24 item 6, end to end through real processes: simwallet (today's dcrd and dcrwallet beside the v1.1-era
/// endpoints), the `hxstakepool` executable serving both APIs from one config (`apifronts=both`, `vspnode=dcrd`,
/// `vspwallet=dcrwallet`), and a vspd client written from the spec (`VspSpecClient`) holding its own keys. The
/// ticket is bought as today's dcrwallet buys one, relayed through the VSP, its fee quoted, paid and broadcast, the
/// voting key handed to every voting wallet by the block handler, and the ticket voted with the choices the client
/// set; `ticketstatus` shows each step. The refusals use vspd's codes.
final class VspEndToEndProcessTests: XCTestCase {
    private let simnet = try! NetParams.named("simnet")

    func testSpecClient_ticketIsQuotedPaidVotedWithItsChoicesAndRefusalsUseVspdsCodes() async throws {
        let stack = try await DevStack(prefix: "vsp-e2e")
        defer { stack.stop() }
        // DevStack gives the web app what scripts/dev-run.sh gives it: both APIs, the vspd front over simwallet's
        // endpoints as today's dcrd and dcrwallet, fee addresses from cold/1 (so the test derives them itself).
        XCTAssertTrue(stack.webLines.contains("apifronts=both"))
        let feeXPub = stack.vspFeeXPub
        XCTAssertEqual(stack.servedVsp.wallets.count, 3)
        try (stack.webLines + ["vspfee=2.5"]).joined(separator: "\n").write(toFile: stack.webConfig, atomically: true, encoding: .utf8)
        let port = try await stack.startWebApp()
        let client = VspSpecClient(baseURL: "http://127.0.0.1:\(port)")

        // vspinfo: 500 "Cache is not initialized" while the chain has no live ticket pool (as vspd: pool size 0),
        // then signed by the key it publishes; the legacy API is served beside it. The pool's legacy side has
        // tickets of its own: a multisig user's, voted by the stakepoolds, which make the live pool.
        let legacyUser = try await stack.node.call("simregisteruser", [.int(1)])
        _ = try await stack.node.call("simbuytickets", [
            .string(try XCTUnwrap(legacyUser["multisigaddress"]?.stringValue)),
            .string(try XCTUnwrap(legacyUser["feeaddress"]?.stringValue)), .int(20)])
        let refusedAtFirst = try? await client.vspInfo()
        XCTAssertNil(refusedAtFirst, "no live ticket pool yet: 500 Cache is not initialized, unsigned")
        var info: VspSpecClient.Reply?
        for _ in 0..<40 {
            info = try? await client.vspInfo()
            if info?.status == 200 { break }
            _ = try await stack.node.call("simmine", [.int(4)])
        }
        let infoReply = try XCTUnwrap(info, "vspinfo never answered; the web app's log ends:\n"
                                      + stack.harness.contents(stack.harness.path("web.log")).suffix(3000))
        XCTAssertEqual(infoReply.status, 200)
        XCTAssertEqual(infoReply.object["apiversions"], .array([.int(3)]))
        XCTAssertEqual(infoReply.object["network"]?.stringValue, "simnet")
        XCTAssertEqual(infoReply.object["feepercentage"]?.doubleValue, 2.5)
        XCTAssertEqual(infoReply.object["vspclosed"]?.boolValue, false)
        XCTAssertEqual(infoReply.object["totalvotingwallets"]?.intValue, 3)
        XCTAssertEqual(infoReply.object["votingwalletsonline"]?.intValue, 3)
        let legacy = try await HostProcesses.request(Int(port), "/api/v2/stats")
        XCTAssertEqual(legacy.0, 200, "the legacy API is served beside /api/v3")

        // Past the stake validation height: before it a vote earns no subsidy, so vspd's fee would be 0.
        let chain = try await stack.node.call("siminfo")
        let height = try XCTUnwrap(chain["height"]?.intValue)
        let validation = Int64(simnet.tickets.stakeValidationHeight)
        if height <= validation { _ = try await stack.node.call("simmine", [.int(validation + 1 - height)]) }

        // The wallet's side: its own voting and commitment keys; a solo ticket as today's dcrwallet buys one,
        // not yet broadcast (the client relays it through the VSP).
        let votingKey = Self.randomKey(), commitmentKey = Self.randomKey()
        let votingWIF = try WIF(privateKey: votingKey, network: simnet)
        let votingAddress = try Address.pubKeyHash(publicKey: votingWIF.publicKey(), network: simnet).encoded
        let commitmentAddress = try Address.pubKeyHash(
            publicKey: try WIF(privateKey: commitmentKey, network: simnet).publicKey(), network: simnet).encoded
        let bought = try await stack.node.call("simbuysoloticket", [.string(votingAddress), .string(commitmentAddress)])
        let ticketHash = try XCTUnwrap(bought["tickethash"]?.stringValue)
        let ticketHex = try XCTUnwrap(bought["tickethex"]?.stringValue)
        let parentHex = try XCTUnwrap(bought["parenthex"]?.stringValue)

        // Bad signature (the voting key is not the commitment's): E(10), nothing registered.
        let forged = try await client.feeAddress(ticketHash: ticketHash, ticketHex: ticketHex, parentHex: parentHex,
                                                 signingKey: votingKey)
        XCTAssertEqual(forged.status, 400)
        XCTAssertEqual(forged.error?.code, 10, "bad signature")

        // An unmined ticket gets a fee address: the first index of the fee xpub's external branch.
        let quote = try await client.feeAddress(ticketHash: ticketHash, ticketHex: ticketHex, parentHex: parentHex,
                                                signingKey: commitmentKey)
        XCTAssertEqual(quote.status, 200, "\(String(describing: quote.error))")
        let feeAddress = try XCTUnwrap(quote.object["feeaddress"]?.stringValue)
        XCTAssertEqual(feeAddress, try feeXPub.child(0).child(1).p2pkhAddress(network: simnet).encoded)
        let feeAmount = try XCTUnwrap(quote.object["feeamount"]?.intValue)
        XCTAssertGreaterThan(feeAmount, 0)
        var status = try await client.ticketStatus(ticketHash: ticketHash, signingKey: commitmentKey)
        XCTAssertEqual(status.object["feetxstatus"]?.stringValue, "none")
        XCTAssertEqual(status.object["ticketconfirmed"]?.boolValue, false)

        // Fees that do not pay the quote: to another address E(4), one atom short E(5).
        let payment = { (address: String, atoms: Int64) async throws -> String in
            let built = try await stack.node.call("simfeetx", [.string(address), .int(atoms)])
            return try XCTUnwrap(built["hex"]?.stringValue)
        }
        let misaddressed = try await client.payFee(ticketHash: ticketHash, feeTx: try await payment(commitmentAddress, feeAmount),
                                                   votingWIF: votingWIF.encoded, voteChoices: [:], signingKey: commitmentKey)
        XCTAssertEqual(misaddressed.error?.code, 4, "mis-addressed fee")
        let underpaid = try await client.payFee(ticketHash: ticketHash, feeTx: try await payment(feeAddress, feeAmount - 1),
                                                votingWIF: votingWIF.encoded, voteChoices: [:], signingKey: commitmentKey)
        XCTAssertEqual(underpaid.error?.code, 5, "underpaid fee")

        // The fee, the voting key and a first choice ("no" on maxtreasuryspend; changed to "yes" below).
        let paidAt = Int64(Date().timeIntervalSince1970)
        let paid = try await client.payFee(ticketHash: ticketHash, feeTx: try await payment(feeAddress, feeAmount),
                                           votingWIF: votingWIF.encoded, voteChoices: ["maxtreasuryspend": "no"],
                                           signingKey: commitmentKey, timestamp: paidAt)
        XCTAssertEqual(paid.status, 200, "\(String(describing: paid.error))")
        status = try await client.ticketStatus(ticketHash: ticketHash, signingKey: commitmentKey)
        XCTAssertEqual(status.object["feetxstatus"]?.stringValue, "received")

        // A vote change replayed with a timestamp that is not newer: E(17); a newer one is merged.
        let replay = try await client.setVoteChoices(ticketHash: ticketHash, voteChoices: ["maxtreasuryspend": "yes"],
                                                     signingKey: commitmentKey, timestamp: paidAt)
        XCTAssertEqual(replay.error?.code, 17, "replayed timestamp")
        let changed = try await client.setVoteChoices(ticketHash: ticketHash, voteChoices: ["maxtreasuryspend": "yes"],
                                                      signingKey: commitmentKey, timestamp: paidAt + 1)
        XCTAssertEqual(changed.status, 200, "\(String(describing: changed.error))")

        // Blocks: the ticket (relayed by feeaddress) is mined; at 6 confirmations it is confirmed and the fee sent; at
        // the fee's 6 confirmations the key and the choice go to every wallet.
        try await mine(stack, until: "broadcast", client: client, ticketHash: ticketHash, key: commitmentKey)
        status = try await client.ticketStatus(ticketHash: ticketHash, signingKey: commitmentKey)
        XCTAssertEqual(status.object["ticketconfirmed"]?.boolValue, true)
        let feeTxHash = try XCTUnwrap(status.object["feetxhash"]?.stringValue)
        XCTAssertEqual(feeTxHash.count, 64)
        try await mine(stack, until: "confirmed", client: client, ticketHash: ticketHash, key: commitmentKey)
        status = try await client.ticketStatus(ticketHash: ticketHash, signingKey: commitmentKey)
        XCTAssertEqual(status.object["votechoices"], .object(["maxtreasuryspend": .string("yes")]))

        // Until the ticket is called and voted: with the bits of "yes" (the network's own deployment table).
        let yes = try XCTUnwrap(simnet.agendas(forVoteVersion: 12).first { $0.id == "maxtreasuryspend" }?
            .choices.first { $0.id == "yes" }?.bits)
        var vote: JSONValue = .null
        for _ in 0..<60 where vote["status"]?.stringValue != "voted" {
            _ = try await stack.node.call("simmine", [.int(5)])
            vote = try await stack.node.call("simvote", [.string(ticketHash)])
            XCTAssertNotEqual(vote["status"]?.stringValue, "missed", "the pool missed the vote")
        }
        XCTAssertEqual(vote["status"]?.stringValue, "voted")
        XCTAssertEqual(vote["votebits"]?.intValue, Int64(1 | yes), "voted with the client's choice")

        // The block handler records the outcome (seen by the operator with poolctl, from the database); voted tickets
        // take no more choices (E(7)).
        try await HostProcesses.waitFor("the outcome is recorded", seconds: 60) {
            let shown = try stack.poolctl.run(["-C", stack.webConfig, "tickets", "vsp", ticketHash])
            return shown.out.split(separator: "\n").contains { $0.hasPrefix("outcome") && $0.hasSuffix(" voted") }
        }
        let late = try await client.setVoteChoices(ticketHash: ticketHash, voteChoices: ["maxtreasuryspend": "no"],
                                                   signingKey: commitmentKey, timestamp: paidAt + 2)
        XCTAssertEqual(late.error?.code, 7)

        // A ticket the node knows but the VSP never registered: E(6).
        let stranger = try await stack.node.call("simbuysoloticket", [.string(votingAddress), .string(commitmentAddress), .bool(true)])
        _ = try await stack.node.call("simmine", [.int(1)])
        let unknown = try await client.ticketStatus(ticketHash: try XCTUnwrap(stranger["tickethash"]?.stringValue),
                                                    signingKey: commitmentKey)
        XCTAssertEqual(unknown.error?.code, 6, "unknown ticket")

        // A second host on the same database with the VSP closed: no new ticket (E(2)); status still answers. The
        // live pool drained as its tickets voted: fresh legacy tickets refill it (vspinfo needs one, as vspd).
        _ = try await stack.node.call("simbuytickets", [
            .string(try XCTUnwrap(legacyUser["multisigaddress"]?.stringValue)),
            .string(try XCTUnwrap(legacyUser["feeaddress"]?.stringValue)), .int(10)])
        _ = try await stack.node.call("simmine", [.int(Int64(simnet.tickets.maturity) + 1)])
        let closedConfig = stack.harness.path("web-closed.conf"), closedLog = stack.harness.path("web-closed.log")
        try (stack.webLines + ["vspclosed=1", "vspclosedmsg=closed for maintenance"]).joined(separator: "\n")
            .write(toFile: closedConfig, atomically: true, encoding: .utf8)
        let closedWeb = try stack.harness.launch(try BuiltExecutable.path("hxstakepool"), ["-C", closedConfig], log: closedLog)
        let listening = try await stack.harness.waitForLine(closedWeb, closedLog, containing: "DCRS: listening on ", seconds: 90)
        let closed = VspSpecClient(baseURL: "http://127.0.0.1:\(try ChildProcessHarness.address(after: "DCRS: listening on ", in: listening).port)")
        let closedInfo = try await closed.vspInfo()
        XCTAssertEqual(closedInfo.object["vspclosed"]?.boolValue, true)
        XCTAssertEqual(closedInfo.object["vspclosedmsg"]?.stringValue, "closed for maintenance")
        XCTAssertEqual(closedInfo.object["voted"]?.intValue, 1, "vspinfo counts the voted ticket")
        XCTAssertEqual(closedInfo.object["voting"]?.intValue, 0)
        let another = try await stack.node.call("simbuysoloticket", [.string(votingAddress), .string(commitmentAddress)])
        let refused = try await closed.feeAddress(ticketHash: try XCTUnwrap(another["tickethash"]?.stringValue),
                                                  ticketHex: try XCTUnwrap(another["tickethex"]?.stringValue),
                                                  parentHex: try XCTUnwrap(another["parenthex"]?.stringValue),
                                                  signingKey: commitmentKey)
        XCTAssertEqual(refused.error?.code, 2, "closed VSP")
        let stillServed = try await closed.ticketStatus(ticketHash: ticketHash, signingKey: commitmentKey)
        XCTAssertEqual(stillServed.status, 200, "ticketstatus works while closed")
    }

    /// Mines one block at a time until `ticketstatus` reports `wanted` (the block handler runs on each block).
    private func mine(_ stack: DevStack, until wanted: String, client: VspSpecClient, ticketHash: String,
                      key: [UInt8]) async throws {
        for _ in 0..<20 {
            _ = try await stack.node.call("simmine", [.int(1)])
            for _ in 0..<20 {
                let status = try await client.ticketStatus(ticketHash: ticketHash, signingKey: key)
                if status.object["feetxstatus"]?.stringValue == wanted { return }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        XCTFail("feetxstatus never became \(wanted)")
        throw CancellationError()
    }

    private static func randomKey() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }
}
