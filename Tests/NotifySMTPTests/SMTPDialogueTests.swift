import Foundation
import XCTest
import PoolKernel
@testable import NotifySMTP

final class SMTPDialogueTests: XCTestCase {
    private func plan(tls: SMTPTLSMode = .starttls, credentials: SMTPDialogue.Credentials? = nil,
                      method: SMTPAuthMethod = .auto, cleartextAuth: Bool = false) -> SMTPDialogue.Plan {
        SMTPDialogue.Plan(clientName: "client.test", tlsMode: tls, allowCleartextAuth: cleartextAuth,
                          credentials: credentials, authMethod: method, envelopeFrom: "pool@example.com",
                          recipient: "user@example.org", payload: Array("Subject: x\r\n\r\nhi\r\n.\r\n".utf8))
    }

    private func reply(_ code: Int, _ lines: String...) -> SMTPReply { SMTPReply(code: code, lines: lines.isEmpty ? ["ok"] : lines) }

    private func sent(_ action: SMTPDialogue.Action) -> String? {
        if case let .send(bytes, _, _) = action { return String(decoding: bytes, as: UTF8.self) }
        return nil
    }

    private func failure(_ action: SMTPDialogue.Action) -> NotifyError? {
        if case let .failed(error) = action { return error }
        return nil
    }

    func testSMTPDialogue_plainSessionDelivers() {
        var dialogue = SMTPDialogue(plan: plan(tls: .none), tlsActive: false)
        XCTAssertEqual(sent(dialogue.receive(reply(220, "sink ESMTP"))), "EHLO client.test\r\n")
        XCTAssertEqual(sent(dialogue.receive(reply(250, "sink", "STARTTLS", "8BITMIME"))), "MAIL FROM:<pool@example.com>\r\n")
        XCTAssertEqual(sent(dialogue.receive(reply(250))), "RCPT TO:<user@example.org>\r\n")
        XCTAssertEqual(sent(dialogue.receive(reply(250))), "DATA\r\n")
        let data = dialogue.receive(reply(354, "go ahead"))
        XCTAssertEqual(data, .send(Array("Subject: x\r\n\r\nhi\r\n.\r\n".utf8), wait: .dataEnd, log: ""))
        XCTAssertEqual(dialogue.receive(reply(250, "queued")), .delivered)
        XCTAssertTrue(dialogue.isFinished)
    }

    func testSMTPDialogue_ehloRefusedFallsBackToHelo() {
        var dialogue = SMTPDialogue(plan: plan(tls: .opportunistic), tlsActive: false)
        _ = dialogue.receive(reply(220))
        XCTAssertEqual(sent(dialogue.receive(reply(502, "command not implemented"))), "HELO client.test\r\n")
        XCTAssertEqual(sent(dialogue.receive(reply(250))), "MAIL FROM:<pool@example.com>\r\n")
    }

    func testSMTPDialogue_startTLSWhenOfferedThenEhloAgain() {
        var dialogue = SMTPDialogue(plan: plan(credentials: .init(username: "u", password: "p")), tlsActive: false)
        _ = dialogue.receive(reply(220))
        // AUTH is advertised but must not be used before TLS.
        XCTAssertEqual(sent(dialogue.receive(reply(250, "sink", "STARTTLS", "AUTH PLAIN LOGIN"))), "STARTTLS\r\n")
        XCTAssertEqual(dialogue.receive(reply(220, "ready")), .upgradeToTLS)
        XCTAssertEqual(sent(dialogue.tlsEstablished()), "EHLO client.test\r\n")
        XCTAssertTrue(dialogue.tlsActive)
        let auth = sent(dialogue.receive(reply(250, "sink", "AUTH PLAIN LOGIN")))
        XCTAssertEqual(auth, "AUTH PLAIN " + Data("\0u\0p".utf8).base64EncodedString() + "\r\n")
        XCTAssertEqual(sent(dialogue.receive(reply(235))), "MAIL FROM:<pool@example.com>\r\n")
    }

