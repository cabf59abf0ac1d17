import Foundation
import HostKit
import HostTestSupport
import PoolKernel
import PoolNet
import PoolTestKit
import PoolctlHost
import XCTest

/// `poolctl mail test ADDRESS` (issue 18 item 4) through the real poolctl wiring: the configured smtp plugin
/// delivers to the SMTP sink (with-test-services), a refusing server gives exit 1 with the plugin's reason,
/// a bad address exit 2.
final class MailTestCommandTests: XCTestCase {
    private var pool: SimnetRPCPool?

    override func tearDown() async throws {
        pool?.stop()
        pool = nil
    }

    private final class Captured: Sendable {
        let out = LockedValue<[String]>([])
        let err = LockedValue<[String]>([])
        var output: HostOutput {
            HostOutput(out: { [out] line in out.withLock { $0.append(line) } },
                       err: { [err] line in err.withLock { $0.append(line) } })
        }
        var text: String { out.value.joined(separator: "\n") }
        var errors: String { err.value.joined(separator: "\n") }
    }

    private func run(_ extra: [String], _ arguments: [String]) async throws -> (Int32, Captured) {
        let pool = try self.pool ?? SimnetRPCPool(seed: 7, walletCount: 2)
        self.pool = pool
        let path = try pool.writeConfig(extra)
        let captured = Captured()
        let code = await PoolctlMain.run(arguments: ["-C", path] + arguments, output: captured.output, home: pool.directory.path)
        return (code, captured)
    }

    func testMailTest_refusedAndBadAddress() async throws {
        let refusing = try ChildProcessHarness.refusingPort()
        defer { refusing.close() }
        let port = refusing.localAddress.port
        let (code, refused) = try await run(["smtphost=127.0.0.1:\(port)", "smtptls=none", "smtpfrom=pool@example.com"],
                                            ["mail", "test", "ops@example.com"])
        XCTAssertEqual(code, ExitCode.failure, refused.errors)
        XCTAssertTrue(refused.errors.hasPrefix("poolctl: the smtp mail plugin could not send the test mail to ops@example.com: "),
                      refused.errors)
        let (badCode, bad) = try await run([], ["mail", "test", "not an address"])
        XCTAssertEqual(badCode, ExitCode.usage)
        XCTAssertTrue(bad.errors.contains("is not an email address"), bad.errors)
    }

    func testMailTest_deliversThroughTheConfiguredSMTPPlugin() async throws {
        let server = try TestEnvironment.require("POOL_SMTP_PLAIN")
        let maildir = try TestEnvironment.require("POOL_SMTP_MAILDIR")
        let recipient = "mailtest-\(UUID().uuidString.prefix(8).lowercased())@example.com"
        let (code, captured) = try await run(["smtphost=\(server)", "smtptls=none", "smtpfrom=pool@example.com"],
                                             ["mail", "test", recipient])
        XCTAssertEqual(code, ExitCode.ok, captured.errors)
        XCTAssertEqual(captured.text, "test mail to \(recipient) accepted by the smtp mail plugin")
        var found = false
        for _ in 0..<500 where !found {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: maildir)) ?? []
            found = names.filter { $0.hasSuffix(".json") }.contains { name in
                ((try? String(contentsOfFile: maildir + "/" + name, encoding: .utf8)) ?? "").contains(recipient)
            }
            if !found { try await Task.sleep(for: .milliseconds(10)) }
        }
        XCTAssertTrue(found, "the sink received the test mail for \(recipient)")
    }
}
