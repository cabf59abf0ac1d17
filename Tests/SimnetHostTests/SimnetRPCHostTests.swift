import HostKit
import PoolKernel
import PoolNet
import SimnetHost
import WalletDcrwallet
import WalletSimnet
import XCTest

/// The simulated simnet served over the real JSON-RPC websocket protocol, driven by the real clients.
final class SimnetRPCHostTests: XCTestCase {
    private var host: SimnetRPCHost?
    private var certificateDirectory: URL?

    override func tearDown() async throws {
        host?.stop()
        if let certificateDirectory { try? FileManager.default.removeItem(at: certificateDirectory) }
    }

    private func startHost(tls: Bool = false) throws -> (SimnetRPCHost, PoolNet.HostPort, [PoolNet.HostPort]) {
        let simnet = Simnet(configuration: .init(seed: 11, walletCount: 2), logger: .disabled)
        var directory: String?
        if tls {
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("simnet-rpc-\(UUID().uuidString)")
            certificateDirectory = url
            directory = url.path
        }
        let host = try SimnetRPCHost(simnet: simnet, configuration: .init(
            nodePort: 0, walletPorts: [0, 0], user: "u", password: "p", certificateDirectory: directory), logger: .disabled)
        self.host = host
        let (node, wallets) = try host.start()
        return (host, node, wallets)
    }

    private func endpoint(_ address: PoolNet.HostPort, certificate: String? = nil, name: String) -> RPCEndpointConfiguration {
        RPCEndpointConfiguration(host: address.description, defaultPort: address.port, user: "u", password: "p",
                                 certificatePath: certificate, disableTLS: certificate == nil,
                                 callTimeout: .seconds(10), name: name)
    }

    private func control(_ address: PoolNet.HostPort) async throws -> JSONRPCClient {
        let client = try JSONRPCClient(configuration: JSONRPCClientConfiguration(
            address: address, user: "u", password: "p", name: "control"), logger: .disabled)
        try await client.connect()
        return client
    }

