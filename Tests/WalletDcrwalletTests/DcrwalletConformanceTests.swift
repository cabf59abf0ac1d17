import Foundation
import PoolKernel
import PoolNet
import PoolTestKit
import SimnetHost
@testable import WalletDcrwallet
import XCTest

/// The RPC backend passes the wallet contract against an in-memory wallet served over TLS websockets
/// (server side: `WalletRPCHandlers`), which exercises every method name, param and result shape.
final class DcrwalletConformanceTests: WalletBackendConformanceTests {
    private var directory: URL!
    private var servers: [JSONRPCServer] = []

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("dcrwallet-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        servers.forEach { $0.stop() }
        try? FileManager.default.removeItem(at: directory)
    }

    /// A TLS JSON-RPC server answering for `wallet`; returns the server and a connected backend.
    func serve(_ wallet: InMemoryWallet) async throws -> (JSONRPCServer, DcrwalletBackend) {
        let cert = directory.appendingPathComponent("rpc.cert").path
        let key = directory.appendingPathComponent("rpc.key").path
        _ = try SelfSignedCertificate.loadOrCreate(certificateFile: cert, privateKeyFile: key)
        let server = try JSONRPCServer(configuration: .init(address: .init(host: "127.0.0.1", port: 0),
                                                            tls: .init(certificateFile: cert, privateKeyFile: key),
                                                            user: "u", password: "p4ssw0rd", defaultErrorCode: -4), logger: .disabled)
        WalletRPCHandlers.install(WalletRPCHandlers.wallet(wallet), raw: WalletRPCHandlers.walletRaw(wallet), on: server)
        let address = try server.start()
        servers.append(server)
        let backend = try DcrwalletBackend(configuration: .init(host: address.description, defaultPort: 19557, user: "u",
                                                                password: "p4ssw0rd", certificatePath: cert, name: "wallet 0"),
                                           logger: .disabled)
        try await backend.connect()
        return (server, backend)
    }

    override func makeWallet() async throws -> (any WalletBackend)? {
        try await serve(InMemoryWallet()).1
    }

    override func pubKeyAddresses(of wallet: any WalletBackend) async throws -> [String]? {
        ["TkQ4gNb4xcFtPi5ab3ebDA8XeHdwbVvpPNDZtiJrJEsy8RDpvbPkr", "TkKmnYznBafazDvHrbsMGFESiZHsgjoMm3mVnr9tKNMYtRbdhgdPq"]
    }

    func testDcrwallet_conformanceOverTLSWebsocket() async throws { try await runWalletConformance() }

    func testDcrwallet_resultsSurviveTheWire() async throws {
        let memory = InMemoryWallet()
        let tx = WalletTransaction(amount: 1.25, confirmations: 2, blockHash: String(repeating: "c", count: 64), txid: "t",
                                   details: [WalletTransactionDetail(account: "default", address: "TcUser", amount: 1.25,
                                                                     category: "receive", vout: 0)], hex: "01000000")
        memory.state.withLock { state in
            state.transactions["t"] = tx
            state.stakeInfo = StakeInfo(blockHeight: 100, poolSize: 40, difficulty: 2.25, live: 10, proportionLive: 0.25)
            state.stakePoolUsers["TcUser"] = StakePoolUserInfo(tickets: [StakePoolUserTicket(status: "voted", ticket: TicketHash(w0: 7, w1: 0, w2: 0, w3: 1), ticketHeight: 90,
                                                                                             spentBy: TicketHash(w0: 8, w1: 0, w2: 0, w3: 2), spentByHeight: 95)])
        }
        let (_, backend) = try await serve(memory)
        let fetchedTx = try await backend.transaction(txid: "t")
        XCTAssertEqual(fetchedTx, tx)
        let stakeInfo = try await backend.stakeInfo()
        XCTAssertEqual(stakeInfo.proportionLive, 0.25)
        let user = try await backend.stakePoolUserInfo(multisigAddress: "TcUser")
        XCTAssertEqual(user.tickets.first?.spentByHeight, 95)
        try await backend.importScript(Self.sampleRedeemScript, rescan: true, scanFrom: 178_000)
        XCTAssertEqual(memory.state.value.importHeights, [178_000])
    }

    func testDcrwallet_droppedSocketMakesTheWalletUnavailableForGood() async throws {
        let (server, backend) = try await serve(InMemoryWallet())
        _ = try await backend.walletInfo()
        server.dropAllConnections()
        var lastError: WalletError?
        for _ in 0..<200 {
            do { _ = try await backend.walletInfo() } catch let error as WalletError { lastError = error; break }
            try await Task.sleep(for: .milliseconds(10))
        }
        XCTAssertEqual(lastError?.isUnavailable, true, "\(String(describing: lastError))")
        do {
            _ = try await backend.walletInfo()
            XCTFail("a dropped web-mode client stays shut down")
        } catch let error as WalletError {
            XCTAssertEqual(error.code, .walletShutdown)
        }
    }
}
