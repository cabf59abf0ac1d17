import Foundation
import XCTest
import PoolKernel
import PoolNet
import PoolTestKit
@testable import NotifySMTP

final class SMTPNotifierTests: XCTestCase {
    private func notifier(_ listener: String, sink: SMTPSink, tls: SMTPTLSMode = .starttls, caFile: String? = nil,
                          username: String = "", password: String = "", auth: SMTPAuthMethod = .auto,
                          commandTimeout: Duration = .seconds(10)) throws -> SMTPNotifier {
        try SMTPNotifier(configuration: .init(host: try sink.address(listener), username: username, password: password,
                                              from: "pool@example.com", tlsMode: tls, caFile: caFile ?? sink.caFile,
                                              authMethod: auth, connectTimeout: .seconds(5), commandTimeout: commandTimeout,
                                              dataTimeout: commandTimeout),
                         logger: .disabled)
    }

    private func message(to recipient: String, subject: String = "Stake pool email verification",
                         body: String = "hello\r\n") -> MailMessage {
        MailMessage(to: recipient, from: "", subject: subject, body: body,
                    messageID: MailMessage.makeMessageID(from: "pool@example.com"),
                    date: Date(timeIntervalSince1970: 1_790_000_000))
    }

    private func assertNotifyError(_ code: ErrorCode, replyCode: Int? = nil, file: StaticString = #filePath, line: UInt = #line,
                                   _ body: () async throws -> Void) async -> NotifyError? {
        do {
            try await body()
            XCTFail("expected \(code)", file: file, line: line)
            return nil
        } catch let error as NotifyError {
            XCTAssertEqual(error.code, code, error.message, file: file, line: line)
            if let replyCode { XCTAssertEqual(error.replyCode, replyCode, error.message, file: file, line: line) }
            return error
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
            return nil
        }
    }

    func testSMTPNotifier_plainDeliversExactHeadersEncodedSubjectAndDotStuffedBody() async throws {
        let sink = try SMTPSink()
        let recipient = SMTPSink.recipient("plain")
        let subject = "Stake pool – Größe ✓"
        let body = "first line\r\n.\r\n..two dots\r\n.leading dot\r\nlink: http://127.0.0.1:8000/emailverify?t=0123456789abcdef0123456789abcdef\r\n"
        var mail = message(to: recipient, subject: subject, body: body)
        mail.extraHeaders = [MailHeader("Auto-Submitted", "auto-generated")]
        try await notifier("plain", sink: sink, tls: .none).send(mail)

        let received = try await sink.waitForMessage(to: recipient)
        XCTAssertEqual(received.mailFrom, "pool@example.com")
        XCTAssertFalse(received.tls)
        XCTAssertEqual(received.header("Date"), "Mon, 21 Sep 2026 14:13:20 +0000")
        XCTAssertEqual(received.header("From"), "pool@example.com")
        XCTAssertEqual(received.header("To"), recipient)
        XCTAssertEqual(received.header("Message-ID"), "<\(mail.messageID)>")
        XCTAssertEqual(received.header("MIME-Version"), "1.0")
        XCTAssertEqual(received.header("Content-Type"), "text/plain; charset=UTF-8")
        XCTAssertEqual(received.header("Content-Transfer-Encoding"), "quoted-printable")
        XCTAssertEqual(received.header("Auto-Submitted"), "auto-generated")
        let encodedSubject = "=?UTF-8?B?" + Data(subject.utf8).base64EncodedString() + "?="
        XCTAssertEqual(received.header("Subject"), encodedSubject)
        // Lines starting with a dot arrive intact: the client stuffed them, the server removed the stuffing.
        XCTAssertTrue(received.body.hasPrefix("first line\r\n.\r\n..two dots\r\n.leading dot\r\n"), received.body)
        XCTAssertEqual(MessageEncoderTests.decodeQuotedPrintable(received.body), body)
    }

    func testSMTPNotifier_overLongLinesArriveWrapped() async throws {
        let sink = try SMTPSink()
        let recipient = SMTPSink.recipient("long")
        let body = String(repeating: "0123456789", count: 120) + "\r\nnext\r\n"
        try await notifier("plain", sink: sink, tls: .none).send(message(to: recipient, body: body))
        let received = try await sink.waitForMessage(to: recipient)
        for line in received.raw.components(separatedBy: "\r\n") { XCTAssertLessThanOrEqual(line.utf8.count, 78) }
        XCTAssertEqual(MessageEncoderTests.decodeQuotedPrintable(received.body), body)
    }

    func testSMTPNotifier_startTLSWithTrustedSelfSignedCertificate() async throws {
        let sink = try SMTPSink()
        let recipient = SMTPSink.recipient("starttls")
        try await notifier("starttls", sink: sink).send(message(to: recipient))
        let received = try await sink.waitForMessage(to: recipient)
        XCTAssertTrue(received.tls)
        XCTAssertEqual(received.listener, "starttls")
    }

