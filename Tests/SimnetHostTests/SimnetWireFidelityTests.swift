import Foundation
import PoolKernel
import PoolNet
import PoolTestKit
import SimnetHost
import StakepooldHost
import VotePolicies
import WalletDcrwallet
import WalletSimnet
import XCTest

/// simwallet sends what dcrd v1.1.0 sends where our client once stumbled — a `newtickets` whose list is `null`
/// (no ticket matured) and a `reorganization` — and stakepoold's real clients and voting service handle both.
final class SimnetWireFidelityTests: XCTestCase {
    private func waitUntil(_ what: String, timeout: Duration = .seconds(20), _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            guard ContinuousClock.now < deadline else { return XCTFail("timed out waiting for \(what)") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    func testSimwallet_nullNewTicketsAndReorganizationReachTheVotingService() async throws {
        let simnet = Simnet(configuration: .init(seed: 17, walletCount: 1), logger: .disabled)
        let nodeRequests = LockedValue<[String]>([])
        var configuration = SimnetRPCHost.Configuration(nodePort: 0, walletPorts: [0], user: "u", password: "p",
                                                        certificateDirectory: nil)
        configuration.onNodeRequest = { method, _ in nodeRequests.withLock { $0.append(method) } }
        let host = try SimnetRPCHost(simnet: simnet, configuration: configuration, logger: .disabled)
        let (nodeAddress, walletAddresses) = try host.start()
        defer { host.stop() }
        // Past StakeEnabledHeight and no ticket bought: from now on no block matures a ticket.
        simnet.mine(SimnetParameters.simnet.stakeEnabledHeight + 2)

        // A raw subscriber records the exact params on the wire.
        let raw = try JSONRPCClient(configuration: JSONRPCClientConfiguration(
            address: nodeAddress, user: "u", password: "p", name: "raw"), logger: .disabled)
        try await raw.connect()
        defer { raw.close() }
        let wire = LockedValue<[(method: String, params: [JSONValue])]>([])
        raw.setNotificationHandler { method, params in wire.withLock { $0.append((method, params)) } }
        try await raw.subscribe("notifyblocks")
        try await raw.subscribe("notifynewtickets")

        // stakepoold's engine over the real JSON-RPC clients.
        let sink = CapturingSink()
        let logger = LogBackend(level: .debug, sinks: [sink]).logger("STPK")
        let endpoint = { (address: PoolNet.HostPort, name: String) in
            RPCEndpointConfiguration(host: address.description, defaultPort: address.port, user: "u", password: "p",
                                     certificatePath: nil, disableTLS: true, callTimeout: .seconds(10), name: name)
        }
        let wallet = try DcrwalletBackend(configuration: endpoint(walletAddresses[0], "wallet 0"), logger: logger)
        try await wallet.connect()
        let node = try DcrdBackend(configuration: endpoint(nodeAddress, "dcrd"), logger: logger)
        try await node.connect()
        let simnetParams = try NetParams.named("simnet")
        let engine = try await StakepooldEngine.start(
            wallet: wallet, node: node, storage: InMemoryStorage(), policy: UserPrefsPolicy(),
            agendas: { simnetParams.agendas(forVoteVersion: $0) }, settings: StakepooldEngine.Settings(), logger: logger)
        let voting = Task { try await engine.voting.run() }
        defer {
            voting.cancel()
            Task { await wallet.close(); await node.close() }
        }
        try await waitUntil("the voting service's subscription") { engine.voting.isSubscribed }

        // A block where no ticket matures: dcrd's newtickets carries null.
        let mined = simnet.mine(1)
        try await waitUntil("newtickets on the wire") { wire.value.contains { $0.method == "newtickets" } }
        let newTickets = try XCTUnwrap(wire.value.first { $0.method == "newtickets" })
        XCTAssertEqual(newTickets.params.count, 4)
        XCTAssertEqual(newTickets.params.first?.stringValue, mined.hash)
        XCTAssertEqual(newTickets.params.last, .null, "an empty newtickets list is null, as dcrd's nil slice")

        // A reorganization through the control RPC: dcrd's notification, then the voting service re-reads the tip.
        nodeRequests.withLock { $0.removeAll() }
        let control = try JSONRPCClient(configuration: JSONRPCClientConfiguration(
            address: nodeAddress, user: "u", password: "p", name: "control"), logger: .disabled)
        try await control.connect()
        defer { control.close() }
        let change = try await control.call("simreorganize")
        let oldHash = try XCTUnwrap(change["oldhash"]?.stringValue)
        let newHash = try XCTUnwrap(change["newhash"]?.stringValue)
        XCTAssertEqual(oldHash, mined.hash)
        XCTAssertNotEqual(newHash, oldHash)
        XCTAssertEqual(change["height"]?.intValue, mined.height)
        try await waitUntil("reorganization on the wire") { wire.value.contains { $0.method == "reorganization" } }
        let reorganization = try XCTUnwrap(wire.value.first { $0.method == "reorganization" })
        XCTAssertEqual(reorganization.params, [.string(oldHash), .int(mined.height), .string(newHash), .int(mined.height)])

        let reread = "tip after the reorganization: height \(mined.height) hash \(newHash)"
        try await waitUntil("the voting service to re-read the tip") { sink.text.contains(reread) }
        XCTAssertTrue(nodeRequests.value.contains("getbestblock"), "the tip was read from the node: \(nodeRequests.value)")
        XCTAssertFalse(sink.text.contains("unknown notification"), sink.text)
        XCTAssertFalse(sink.text.contains("dropping"), sink.text)
        let best = try await node.bestBlock()
        XCTAssertEqual(best.hash, newHash)
    }

    func testSimreorganize_replacesOnlyTheTipAndRefusesAtGenesis() async throws {
        let simnet = Simnet(configuration: .init(seed: 3, walletCount: 1), logger: .disabled)
        XCTAssertNil(simnet.reorganize())
        let handler = try XCTUnwrap(SimnetRPCHandlers.control(simnet, hooks: .init())["simreorganize"])
        do {
            _ = try await handler([])
            XCTFail("simreorganize at the genesis block must fail")
        } catch let error as NetError {
            XCTAssertEqual(error.rpcCode, WalletRPCCode.invalidParameter)
            XCTAssertTrue(error.message.contains("genesis"), error.message)
        }
        simnet.mine(2)
        let before = simnet.stats
        let change = try XCTUnwrap(simnet.reorganize())
        XCTAssertEqual(change.oldHeight, 2)
        XCTAssertEqual(change.newHeight, 2)
        XCTAssertNotEqual(change.oldHash, change.newHash)
        XCTAssertEqual(simnet.stats, before, "a sibling tip carries the same transactions")
    }
}
