import Foundation
import HostKit
import HostTestSupport
import PoolKernel
import PoolNet
import PoolTestKit
import StorageSQLite
import WalletSimnet
import XCTest

/// Address registration end to end over the real JSON-RPC: PoolHost's wiring (`PoolServices`) with the production
/// `dcrwallet` plugin talking TLS websockets to three simulated wallets, over SQLite storage.
final class RegistrationRPCTests: XCTestCase {
    private var pool: SimnetRPCPool?
    private var services: PoolServices?
    private var storage: SQLiteStorage?

    override func tearDown() async throws {
        if let services { for index in 0..<services.pool.count { await services.pool.backend(index).close() } }
        await storage?.shutdown()
        pool?.stop()
    }

    private func start() async throws -> (SimnetRPCPool, PoolServices, SQLiteStorage, PoolConfig) {
        let pool = try SimnetRPCPool()
        self.pool = pool
        let config = try pool.config()
        let storage = try await SimnetRPCPool.storage(config)
        self.storage = storage
        let services = try await SimnetRPCPool.services(config, storage: storage)
        self.services = services
        for index in 1...3 { _ = try await storage.insertUser(User(email: "user\(index)@example.com", passwordHash: "x")) }
        return (pool, services, storage, config)
    }

    /// The 1-of-2 script dcrstakepool registers: pool key first, user key second.
    private func expectedScript(_ pool: SimnetRPCPool, uid: Int64, userKeyHex: String) throws -> String {
        Hex.encode([0x51, 0x21] + (try pool.poolKey(uid)) + [0x21] + (try Hex.decode(userKeyHex)) + [0x52, 0xae])
    }

    private func assertRefused(_ code: RegistrationError.Code, file: StaticString = #filePath, line: UInt = #line,
                               _ body: () async throws -> Registration) async -> RegistrationError? {
        do {
            _ = try await body()
            XCTFail("expected \(code)", file: file, line: line)
        } catch let error as RegistrationError {
            XCTAssertEqual(error.code, code, "\(error.message) — \(error.detail)", file: file, line: line)
            return error
        } catch {
            XCTFail("unexpected \(error)", file: file, line: line)
        }
        return nil
    }

    private func assertNothingStored(_ storage: SQLiteStorage, _ uid: UserId, file: StaticString = #filePath,
                                     line: UInt = #line) async throws {
        let row = try await storage.user(id: uid)
        let user = try XCTUnwrap(row, file: file, line: line)
        XCTAssertEqual([user.multiSigScript, user.multiSigAddress, user.userPubKeyAddr, user.poolPubKeyAddr,
                        user.userFeeAddr], ["", "", "", "", ""], "nothing half-stored", file: file, line: line)
        XCTAssertEqual(user.heightRegistered, 0, file: file, line: line)
    }

    func testRegistrationRPC_endToEndMatchesTheHDChildrenAndEveryWalletHasTheScript() async throws {
        let (pool, services, _, config) = try await start()
        let uid = UserId(1)
        let userAddress = pool.vectors.children[0].pubKeyAddress
        let result = try await services.registration.registerAddress(userId: uid, pubKeyAddress: userAddress)

        // What was stored, read back through a second connection to the same file.
        let reopened = SQLiteStorage(configuration: .init(path: config.sqlitePath), logger: .disabled)
        let row = try await reopened.user(id: uid)
        await reopened.shutdown()
        let user = try XCTUnwrap(row)
        // Fee address: coldwalletextpub/0/1 — the vectors' child 1, as P2PKH.
        let feeChildKey = try Hex.decode(pool.vectors.children[1].publicKeyHex)
        XCTAssertEqual(user.userFeeAddr, try Address.pubKeyHash(publicKey: feeChildKey, network: .simnet).encoded)
        // Pool key: votingwalletextpub/0/1, the key behind the simulated wallets' own ticket address of user 1.
        let poolKey = try pool.poolKey(1)
        XCTAssertEqual(pool.simnet.ticketAddress(index: 1), try Address.pubKeyHash(publicKey: poolKey, network: .simnet).encoded)
        XCTAssertEqual(user.poolPubKeyAddr, try Address.pubKey(publicKey: poolKey, network: .simnet).encoded)
        XCTAssertEqual(user.userPubKeyAddr, userAddress)
        // The script is OP_1 <pool key> <user key> OP_2 OP_CHECKMULTISIG and its P2SH is the stored ticket address.
        XCTAssertEqual(user.multiSigScript, try expectedScript(pool, uid: 1, userKeyHex: pool.vectors.children[0].publicKeyHex))
        XCTAssertEqual(user.multiSigAddress, try Address.scriptHash(script: try Hex.decode(user.multiSigScript), network: .simnet).encoded)
        XCTAssertEqual(user.heightRegistered, 30, "the wallets' best height")
        XCTAssertEqual(result, Registration(userId: uid, multiSigAddress: user.multiSigAddress, multiSigScript: user.multiSigScript,
                                            poolPubKeyAddr: user.poolPubKeyAddr, userPubKeyAddr: userAddress,
                                            userFeeAddr: user.userFeeAddr, heightRegistered: 30))
        // Every wallet has the script (listscripts over RPC) and owns the P2SH.
        for index in 0..<3 {
            let scripts = try await services.pool.backend(index).listScripts()
            XCTAssertEqual(scripts.map { $0.redeemScript.lowercased() }, [user.multiSigScript], "wallet \(index)")
            XCTAssertEqual(scripts.first?.address, user.multiSigAddress, "wallet \(index)")
            let validation = try await services.pool.backend(index).validateAddress(user.multiSigAddress)
            XCTAssertTrue(validation.isMine && validation.isScript, "wallet \(index)")
        }
        // The address can't change once set.
        _ = await assertRefused(.alreadySubmitted) {
            try await services.registration.registerAddress(userId: uid, pubKeyAddress: pool.vectors.children[2].pubKeyAddress)
        }
    }