    func testSMTPNotifier_startTLSUntrustedCertificateFails() async throws {
        let sink = try SMTPSink()
        let recipient = SMTPSink.recipient("untrusted")
        let untrusted = try SMTPNotifier(configuration: .init(host: try sink.address("starttls"), from: "pool@example.com",
                                                              commandTimeout: .seconds(5)), logger: .disabled)
        let error = await assertNotifyError(.mailTemporary) { try await untrusted.send(message(to: recipient)) }
        XCTAssertTrue(error?.message.contains("not trusted") ?? false, error?.message ?? "")
        XCTAssertTrue(try sink.messages(to: recipient).isEmpty)
    }

    func testSMTPNotifier_skipVerifyEncryptsWithAnUntrustedCertificate() async throws {
        // `smtpskipverify`: the same untrusted server as above, no CA given, and the mail goes out over TLS.
        let sink = try SMTPSink()
        let recipient = SMTPSink.recipient("skipverify")
        let notifier = try SMTPNotifier(configuration: .init(host: try sink.address("starttls"), from: "pool@example.com",
                                                             skipVerify: true, commandTimeout: .seconds(5)), logger: .disabled)
        try await notifier.send(message(to: recipient))
        let received = try await sink.waitForMessage(to: recipient)
        XCTAssertTrue(received.tls, "still encrypted, only not verified")
    }

    func testSMTPNotifier_startTLSRequiredByServerWhenClientRefusesTLS() async throws {
        let sink = try SMTPSink()
        let recipient = SMTPSink.recipient("notls")
        _ = await assertNotifyError(.mailPermanent, replyCode: 530) {
            try await notifier("starttls", sink: sink, tls: .none).send(message(to: recipient))
        }
    }

    /// The default `smtptls=starttls` against a real server that offers no STARTTLS (but AUTH, in clear text, on
    /// loopback): the send fails with a sentence naming the option, and the server saw no AUTH and no MAIL FROM.
    func testSMTPNotifier_requiredStartTLSNotOfferedSendsNothingInClearText() async throws {
        let sink = try SMTPSink()
        let marker = UUID().uuidString.prefix(8).lowercased()
        let sender = "pool-\(marker)@example.com"
        let login = "probe-\(marker)"
        for username in [login, ""] {
            let recipient = SMTPSink.recipient("stripped")
            let client = try SMTPNotifier(configuration: .init(
                host: try sink.address("plainauth"), username: username, password: username.isEmpty ? "" : "secret",
                from: sender, tlsMode: .starttls, connectTimeout: .seconds(5), commandTimeout: .seconds(10)), logger: .disabled)
            let error = await assertNotifyError(.mailTemporary) { try await client.send(message(to: recipient)) }
            XCTAssertTrue(error?.message.contains("does not offer STARTTLS") ?? false, error?.message ?? "")
            XCTAssertTrue(error?.message.contains("smtptls=opportunistic") ?? false, error?.message ?? "")
            XCTAssertTrue(try sink.messages(to: recipient).isEmpty)
        }
        let said = try sink.events(listener: "plainauth").filter { $0.value == sender || $0.value == login }
        XCTAssertTrue(said.isEmpty, "sent in clear text: \(said)")
    }

    /// `smtptls=opportunistic` keeps dcrstakepool's behaviour: the same server gets the message, unencrypted.
    func testSMTPNotifier_opportunisticSendsPlainWhenStartTLSIsNotOffered() async throws {
        let sink = try SMTPSink()
        let recipient = SMTPSink.recipient("opportunistic")
        try await notifier("plainauth", sink: sink, tls: .opportunistic).send(message(to: recipient))
        let received = try await sink.waitForMessage(to: recipient)
        XCTAssertEqual(received.listener, "plainauth")
        XCTAssertFalse(received.tls)
        // …and still upgrades when the server does offer STARTTLS.
        let upgraded = SMTPSink.recipient("opportunistic-tls")
        try await notifier("starttls", sink: sink, tls: .opportunistic).send(message(to: upgraded))
        let secured = try await sink.waitForMessage(to: upgraded)
        XCTAssertTrue(secured.tls)
    }

    func testSMTPNotifier_authPlainAndLoginSucceed() async throws {
        let sink = try SMTPSink()
        for method in [SMTPAuthMethod.plain, .login] {
            let recipient = SMTPSink.recipient("auth-\(method.rawValue)")
            try await notifier("auth", sink: sink, username: sink.user, password: sink.password, auth: method)
                .send(message(to: recipient))
            let received = try await sink.waitForMessage(to: recipient)
            XCTAssertEqual(received.authUser, sink.user, method.rawValue)
            XCTAssertTrue(received.tls)
        }
    }

