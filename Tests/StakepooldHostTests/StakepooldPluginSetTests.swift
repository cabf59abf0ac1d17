import Foundation
import HostKit
import HostTestSupport
import PoolctlHost
import StakepooldHost
import WebAppHost
import PoolKernel
import PoolNet
import PoolTestKit
import StorageSQLite
import XCTest

/// A vote policy that is not in this package reaches stakepoold's engine (issue 19 item 1): an embedding program
/// adds it to the stock plugin set and runs the stock daemon (`StakepooldMain.run(arguments:plugins:)`) against
/// `simwallet` over JSON-RPC; every winning ticket is voted with the policy's bits, not the owner's preferences.
final class StakepooldPluginSetTests: XCTestCase {
    private var harness: StakepooldProcessHarness?

    override func tearDown() async throws {
        harness?.stop()
        harness = nil
    }

    /// Votes yes on the first agenda of the vote version (whatever the owner chose).
    struct FirstAgendaYes: VotePolicy {
        var name: String { "firstagendayes" }
        func decide(for ticket: WinningTicket, rules: VoteRules) -> VoteDecision {
            guard let agenda = rules.agendas.first, let yes = agenda.choices.first(where: { !$0.isAbstain && !$0.isNo }) else {
                return VoteDecision(bits: rules.defaultBits, reason: "no agenda")
            }
            return VoteDecision(bits: VoteRules.blockValidBit | yes.bits, reason: "fork says yes to \(agenda.id)")
        }
    }

    func testStakepooldMain_votesWithAPolicyTheEmbeddingProgramRegistered() async throws {
        let harness = try StakepooldProcessHarness(prefix: "stakepoold-plugin-set")
        self.harness = harness
        let (nodeAddress, walletAddresses, certificate) = try await harness.startSimwallet(wallets: 1, seed: 29)
        let node = try await harness.connect(nodeAddress, certificate: certificate, name: "control")
        let wallet = try await harness.connect(walletAddresses[0], certificate: certificate, name: "wallet")
        let info = try await node.call("siminfo")
        let coldKey = try XCTUnwrap(info["coldwalletextpub"]?.stringValue)
        let walletInfo = try await wallet.call("walletinfo")
        let voteVersion = try XCTUnwrap(walletInfo["voteversion"]?.intValue.flatMap(UInt32.init(exactly:)))
        let defaultBits = try XCTUnwrap(walletInfo["votebits"]?.intValue.flatMap(UInt16.init(exactly:)))
        // The expected bits come from the network's agenda data, not from the policy under test.
        let agenda = try XCTUnwrap(NetParams.simnet.agendas(forVoteVersion: voteVersion).first, "simnet has agendas")
        let yes = try XCTUnwrap(agenda.choices.first { !$0.isAbstain && !$0.isNo })
        let expected = VoteRules.blockValidBit | yes.bits
        let ownerBits = VoteRules.blockValidBit
        XCTAssertNotEqual(expected, defaultBits)
        XCTAssertNotEqual(expected, ownerBits)

        // One user owning every ticket, preferring to abstain.
        let databasePath = harness.path("stakepool.sqlite")
        let storage = SQLiteStorage(configuration: .init(path: databasePath), logger: .disabled)
        try await storage.migrate()
        _ = try await node.call("simmine", [.int(16)])
        let registered = try await node.call("simregisteruser", [.int(1)])
        let ticketAddress = try XCTUnwrap(registered["multisigaddress"]?.stringValue)
        let feeAddress = try XCTUnwrap(registered["feeaddress"]?.stringValue)
        _ = try await storage.insertUser(User(email: "fork@example.com", passwordHash: "x", multiSigAddress: ticketAddress,
                                              voteBits: ownerBits, voteBitsVersion: voteVersion))
        await storage.shutdown()
        _ = try await node.call("simbuytickets", [.string(ticketAddress), .string(feeAddress), .int(60)])
        let firstLottery = Int64(NetParams.simnet.tickets.stakeValidationHeight - 1)
        let height = try await node.call("siminfo")["height"]?.intValue ?? 0
        _ = try await node.call("simmine", [.int(firstLottery - 1 - height)])

        var plugins = PoolPlugins.builtIn()
        plugins.votePolicies.register("firstagendayes") { _ in FirstAgendaYes() }
        let home = harness.path("home")
        let arguments = ["--simnet", "--appdata", home, "--coldwalletextpub=\(coldKey)",
                         "--dcrdhost=\(nodeAddress)", "--dcrduser=\(StakepooldProcessHarness.rpcUser)",
                         "--dcrdpassword=\(StakepooldProcessHarness.rpcPassword)", "--dcrdcert=\(certificate)",
                         "--wallethost=\(walletAddresses[0])", "--walletuser=\(StakepooldProcessHarness.rpcUser)",
                         "--walletpassword=\(StakepooldProcessHarness.rpcPassword)", "--walletcert=\(certificate)",
                         "--norpclisten", "--sqlitepath=\(databasePath)", "--votepolicy=firstagendayes"]
        let daemon = Task { await StakepooldMain.run(arguments: arguments, plugins: plugins, output: HostOutput(out: { _ in }, err: { _ in }),
                                                     home: home) }
        let log = home + "/logs/simnet/stakepoold.log"
        try await waitFor(log, containing: "subscribed to notifications from dcrd", daemon: daemon)

        _ = try await node.call("simmine", [.int(1)])
        let winners = try await node.call("siminfo")["winners"]?.arrayValue?.compactMap(\.stringValue) ?? []
        XCTAssertFalse(winners.isEmpty)
        for winner in winners {
            let line = try await waitFor(log, containing: "voted ticket \(winner)", daemon: daemon)
            XCTAssertTrue(line.contains("bits: \(expected))") && line.contains("policy firstagendayes: "), line)
        }

        // Its SIGTERM router is installed (it is voting): a clean stop returns 0.
        let deadline = Date().addingTimeInterval(30)
        while !harness.contents(log).contains("stakepoold stopped") && Date() < deadline {
            kill(getpid(), SIGTERM)
            try await Task.sleep(for: .milliseconds(100))
        }
        let code = await daemon.value
        XCTAssertEqual(code, 0, harness.contents(log))
    }

    /// Waits (bounded) for a line of the daemon's log containing `text`; fails early if the daemon returned.
    @discardableResult
    private func waitFor(_ log: String, containing text: String, daemon: Task<Int32, Never>, seconds: TimeInterval = 40) async throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let contents = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if let line = contents.split(separator: "\n").first(where: { $0.contains(text) }) { return String(line) }
            try await Task.sleep(for: .milliseconds(50))
        }
        XCTFail("no \"\(text)\" in \(log): \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "<no log>")")
        throw CancellationError()
    }
}