    func testSimnetRPCHost_votesFlowThroughTheRealClients() async throws {
        let (_, nodeAddress, walletAddresses) = try startHost()
        let control = try await control(nodeAddress)
        defer { control.close() }
        let wallet = try DcrwalletBackend(configuration: endpoint(walletAddresses[1], name: "wallet 1"), logger: .disabled)
        try await wallet.connect()
        let node = try DcrdBackend(configuration: endpoint(nodeAddress, name: "dcrd"), logger: .disabled)
        try await node.connect()
        defer { Task { await wallet.close(); await node.close() } }

        // Register uid 3 like the web app.
        let addresses = try await control.call("simaddresses", [3])
        let ticketAddress = try XCTUnwrap(addresses["ticketaddress"]?.stringValue)
        let feeAddress = try XCTUnwrap(addresses["feeaddress"]?.stringValue)
        try await wallet.syncDefaultAccount(maxUsers: 20)
        let pool = try await wallet.validateAddress(ticketAddress)
        XCTAssertTrue(pool.isMine)
        let userAddresses = try await control.call("simaddresses", [9])
        let user = try await wallet.validateAddress(try XCTUnwrap(userAddresses["ticketaddress"]?.stringValue))
        let multisig = try await wallet.createMultisig(nRequired: 1, keys: [pool.pubKeyAddress, user.pubKeyAddress])
        try await wallet.importScript(multisig.redeemScript, rescan: true, scanFrom: 0)

        let bought = try await control.call("simbuytickets", [.string(multisig.address), .string(feeAddress), 10])
        XCTAssertEqual(bought["tickets"]?.arrayValue?.count, 10)
        let winnersSeen = LockedValue<[WinningTickets]>([])
        try await node.subscribe { notification in
            if case .winningTickets(let winners) = notification { winnersSeen.withLock { $0.append(winners) } }
        }
        let tip = try await control.call("simmine", [143])
        XCTAssertEqual(tip["height"]?.intValue, 143)
        let deadline = ContinuousClock.now + .seconds(10)
        while winnersSeen.value.isEmpty && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        let winners = try XCTUnwrap(winnersSeen.value.first)
        XCTAssertEqual(winners.blockHeight, 143)
        XCTAssertEqual(winners.tickets.count, 5)

        // stakepoold's path: gettransaction → fee check → generatevote → sendrawtransaction.
        let ticket = winners.tickets[0]
        let transaction = try await wallet.transaction(txid: ticket)
        XCTAssertEqual(transaction.details.first?.address, multisig.address)
        let decoded = try await node.decodeRawTransaction(transaction.hex)
        XCTAssertEqual(decoded.outputs[1].addresses, [feeAddress])
        XCTAssertEqual(decoded.outputs[1].scriptType, "sstxcommitment")
        let height = try await node.blockHeight(hash: transaction.blockHash)
        XCTAssertGreaterThan(height, 0)
        let info = try await wallet.walletInfo()
        let vote = try await wallet.generateVote(blockHash: winners.blockHash, height: winners.blockHeight, ticket: ticket,
                                                 voteBits: info.voteBits, voteBitsExtended: info.voteBitsExtended)
        let txid = try await node.sendRawTransaction(vote, allowHighFees: false)
        do {
            _ = try await node.sendRawTransaction(vote, allowHighFees: false)
            XCTFail("a duplicate vote must be rejected")
        } catch let error as WalletError {
            XCTAssertEqual(error.message, "-1: Rejected transaction \(txid): already have transaction \(txid)")
        }
        _ = try await control.call("simmine", [1])
        let userInfo = try await wallet.stakePoolUserInfo(multisigAddress: multisig.address)
        XCTAssertEqual(userInfo.tickets.first { $0.ticket.hex == ticket }?.status, "voted")
        let registered = try await control.call("simregisteruser", [12])
        let registeredAddress = try XCTUnwrap(registered["multisigaddress"]?.stringValue)
        let scripts = try await wallet.listScripts()
        XCTAssertTrue(scripts.contains { $0.address == registeredAddress })
        let stats = try await control.call("siminfo")
        XCTAssertEqual(stats["voted"]?.intValue, 1)
        XCTAssertEqual(stats["missed"]?.intValue, 4)
    }

    func testSimnetRPCHost_walletDownThenBackOverTLS() async throws {
        let (host, nodeAddress, walletAddresses) = try startHost(tls: true)
        let certificate = try XCTUnwrap(host.configuration.certificateFile)
        XCTAssertTrue(FileManager.default.fileExists(atPath: certificate), "rpc.cert is written like dcrwallet's")
        let control = try JSONRPCClient(configuration: JSONRPCClientConfiguration(
            address: nodeAddress, tls: TLSClientConfiguration(trust: .certificateFile(certificate)), user: "u",
            password: "p", name: "control"), logger: .disabled)
        try await control.connect()
        defer { control.close() }
        let wallet = try DcrwalletBackend(configuration: endpoint(walletAddresses[0], certificate: certificate, name: "w0"),
                                          logger: .disabled)
        try await wallet.connect()
        _ = try await wallet.walletInfo()

        _ = try await control.call("simsetwalletfaults", [0, .object(JSONObject([("down", true)]))])
        do {
            _ = try await wallet.walletInfo()
            XCTFail("a down wallet must not answer")
        } catch let error as WalletError {
            XCTAssertTrue(error.isUnavailable, "\(error)")
        }
        _ = try await control.call("simsetwalletfaults", [0, .object(JSONObject([("locked", true)]))])
        let again = try DcrwalletBackend(configuration: endpoint(walletAddresses[0], certificate: certificate, name: "w0"),
                                         logger: .disabled)
        try await again.connect()
        let info = try await again.walletInfo()
        XCTAssertFalse(info.unlocked, "the wallet is back, locked")
        await again.close()
        await wallet.close()

        do {
            _ = try await control.call("simmine", [-1])
            XCTFail("bad control params must fail")
        } catch let error as NetError {
            XCTAssertEqual(error.rpcCode, -8)
        }
        do {
            _ = try await control.call("simsetwalletfaults", [7, .object(JSONObject())])
            XCTFail("unknown wallet index must fail")
        } catch let error as NetError {
            XCTAssertEqual(error.rpcCode, -8)
        }
    }