    func testSMTPDialogue_startTLSRefusedFailsWithReplyCode() {
        var dialogue = SMTPDialogue(plan: plan(), tlsActive: false)
        _ = dialogue.receive(reply(220))
        _ = dialogue.receive(reply(250, "sink", "STARTTLS"))
        let error = failure(dialogue.receive(reply(454, "TLS not available")))
        XCTAssertEqual(error?.code, .mailTemporary)
        XCTAssertEqual(error?.replyCode, 454)
    }

    func testSMTPDialogue_authLoginSendsBase64Steps() {
        var dialogue = SMTPDialogue(plan: plan(tls: .implicit, credentials: .init(username: "alice", password: "s3cret!"),
                                               method: .login), tlsActive: true)
        _ = dialogue.receive(reply(220))
        let start = dialogue.receive(reply(250, "sink", "AUTH PLAIN LOGIN"))
        XCTAssertEqual(sent(start), "AUTH LOGIN\r\n")
        let user = dialogue.receive(reply(334, "VXNlcm5hbWU6"))
        XCTAssertEqual(sent(user), "YWxpY2U=\r\n")
        let password = dialogue.receive(reply(334, "UGFzc3dvcmQ6"))
        XCTAssertEqual(sent(password), Data("s3cret!".utf8).base64EncodedString() + "\r\n")
        if case let .send(_, _, log) = password { XCTAssertFalse(log.contains(Data("s3cret!".utf8).base64EncodedString())) }
        XCTAssertEqual(sent(dialogue.receive(reply(235))), "MAIL FROM:<pool@example.com>\r\n")
    }

    func testSMTPDialogue_authFailureIsPermanentWithCode() {
        var dialogue = SMTPDialogue(plan: plan(tls: .implicit, credentials: .init(username: "u", password: "bad")), tlsActive: true)
        _ = dialogue.receive(reply(220))
        _ = dialogue.receive(reply(250, "sink", "AUTH=PLAIN"))
        let error = failure(dialogue.receive(reply(535, "5.7.8 Authentication credentials invalid")))
        XCTAssertEqual(error?.code, .mailPermanent)
        XCTAssertEqual(error?.replyCode, 535)
        XCTAssertFalse(error?.message.contains("bad") ?? true)
    }

    func testSMTPDialogue_refusesCleartextAuthToRemoteServer() {
        var dialogue = SMTPDialogue(plan: plan(tls: .opportunistic, credentials: .init(username: "u", password: "p")), tlsActive: false)
        _ = dialogue.receive(reply(220))
        XCTAssertEqual(failure(dialogue.receive(reply(250, "sink", "AUTH PLAIN")))?.code, .mailPermanent)
        var loopback = SMTPDialogue(plan: plan(tls: .opportunistic, credentials: .init(username: "u", password: "p"),
                                               cleartextAuth: true), tlsActive: false)
        _ = loopback.receive(reply(220))
        XCTAssertEqual(sent(loopback.receive(reply(250, "sink", "AUTH PLAIN")))?.hasPrefix("AUTH PLAIN "), true)
    }

    /// `smtptls=starttls` (the default) with a server that offers no STARTTLS — or an attacker who removed it from
    /// the EHLO reply — ends the session before AUTH or MAIL FROM; even a loopback server gets no credentials.
    func testSMTPDialogue_requiredStartTLSNotOfferedStopsBeforeAuthAndEnvelope() {
        for cleartextAuth in [false, true] {
            var dialogue = SMTPDialogue(plan: plan(tls: .starttls, credentials: .init(username: "u", password: "p"),
                                                   cleartextAuth: cleartextAuth), tlsActive: false)
            _ = dialogue.receive(reply(220))
            let error = failure(dialogue.receive(reply(250, "sink", "AUTH PLAIN LOGIN", "8BITMIME")))
            XCTAssertEqual(error?.code, .mailTemporary)
            XCTAssertTrue(error?.message.contains("smtptls=starttls") ?? false, error?.message ?? "")
            XCTAssertTrue(error?.message.contains("smtptls=opportunistic") ?? false, error?.message ?? "")
            XCTAssertTrue(dialogue.isFinished)
        }
        // An old server answering only HELO has no STARTTLS either.
        var helo = SMTPDialogue(plan: plan(tls: .starttls), tlsActive: false)
        _ = helo.receive(reply(220))
        XCTAssertEqual(sent(helo.receive(reply(502, "command not implemented"))), "HELO client.test\r\n")
        XCTAssertNotNil(failure(helo.receive(reply(250))))
    }