    func testRegistrationRPC_oneWalletDownIsRefusedCleanlyAndTheRetrySucceeds() async throws {
        let (pool, services, storage, _) = try await start()
        let uid = UserId(2)
        let userAddress = pool.vectors.children[2].pubKeyAddress
        try await pool.setFaults(2, [("down", .bool(true))])

        let refusal = await assertRefused(.walletsUnavailable) {
            try await services.registration.registerAddress(userId: uid, pubKeyAddress: userAddress)
        }
        XCTAssertEqual(refusal?.message, "The pool's wallets are not all available right now; please try again later")
        let detail = refusal?.detail ?? ""
        XCTAssertTrue(detail.contains("wallet server 2"), detail)
        XCTAssertEqual(refusal?.apiMessage, "system error - unable to process wallet commands")
        try await assertNothingStored(storage, uid)
        for index in 0..<2 {
            let scripts = try await pool.scripts(ofWallet: index)
            XCTAssertEqual(scripts, [], "wallet \(index) imported nothing")
        }
        XCTAssertFalse(services.pool.isStopped, "a wallet being down refuses; it does not stop the pool")

        // The wallet comes back; the monitor redials it; the retry registers the same script everywhere.
        try await pool.setFaults(2, [])
        await services.monitor.tick()
        await services.monitor.tick()
        XCTAssertEqual(services.pool.status().usableCount, 3)
        let result = try await services.registration.registerAddress(userId: uid, pubKeyAddress: userAddress)
        let expected = try expectedScript(pool, uid: 2, userKeyHex: pool.vectors.children[2].publicKeyHex)
        XCTAssertEqual(result.multiSigScript, expected)
        XCTAssertFalse(result.completedEarlierSubmission)
        for index in 0..<3 {
            let scripts = try await services.pool.backend(index).listScripts().map { $0.redeemScript.lowercased() }
            XCTAssertEqual(scripts, [expected], "wallet \(index)")
        }
        let row = try await storage.user(id: uid)
        XCTAssertEqual(row?.multiSigAddress, result.multiSigAddress)
    }

    func testRegistrationRPC_walletsDisagreeFailClosed() async throws {
        let (pool, services, storage, _) = try await start()
        try await pool.setFaults(1, [("disagrees", .bool(true))])
        let refusal = await assertRefused(.walletsStopped) {
            try await services.registration.registerAddress(userId: 3, pubKeyAddress: pool.vectors.children[0].pubKeyAddress)
        }
        XCTAssertTrue(refusal?.redirectsToErrorPage == true)
        XCTAssertTrue(services.pool.isStopped)
        XCTAssertEqual(services.pool.status().stopReason, "RPC validateaddress failed: non equivalent pubkey returned")
        XCTAssertEqual(services.pool.status().httpStatus, 500)
        try await assertNothingStored(storage, 3)
        for index in 0..<3 {
            let scripts = try await pool.scripts(ofWallet: index)
            XCTAssertEqual(scripts, [], "wallet \(index)")
        }
        // Stays down after the wallet is fixed (no walletautorecover): nobody registers.
        try await pool.setFaults(1, [])
        _ = await assertRefused(.walletsStopped) {
            try await services.registration.registerAddress(userId: 2, pubKeyAddress: pool.vectors.children[1].pubKeyAddress)
        }
        try await assertNothingStored(storage, 2)
    }
}