    /// `simdelayvotes` (issue 18 item 4's late vote): the wallet's `generatevote` answers no sooner than the delay
    /// (its real answer, here "unknown ticket"), other methods at once; `0` clears it; bad parameters are -8.
    func testSimdelayvotes_holdsGeneratevoteAnswersUntilCleared() async throws {
        let (host, nodeAddress, walletAddresses) = try startHost()
        let control = try await control(nodeAddress)
        defer { control.close() }
        let wallet = try await self.control(walletAddresses[1])
        defer { wallet.close() }
        let vote: [JSONValue] = [.string(String(repeating: "0", count: 64)), 1, .string(String(repeating: "1", count: 64)), 1, ""]

        _ = try await control.call("simdelayvotes", [1, 400])
        XCTAssertEqual(host.simnet.voteDelay(wallet: 1), .milliseconds(400))
        XCTAssertEqual(host.simnet.voteDelay(wallet: 0), .zero, "only the named wallet is slowed")
        _ = try await wallet.call("walletinfo")
        let started = ContinuousClock.now
        do {
            _ = try await wallet.call("generatevote", vote)
            XCTFail("an unknown ticket cannot be voted")
        } catch let error as NetError {
            XCTAssertNotNil(error.rpcCode, "the wallet's own answer, after the delay: \(error)")
        }
        XCTAssertGreaterThanOrEqual(ContinuousClock.now - started, .milliseconds(400), "answered no sooner than the delay")

        _ = try await control.call("simdelayvotes", [1, 0])
        XCTAssertEqual(host.simnet.voteDelay(wallet: 1), .zero)
        for params: [JSONValue] in [[1, -1], [1, 600_001], [2, 10], [1, "slow"]] {
            do {
                _ = try await control.call("simdelayvotes", params)
                XCTFail("simdelayvotes accepted \(params)")
            } catch let error as NetError {
                XCTAssertEqual(error.rpcCode, -8, "\(params): \(error.message)")
            }
        }
        XCTAssertEqual(host.simnet.voteDelay(wallet: 1), .zero, "a refused call changes nothing")
    }
}

final class SimwalletMainTests: XCTestCase {
    func testSimwalletMain_badFlagsExitWith2() async {
        let unknown = await SimwalletMain.run(arguments: ["--wallets"])
        XCTAssertEqual(unknown, 2)
        let badNumber = await SimwalletMain.run(arguments: ["--wallets", "0"])
        XCTAssertEqual(badNumber, 2)
        let badPorts = await SimwalletMain.run(arguments: ["--wallets", "2", "--walletports", "1"])
        XCTAssertEqual(badPorts, 2)
        let badVspPorts = await SimwalletMain.run(arguments: ["--wallets", "2", "--vspwalletports", "1"])
        XCTAssertEqual(badVspPorts, 2)
        let badVspNodePort = await SimwalletMain.run(arguments: ["--vspnodeport", "70000"])
        XCTAssertEqual(badVspNodePort, 2)
    }

    func testSimwalletMain_defaultKeysParseAsSimnetExtendedKeys() throws {
        let keys = SimnetWalletPlugin.defaultKeys
        XCTAssertNoThrow(try ExtendedPublicKey(parsing: keys.voting, network: .simnet))
        XCTAssertNoThrow(try ExtendedPublicKey(parsing: keys.cold, network: .simnet))
        XCTAssertNotEqual(keys.voting, keys.cold)
    }
}
