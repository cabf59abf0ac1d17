import Foundation
import XCTest
import PoolKernel
import PoolTestKit
@testable import NotifySMTP

/// The shared `NotificationBackend` contract against the real sink (plain listener).
final class SMTPNotifierConformanceTests: NotificationBackendConformanceTests {
    private var sink: SMTPSink?

    override func makeBackend() throws -> any NotificationBackend {
        let sink = try SMTPSink()
        self.sink = sink
        return try SMTPNotifier(configuration: .init(host: try sink.address("plain"), from: "pool@example.com",
                                                     tlsMode: .none, commandTimeout: .seconds(10)),
                                logger: .disabled)
    }

    override func assertDelivered(_ message: MailMessage, file: StaticString = #filePath, line: UInt = #line) async throws {
        let sink = try XCTUnwrap(sink, file: file, line: line)
        let received = try await sink.waitForMessage(to: message.to, file: file, line: line)
        XCTAssertEqual(received.header("Subject"), message.subject, file: file, line: line)
        XCTAssertEqual(received.header("Message-ID"), "<\(message.messageID)>", file: file, line: line)
        XCTAssertEqual(MessageEncoderTests.decodeQuotedPrintable(received.body),
                       message.body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n"),
                       file: file, line: line)
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
}
