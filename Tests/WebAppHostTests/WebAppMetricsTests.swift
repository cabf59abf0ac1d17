import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HostKit
import HostTestSupport
import PoolKernel
import PoolTestKit
import WebAppHost
import WebHost
import XCTest

/// The assembled web app serves the pool gauges on `/metrics` (to `adminips`), next to the HTTP metrics.
final class WebAppMetricsTests: XCTestCase {
    private var directory: URL?

    override func tearDown() async throws {
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    private func fetch(_ port: Int, _ path: String) async throws -> (Int, String) {
        let url = try XCTUnwrap(URL(string: "http://127.0.0.1:\(port)\(path)"))
        let (body, response) = try await URLSession.shared.data(from: url)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: body, as: UTF8.self))
    }

    func testWebAppMetrics_poolGaugesOnMetricsAndStoppedPoolShows() async throws {
        let directory = try TestEnvironment.makeTemporaryDirectory(prefix: "webapp-metrics")
        self.directory = directory
        let dir = directory.path
        let path = try WebAppTestConfig.write(into: dir)
        let (loaded, _, _) = try PoolConfig.load(arguments: ["-C", path], home: dir, plugins: .builtIn(), hostOptions: WebAppHostOptions.all)
        let config = try XCTUnwrap(loaded)
        let app = try await WebApp.assemble(config: config, plugins: .builtIn(), logs: LogBackend(level: .error, sinks: [CapturingSink()]))
        _ = try await app.storage.insertUser(User(email: "m@example.com", passwordHash: "x"))
        guard case let .tcp(_, port) = try app.bind() else { return XCTFail("not tcp") }
        let runner = Task { try await app.run() }

        // The background refresh runs at start; wait (bounded) for it to have counted the user.
        var text = ""
        let deadline = Date().addingTimeInterval(20)
        repeat {
            let (status, body) = try await fetch(Int(port), "/metrics")
            XCTAssertEqual(status, 200)
            text = body
            if text.contains("\npool_users 1\n") { break }
            try await Task.sleep(for: .milliseconds(50))
        } while Date() < deadline
        for expected in ["pool_wallets_configured 3", "pool_wallet_rpc_stopped 0", "pool_users 1", "pool_users_with_address 0",
                         "# TYPE pool_tickets gauge", "# TYPE pool_vote_audits_recent gauge", "# TYPE http_requests_total counter"] {
            XCTAssertTrue(text.contains("\n" + expected + "\n") || text.hasPrefix(expected + "\n"), "\(expected) in:\n\(text)")
        }

        await app.services.pool.stop(function: "importscript", error: WalletPoolError(.inconsistent, "non equivalent error returned 1"))
        let (_, stopped) = try await fetch(Int(port), "/metrics")
        XCTAssertTrue(stopped.contains("\npool_wallet_rpc_stopped 1\n"), stopped)
        XCTAssertTrue(stopped.contains("\npool_wallets_consistent 0\n"), stopped)
        let (statusCode, _) = try await fetch(Int(port), "/status")
        XCTAssertEqual(statusCode, 500, "/status answers 500 while the wallet RPC client is stopped")

        app.shutdown()
        try await runner.value
    }
}
