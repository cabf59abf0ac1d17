import Foundation
import XCTest
import PoolKernel

/// The contract every `NotificationBackend` passes. Subclass it in the plugin's test target and override
/// `makeBackend()` and `assertDelivered(_:)`; the base class alone skips (it has no backend).
///
/// On Linux, XCTest only discovers test methods declared in the test target itself, so the subclass
/// re-declares each `testNotificationBackend_…` method as an override that calls `super`.
///
/// ```swift
/// final class LogNotifierConformanceTests: NotificationBackendConformanceTests {
///     override func makeBackend() throws -> any NotificationBackend { … }
///     override func assertDelivered(_ message: MailMessage, file: StaticString, line: UInt) async throws { … }
///     override func testNotificationBackend_deliversMessageWithLinkIntact() async throws {
///         try await super.testNotificationBackend_deliversMessageWithLinkIntact()
///     }
///     // … one forwarding override per conformance test
/// }
/// ```
open class NotificationBackendConformanceTests: XCTestCase {
    /// A fresh backend for one test.
    open func makeBackend() throws -> any NotificationBackend {
        throw XCTSkip("NotificationBackendConformanceTests runs only in a subclass that provides a backend")
    }

    /// Fails unless `message` (recipient, subject and body text with its link) reached the backend's destination.
    open func assertDelivered(_ message: MailMessage, file: StaticString = #filePath, line: UInt = #line) async throws {
        XCTFail("assertDelivered not overridden", file: file, line: line)
    }

    /// A unique recipient so that tests sharing one destination (a mail sink) can tell messages apart.
    open func recipient(_ label: String) -> String { "\(label)-\(UUID().uuidString.prefix(8).lowercased())@example.org" }

    public func sampleMessage(to recipient: String, subject: String = "Stake pool email verification") -> MailMessage {
        MailMessage(to: recipient, from: "pool@example.com", subject: subject,
                    body: "If you made this request, follow the link below:\r\n\n"
                        + "http://127.0.0.1:8000/emailverify?t=0123456789abcdef0123456789abcdef\r\n\n",
                    messageID: MailMessage.makeMessageID(from: "pool@example.com"))
    }

    open func testNotificationBackend_deliversMessageWithLinkIntact() async throws {
        let backend = try makeBackend()
        let message = sampleMessage(to: recipient("conformance"))
        try await backend.send(message)
        try await assertDelivered(message)
        await backend.shutdown()
    }

    open func testNotificationBackend_headerInjectionIsInvalidMessage() async throws {
        let backend = try makeBackend()
        let attempts = [
            sampleMessage(to: recipient("inject"), subject: "hello\r\nBcc: victim@example.net"),
            sampleMessage(to: "victim@example.net\r\nBcc: other@example.net"),
            sampleMessage(to: "victim@example.net>\r\nRCPT TO:<other@example.net"),
        ]
        for message in attempts {
            do {
                try await backend.send(message)
                XCTFail("header injection accepted: \(message.to.debugDescription) \(message.subject.debugDescription)")
            } catch let error as NotifyError {
                XCTAssertEqual(error.code, .mailInvalidMessage)
                XCTAssertFalse(error.isTemporary)
            }
        }
        await backend.shutdown()
    }

    open func testNotificationBackend_concurrentSendsAllDelivered() async throws {
        let backend = try makeBackend()
        let messages = (0..<4).map { sampleMessage(to: recipient("parallel\($0)"), subject: "Parallel \($0)") }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for message in messages { group.addTask { try await backend.send(message) } }
            try await group.waitForAll()
        }
        for message in messages { try await assertDelivered(message) }
        await backend.shutdown()
    }
}
