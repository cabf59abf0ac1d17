import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HostKit
import HostTestSupport
import PoolKernel
import StorageSQLite
@testable import WebAppHost
import WebHost
import XCTest

/// The accounts hardening as the real web app wires it from a configuration file: `minpasswordlength` reaches
/// the sign-up form, and the background purge deletes expired captchas and old sign-in counters.
final class WebAppAccountsWiringTests: WebAppConfigTestCase {
    override class var homePrefix: String { "webapp-accounts" }

    func testConfig_minPasswordLengthIsValidatedWithItsName() throws {
        XCTAssertEqual(try config("").minPasswordLength, 12, "ASVS V2.1.1's 12 by default")
        XCTAssertEqual(try config("minpasswordlength=16").minPasswordLength, 16)
        for bad in ["0", "65", "twelve"] {
            XCTAssertThrowsError(try config("minpasswordlength=\(bad)")) { error in
                let message = (error as? ConfigError)?.message ?? "\(error)"
                XCTAssertTrue(message.contains("minpasswordlength"), message)
            }
        }
    }

    func testWebApp_signUpUsesTheConfiguredMinimumAndThePurgeRuns() async throws {
        let config = try config("minpasswordlength=20")
        // Rows the purge must delete: a captcha expired long ago and a sign-in counter from two days ago.
        try FileManager.default.createDirectory(atPath: (config.sqlitePath as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        let seeded = SQLiteStorage(configuration: .init(path: config.sqlitePath), logger: .disabled)
        try await seeded.migrate()
        let now = Int64(Date().timeIntervalSince1970)
        try await seeded.write { tx in
            try tx.insertCaptcha(CaptchaChallenge(id: "0123456789abcdef0123456789abcdef", answer: "11111", expiresAt: now - 3600))
            _ = try tx.incrementRateCount(key: "signin-ip:192.0.2.1", windowStart: now - 2 * 86_400, limit: 20)
        }
        await seeded.shutdown()

        let app = try await WebApp.assemble(config: config, plugins: .builtIn(), logs: LogBackend(level: .error, sinks: []))
        guard case let .tcp(_, port) = try app.bind() else { return XCTFail("not tcp") }
        let runner = Task { try await app.run() }
        defer { app.shutdown() }

        let session = URLSession(configuration: .ephemeral)
        let (form, _) = try await session.data(from: URL(string: "http://127.0.0.1:\(port)/signup")!)
        let page = String(decoding: form, as: UTF8.self)
        let csrf = try XCTUnwrap(page.range(of: #"name="csrf_token" value="[0-9a-f]+""#, options: .regularExpression)
            .map { String(page[$0].split(separator: "\"")[3]) })
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/signup")!)
        request.httpMethod = "POST"
        request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        // 14 characters: enough for the default, not for this pool's 20.
        request.httpBody = Data("csrf_token=\(csrf)&email=new%40example.com&password=fourteen-chars&passwordrepeat=fourteen-chars"
            .utf8)
        let (answer, _) = try await session.data(for: request)
        XCTAssertTrue(String(decoding: answer, as: UTF8.self).contains("Password must be at least 20 characters long"))

        // The session purge's first pass runs at start; wait (bounded) for it.
        let reader = SQLiteStorage(configuration: .init(path: config.sqlitePath), logger: .disabled)
        var purged = false
        for _ in 0..<100 where !purged {
            purged = try await reader.read { tx in
                try tx.captcha(id: "0123456789abcdef0123456789abcdef") == nil
                    && tx.rateCount(key: "signin-ip:192.0.2.1", windowStart: now - 2 * 86_400) == 0
            }
            if !purged { try await Task.sleep(for: .milliseconds(100)) }
        }
        await reader.shutdown()
        XCTAssertTrue(purged, "expired captcha and old counter deleted by the running web app")
        app.shutdown()
        try await runner.value
    }
}
