import XCTest
import PoolKernel
import PoolTestKit
@testable import NotifyLog

final class LogNotifierTests: NotificationBackendConformanceTests {
    private var sink = CapturingSink()

    override func setUp() {
        sink = CapturingSink()
    }

    override func makeBackend() throws -> any NotificationBackend {
        LogNotifier(configuration: .init(from: "pool@example.com"),
                    logger: LogBackend(level: .info, sinks: [sink]).logger("MAIL"))
    }

    override func assertDelivered(_ message: MailMessage, file: StaticString = #filePath, line: UInt = #line) async throws {
        let text = sink.text
        XCTAssertTrue(text.contains("To: \(message.to)\n"), file: file, line: line)
        XCTAssertTrue(text.contains("Subject: \(message.subject)\n"), file: file, line: line)
        // The body follows as indented continuation lines of the same log entry.
        let body = message.body.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertTrue(text.contains(body.map { "    " + $0 }.joined(separator: "\n")), text, file: file, line: line)
    }

    override func testNotificationBackend_deliversMessageWithLinkIntact() async throws {
        try await super.testNotificationBackend_deliversMessageWithLinkIntact()
    }

    override func testNotificationBackend_headerInjectionIsInvalidMessage() async throws {
        try await super.testNotificationBackend_headerInjectionIsInvalidMessage()
    }

    override func testNotificationBackend_concurrentSendsAllDelivered() async throws {
        try await super.testNotificationBackend_concurrentSendsAllDelivered()
    }

    func testLogNotifier_messageAppearsInLogWithLinkIntact() async throws {
        let link = "http://127.0.0.1:8000/passwordupdate?t=00112233445566778899aabbccddeeff"
        let message = MailMessage(to: "user@example.org", from: "", subject: "Stake pool password reset",
                                  body: "If you made this request, follow the link below:\r\n\n\(link)\r\n\n",
                                  messageID: "id1@example.com")
        try await makeBackend().send(message)
        let lines = sink.captured
        XCTAssertEqual(lines.count, 1)
        let line = try XCTUnwrap(lines.first)
        XCTAssertTrue(line.contains("[WRN] MAIL: no mail server configured -- skipping sending:\n    To: user@example.org\n"), line)
        XCTAssertTrue(line.contains("    From: pool@example.com\n    Subject: Stake pool password reset\n"), line)
        // The link is on a line of its own (an indented continuation line), unwrapped and unencoded, so a terminal
        // makes it clickable.
        XCTAssertTrue(line.components(separatedBy: "\n").contains("    " + link))
        XCTAssertFalse(line.contains("\r"))
    }
}