    func testSMTPNotifier_authFailureIsPermanentWithReplyCode() async throws {
        let sink = try SMTPSink()
        for method in [SMTPAuthMethod.plain, .login] {
            let recipient = SMTPSink.recipient("authfail")
            let error = await assertNotifyError(.mailPermanent, replyCode: 535) {
                try await notifier("auth", sink: sink, username: sink.user, password: "wrong-password", auth: method)
                    .send(message(to: recipient))
            }
            XCTAssertFalse(error?.message.contains("wrong-password") ?? true)
            XCTAssertTrue(try sink.messages(to: recipient).isEmpty)
        }
    }

    func testSMTPNotifier_implicitTLSWithAuth() async throws {
        let sink = try SMTPSink()
        let recipient = SMTPSink.recipient("implicit")
        try await notifier("implicit", sink: sink, tls: .implicit, username: sink.user, password: sink.password)
            .send(message(to: recipient))
        let received = try await sink.waitForMessage(to: recipient)
        XCTAssertEqual(received.listener, "implicit")
        XCTAssertEqual(received.authUser, sink.user)
    }

    func testSMTPNotifier_recipientRepliesCarryCodes() async throws {
        let sink = try SMTPSink()
        let plain = try notifier("plain", sink: sink, tls: .none)
        _ = await assertNotifyError(.mailTemporary, replyCode: 451) {
            try await plain.send(message(to: SMTPSink.recipient("temp-fail")))
        }
        let error = await assertNotifyError(.mailPermanent, replyCode: 550) {
            try await plain.send(message(to: SMTPSink.recipient("perm-fail")))
        }
        XCTAssertTrue(error?.message.contains("550") ?? false)
    }

    func testSMTPNotifier_headerInjectionNeverReachesServer() async throws {
        let sink = try SMTPSink()
        let victim = SMTPSink.recipient("victim")
        let plain = try notifier("plain", sink: sink, tls: .none)
        for mail in [message(to: SMTPSink.recipient("inject"), subject: "hi\r\nBcc: \(victim)"),
                     message(to: "\(victim)>\r\nRCPT TO:<\(SMTPSink.recipient("other"))")] {
            _ = await assertNotifyError(.mailInvalidMessage) { try await plain.send(mail) }
        }
        XCTAssertTrue(try sink.messages(to: victim).isEmpty)
    }

    func testSMTPNotifier_silentServerTimesOut() async throws {
        // A server that accepts the connection and never says a word.
        let listener = try TCPListener(bindTo: PoolNet.HostPort(host: "127.0.0.1", port: 0))
        defer { listener.close() }
        let notifier = try SMTPNotifier(configuration: .init(host: listener.localAddress.description, from: "pool@example.com",
                                                             tlsMode: .none, commandTimeout: .milliseconds(300)),
                                        logger: .disabled)
        // The outcome proves the command timeout ended the wait (the server never answers, so nothing else can).
        let error = await assertNotifyError(.mailTemporary) { try await notifier.send(message(to: "a@example.org")) }
        XCTAssertTrue(error?.message.contains("no reply") ?? false, error?.message ?? "")
    }

    func testSMTPNotifier_connectionRefusedIsTemporary() async throws {
        let listener = try TCPListener(bindTo: PoolNet.HostPort(host: "127.0.0.1", port: 0), listening: false)
        defer { listener.close() }
        let address = listener.localAddress.description
        let notifier = try SMTPNotifier(configuration: .init(host: address, from: "pool@example.com", tlsMode: .none),
                                        logger: .disabled)
        _ = await assertNotifyError(.mailTemporary) { try await notifier.send(message(to: "a@example.org")) }
    }

    func testSMTPNotifier_badConfigurationRejected() {
        XCTAssertThrowsError(try SMTPNotifier(configuration: .init(host: "no port here:", from: "pool@example.com"), logger: .disabled))
        XCTAssertThrowsError(try SMTPNotifier(configuration: .init(host: "127.0.0.1:25", from: "pool@example.com\r\nX: y"), logger: .disabled))
        XCTAssertThrowsError(try SMTPNotifier(configuration: .init(host: "127.0.0.1:25", caFile: "/nonexistent/ca.pem"), logger: .disabled))
        XCTAssertEqual(SMTPNotifier.Configuration.tlsMode(option: "starttls", host: "mail.example.com:465"), .implicit)
        XCTAssertEqual(SMTPNotifier.Configuration.tlsMode(option: "starttls", host: "mail.example.com:587"), .starttls)
        XCTAssertEqual(SMTPNotifier.Configuration.tlsMode(option: "opportunistic", host: "mail.example.com:25"), .opportunistic)
        XCTAssertEqual(SMTPNotifier.Configuration.tlsMode(option: "none", host: "mail.example.com:465"), .none)
    }
}
