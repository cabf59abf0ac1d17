import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HostTestSupport
import PoolKernel
import PoolNet
import PoolTestKit
import SimnetHost
import StorageSQLite
import XCTest

/// `kill -9` of the web app in the middle of an address submission: the real `hxstakepool` executable runs as a
/// child process against three simulated wallets over TLS JSON-RPC; wallet 2's `importscript` is held, the child is
/// SIGKILLed while wallets 0 and 1 already imported, the held call then fails (wallet 2 never gets the script),
/// and a restart must complete that same registration — never a second script for the user.
///
/// Slow part (~15 s in debug): the simulated wallets derive every ticket address up to the synced index (10,000
/// after the startup sync) on the first `validateaddress`.
final class RegistrationCrashTests: XCTestCase {
    private var pool: SimnetRPCPool?
    private var child: Process?

    override func tearDown() async throws {
        if let child, child.isRunning {
            kill(child.processIdentifier, SIGKILL)
            child.waitUntilExit()
        }
        pool?.stop()
    }

    /// Starts `hxstakepool -C config` (listening on port 0) with its output in `log`; returns it and the port it
    /// bound (read back from its "listening on" line) once `/health` answers.
    private func launch(_ binary: String, config: String, log: String) async throws -> (Process, UInt16) {
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try output.seekToEnd()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["-C", config]
        process.standardOutput = output
        process.standardError = output
        try process.run()
        child = process
        let line = try await ChildProcessHarness(directory: URL(fileURLWithPath: log).deletingLastPathComponent())
            .waitForLine(process, URL(fileURLWithPath: log), containing: "listening on 127.0.0.1:", seconds: 60)
        let port = try ChildProcessHarness.address(after: "listening on ", in: line).port
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if !process.isRunning {
                let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                XCTFail("hxstakepool exited with \(process.terminationStatus): \(text.suffix(2_000))")
                throw CancellationError()
            }
            if let (status, _) = try? await get(port: port, "/health"), status == 200 { return (process, port) }
            try await Task.sleep(for: .milliseconds(50))
        }
        XCTFail("hxstakepool did not serve /health within 60 s")
        throw CancellationError()
    }

    private func get(port: UInt16, _ path: String) async throws -> (Int, String) {
        var request = URLRequest(url: try XCTUnwrap(URL(string: "http://127.0.0.1:\(port)\(path)")))
        request.timeoutInterval = 5
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    private static func submitAddress(port: UInt16, token: String, address: String, timeout: TimeInterval) async throws -> String {
        var request = URLRequest(url: try XCTUnwrap(URL(string: "http://127.0.0.1:\(port)/api/v2/address")))
        request.httpMethod = "POST"
        request.timeoutInterval = timeout
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data("UserPubKeyAddr=\(address)".utf8)
        let (data, _) = try await URLSession.shared.data(for: request)
        return String(decoding: data, as: UTF8.self)
    }

    private func waitFor(_ what: String, seconds: TimeInterval = 30, _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        XCTFail("timed out waiting for \(what)")
        throw CancellationError()
    }

    private func readUser(_ config: PoolConfig, _ id: UserId) async throws -> User {
        let storage = SQLiteStorage(configuration: .init(path: config.sqlitePath), logger: .disabled)
        let row = try await storage.user(id: id)
        await storage.shutdown()
        return try XCTUnwrap(row)
    }

    func testRegistrationCrash_killNineMidImportThenRestartCompletesOneScript() async throws {
        let binary = try BuiltExecutable.path("hxstakepool")
        let pool = try SimnetRPCPool(seed: 33)
        self.pool = pool
        let configPath = try pool.writeConfig(["listen=127.0.0.1:0"])
        let config = try pool.config(["listen=127.0.0.1:0"])

        // A verified user with an API token, written before the app starts.
        let storage = try await SimnetRPCPool.storage(config)
        var user = try await storage.insertUser(User(email: "crash@example.com", passwordHash: "x", emailVerified: .verified))
        let token = APITokenSigner(secret: SimnetRPCPool.apiSecret, issuer: SimnetRPCPool.baseURL).issue(for: user.id)
        user = try await storage.updateUser(id: user.id) { $0.apiToken = token }
        await storage.shutdown()

        let log = pool.directory.appendingPathComponent("hxstakepool.log").path
        let (first, port) = try await launch(binary, config: configPath, log: log)
        pool.host.stallImports(wallet: 2, true)
        let submitted = pool.vectors.children[0].pubKeyAddress
        let hung = Task.detached { [port, token, submitted] () -> String? in
            do {
                return try await RegistrationCrashTests.submitAddress(port: port, token: token, address: submitted, timeout: 120)
            } catch {
                return nil  // the app is killed under this request
            }
        }
        defer { hung.cancel() }

        // Stop in the middle: wallets 0 and 1 imported, wallet 2 holds the call, the intent is in the database.
        try await waitFor("wallet 2 to hold importscript") { pool.host.heldImportCalls == 1 }
        try await waitFor("wallets 0 and 1 to import") {
            let (zero, one) = (try await pool.scripts(ofWallet: 0), try await pool.scripts(ofWallet: 1))
            return zero.count == 1 && one.count == 1
        }
        let pending = try await readUser(config, user.id)
        XCTAssertFalse(pending.multiSigScript.isEmpty, "the script is tied to the user before the wallets import")
        XCTAssertEqual(pending.multiSigAddress, "", "not active yet")
        let script = pending.multiSigScript
        let walletZero = try await pool.scripts(ofWallet: 0)
        XCTAssertEqual(walletZero, [script])

        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        XCTAssertEqual(first.terminationReason, .uncaughtSignal)
        XCTAssertEqual(first.terminationStatus, SIGKILL)
        pool.host.stallImports(wallet: 2, false)
        try await waitFor("the held call to fail") { pool.host.heldImportCalls == 0 }
        let walletTwo = try await pool.scripts(ofWallet: 2)
        XCTAssertEqual(walletTwo, [], "wallet 2 never got the script")

        // Restart: the startup sync imports the script on wallet 2 and completes the interrupted registration.
        let (second, restartedPort) = try await launch(binary, config: configPath, log: log + ".restarted")
        let completed = try await readUser(config, user.id)
        XCTAssertEqual(completed.multiSigScript, script, "the same script")
        XCTAssertEqual(completed.userPubKeyAddr, submitted)
        XCTAssertEqual(completed.multiSigAddress,
                       try Address.scriptHash(script: try Hex.decode(script), network: .simnet).encoded)
        XCTAssertEqual(completed.heightRegistered, pending.heightRegistered)
        for index in 0..<3 {
            let scripts = try await pool.scripts(ofWallet: index)
            XCTAssertEqual(scripts, [script], "wallet \(index) holds exactly the one script")
        }
        // A new submission can't make a second script.
        let again = try await Self.submitAddress(port: restartedPort, token: token, address: pool.vectors.children[2].pubKeyAddress, timeout: 30)
        XCTAssertTrue(again.hasPrefix(#"{"status":"error","code":6,"message":"address error - address already submitted""#), again)
        for index in 0..<3 {
            let scripts = try await pool.scripts(ofWallet: index)
            XCTAssertEqual(scripts, [script], "wallet \(index)")
        }
        let text = (try? String(contentsOfFile: log + ".restarted", encoding: .utf8)) ?? ""
        XCTAssertTrue(text.contains("wallet sync done: vote version "), "a readable summary, not a Swift dump: \(text)")
        XCTAssertTrue(text.contains("interrupted registrations completed 1"), "the startup sync completed the interrupted registration: \(text)")
        XCTAssertFalse(text.contains("StartupSyncReport("), text)
        XCTAssertFalse(text.contains(SimnetRPCPool.rpcPassword), "no wallet password in the log")

        kill(second.processIdentifier, SIGKILL)
        second.waitUntilExit()
    }
}