    func testSMTPDialogue_opportunisticWithoutStartTLSSendsPlain() {
        var dialogue = SMTPDialogue(plan: plan(tls: .opportunistic), tlsActive: false)
        _ = dialogue.receive(reply(220))
        XCTAssertEqual(sent(dialogue.receive(reply(250, "sink", "8BITMIME"))), "MAIL FROM:<pool@example.com>\r\n")
        var offered = SMTPDialogue(plan: plan(tls: .opportunistic), tlsActive: false)
        _ = offered.receive(reply(220))
        XCTAssertEqual(sent(offered.receive(reply(250, "sink", "STARTTLS"))), "STARTTLS\r\n")
    }

    func testSMTPDialogue_temporaryAndPermanentRecipientReplies() {
        for (code, expected) in [(451, ErrorCode.mailTemporary), (550, ErrorCode.mailPermanent)] {
            var dialogue = SMTPDialogue(plan: plan(tls: .none), tlsActive: false)
            _ = dialogue.receive(reply(220))
            _ = dialogue.receive(reply(250))
            _ = dialogue.receive(reply(250))
            let error = failure(dialogue.receive(reply(code, "no")))
            XCTAssertEqual(error?.code, expected)
            XCTAssertEqual(error?.replyCode, code)
            XCTAssertTrue(error?.message.contains("RCPT TO") ?? false)
        }
    }

    func testSMTPDialogue_unexpectedRepliesAreErrors() {
        var dialogue = SMTPDialogue(plan: plan(), tlsActive: false)
        XCTAssertEqual(failure(dialogue.receive(reply(554, "go away")))?.code, .mailPermanent)
        XCTAssertEqual(failure(dialogue.receive(reply(250)))?.code, .mailTemporary)
        var early = SMTPDialogue(plan: plan(), tlsActive: false)
        XCTAssertEqual(failure(early.tlsEstablished())?.code, .mailTemporary)
    }

    func testSMTPDialogue_sizeLimitRefusedBeforeSending() {
        var dialogue = SMTPDialogue(plan: plan(tls: .none), tlsActive: false)
        _ = dialogue.receive(reply(220))
        XCTAssertEqual(failure(dialogue.receive(reply(250, "sink", "SIZE 10")))?.code, .mailPermanent)
    }
}

final class SMTPReplyParserTests: XCTestCase {
    func testSMTPReplyParser_multiLineReplyInPieces() throws {
        var parser = SMTPReplyParser()
        parser.append(Array("250-sink.test\r\n250-STAR".utf8))
        XCTAssertNil(try parser.nextReply())
        parser.append(Array("TTLS\r\n250 AUTH PLAIN LOGIN\r\n220 next\n".utf8))
        XCTAssertEqual(try parser.nextReply(), SMTPReply(code: 250, lines: ["sink.test", "STARTTLS", "AUTH PLAIN LOGIN"]))
        XCTAssertEqual(try parser.nextReply(), SMTPReply(code: 220, lines: ["next"]))
        XCTAssertNil(try parser.nextReply())
        XCTAssertFalse(parser.hasPartialInput)
    }

    func testSMTPReplyParser_badInputIsProtocolError() {
        let bad = ["hello\r\n", "25\r\n", "250x\r\n", "250-a\r\n251 b\r\n", "650 ok\r\n",
                   String(repeating: "2", count: SMTPReplyParser.maxLineLength + 10)]
        for input in bad {
            var parser = SMTPReplyParser()
            parser.append(Array(input.utf8))
            XCTAssertThrowsError(try parser.nextReply(), input) { error in
                XCTAssertEqual((error as? NotifyError)?.code, .mailTemporary)
            }
        }
        var flood = SMTPReplyParser()
        flood.append(Array(String(repeating: "250-x\r\n", count: SMTPReplyParser.maxLines + 1).utf8))
        XCTAssertThrowsError(try flood.nextReply())
    }
}
