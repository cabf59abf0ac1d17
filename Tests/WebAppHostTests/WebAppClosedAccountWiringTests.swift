import Foundation
import HostKit
import HostTestSupport
import PoolKernel
import StorageSQLite
@testable import WebAppHost
import WebHost
import XCTest

/// Closed accounts and explorer links as the real web app wires them from a configuration file: `explorerurl` is
/// validated with its name and line and defaults per network, and the assembled app runs the closed-account erasure over SQLite.
final class WebAppClosedAccountWiringTests: WebAppConfigTestCase {
    override class var homePrefix: String { "webapp-ux2" }

    func testConfig_explorerURLDefaultsPerNetworkAndIsValidated() throws {
        XCTAssertEqual(try config("").explorerURL, "", "simnet has no public explorer")
        XCTAssertEqual(try config("explorerurl=https://explorer.example/tx/").explorerURL, "https://explorer.example/tx/")
        XCTAssertEqual(try config("explorerurl=").explorerURL, "")
        for bad in ["ftp://explorer.example/tx/", "explorer.example/tx/", "https://explorer.example/tx/#x",
                    "javascript:alert(1)", "https:///tx/"] {
            XCTAssertThrowsError(try config("explorerurl=\(bad)"), bad) { error in
                let message = (error as? ConfigError)?.message ?? "\(error)"
                XCTAssertTrue(message.contains("explorerurl") && message.contains("dcrstakepool.conf:13"), message)
            }
        }
    }

    func testWebApp_erasesTheEmailOfAClosedAccountWhoseTicketsCanNoLongerVote() async throws {
        let config = try config("")
        try FileManager.default.createDirectory(atPath: (config.sqlitePath as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        let seeded = SQLiteStorage(configuration: .init(path: config.sqlitePath), logger: .disabled)
        try await seeded.migrate()
        // Closed long before the simnet chain's start (height far below tip - maturity - expiry); one still open.
        let (closed, open) = try await seeded.write { tx in
            let closed = try tx.insertUser(User(email: "gone@example.com", passwordHash: "", emailVerified: .verified))
            let open = try tx.insertUser(User(email: "stays@example.com", passwordHash: "", emailVerified: .verified))
            try tx.insertClosedAccount(ClosedAccount(userId: closed, closedHeight: -1_000_000, closedAt: 1))
            return (closed, open)
        }
        await seeded.shutdown()

        let app = try await WebApp.assemble(config: config, plugins: .builtIn(), logs: LogBackend(level: .error, sinks: []))
        _ = try app.bind()
        let runner = Task { try await app.run() }
        defer { app.shutdown() }

        // The erasure's first pass runs at start; wait (bounded) for it.
        let reader = SQLiteStorage(configuration: .init(path: config.sqlitePath), logger: .disabled)
        var erased = false
        for _ in 0..<100 where !erased {
            erased = try await reader.read { try $0.closedAccount(userId: closed)?.emailErased == true }
            if !erased { try await Task.sleep(for: .milliseconds(100)) }
        }
        let gone = try await reader.user(id: closed)
        let stays = try await reader.user(id: open)
        await reader.shutdown()
        XCTAssertTrue(erased, "the running web app erased the closed account's email")
        XCTAssertEqual(gone?.email, "closed-\(closed.rawValue)@erased.invalid")
        XCTAssertEqual(stays?.email, "stays@example.com")
        app.shutdown()
        try await runner.value
    }
}
